"""Créteil's partner directory for the demo: plausible organisations of Mont-Mesly and the Bleuets.

Names of organisations are public bodies or plausible associations; every person is fictitious and every
e-mail address ends in `.test` (a domain reserved for tests), so the demo never writes to a real person.

SIRETs are illustrative: the funders' (the préfecture that pays the State grant, the city, the collège chef de
file that holds the fonds de la cité, the CAF) and those of the holders without an RNA number (city services,
the département, the landlord, the company), so that their grants appear in the open data. They pass the Luhn
check but are not the real ones (only the city's SIREN, 219 400 280, is Créteil's own).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoContact:
    first_name: str
    last_name: str
    job_title: str
    email: str
    phone: str = ""
    account: str = ""  # the demo account's e-mail when this person signs in to the platform


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: str
    themes: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    description: str = ""
    address: str = ""
    rna: str = ""
    uai: str = ""  # for a school: its UAI in the reference data
    siret: str = ""  # illustrative, see above
    contacts: tuple[DemoContact, ...] = field(default_factory=tuple)


def school(uai: str, name: str, kind: str, head: DemoContact, siret: str = "") -> DemoOrganisation:
    ages = ("11-14",) if kind == "college" else ("3-5",) if "maternelle" in name.lower() else ("6-10",)
    return DemoOrganisation(
        name=name,
        kind=kind,
        uai=uai,
        siret=siret,
        themes=("accompagnement-scolaire", "climat-scolaire"),
        age_bands=(*ages, "parents"),
        contacts=(head,),
    )


SCHOOLS = [
    school(
        "0940003T",
        "Collège Laplace",
        "college",
        DemoContact(
            "Marc",
            "Lefèvre",
            "Principal, collège chef de file",
            "principal.laplace@ac-creteil.test",
            "01 45 13 20 00",
            account="education@demo.maillage.test",
        ),
        siret="19940003700016",  # the EPLE that holds the fonds de la cité in its budget
    ),
    school(
        "0940006W",
        "Collège Albert Schweitzer",
        "college",
        DemoContact("Hélène", "Marchand", "Principale", "principal.schweitzer@ac-creteil.test", "01 42 07 31 10"),
    ),
    school(
        "0940535W",
        "École élémentaire Albert Camus",
        "ecole",
        DemoContact(
            "Pierre",
            "Martin",
            "Directeur",
            "ce.albert-camus-elem@ac-creteil.test",
            account="ecole@demo.maillage.test",
        ),
    ),
    school(
        "0940762T",
        "École maternelle Albert Camus",
        "ecole",
        DemoContact("Sandrine", "Leroy", "Directrice", "ce.albert-camus-mat@ac-creteil.test"),
    ),
    school(
        "0940527M",
        "École élémentaire Paul Casalis",
        "ecole",
        DemoContact("Olivier", "Girard", "Directeur", "ce.casalis-elem@ac-creteil.test"),
    ),
    school(
        "0940562A",
        "École maternelle Paul Casalis",
        "ecole",
        DemoContact("Nathalie", "Bonnet", "Directrice", "ce.casalis-mat@ac-creteil.test"),
    ),
    school(
        "0940544F",
        "École maternelle Jeu de Paume",
        "ecole",
        DemoContact("Céline", "Dupuis", "Directrice", "ce.jeu-de-paume@ac-creteil.test"),
    ),
    school(
        "0942346P",
        "École primaire La Habette",
        "ecole",
        DemoContact("Rachid", "Mansouri", "Directeur", "ce.habette@ac-creteil.test"),
    ),
    school(
        "0941380P",
        "École élémentaire Savignat",
        "ecole",
        DemoContact("Valérie", "Perrin", "Directrice", "ce.savignat-elem@ac-creteil.test"),
    ),
    school(
        "0940504M",
        "École maternelle Savignat",
        "ecole",
        DemoContact("Julie", "Morel", "Directrice", "ce.savignat-mat@ac-creteil.test"),
    ),
    school(
        "0940197D",
        "École élémentaire Charles Beuvin A",
        "ecole",
        DemoContact("François", "Lemaire", "Directeur", "ce.beuvin-a@ac-creteil.test"),
    ),
    school(
        "0940307Y",
        "École élémentaire Charles Beuvin B",
        "ecole",
        DemoContact("Agnès", "Renard", "Directrice", "ce.beuvin-b@ac-creteil.test"),
    ),
    school(
        "0940446Z",
        "École maternelle Charles Beuvin",
        "ecole",
        DemoContact("Laure", "Fabre", "Directrice", "ce.beuvin-mat@ac-creteil.test"),
    ),
    school(
        "0941840P",
        "École maternelle Jeanine Le Cléac'h",
        "ecole",
        DemoContact("Samia", "Ouali", "Directrice", "ce.le-cleach@ac-creteil.test"),
    ),
    school(
        "0941318X",
        "École élémentaire Léo Orville",
        "ecole",
        DemoContact("Bruno", "Caron", "Directeur", "ce.leo-orville@ac-creteil.test"),
    ),
]

OTHERS = [
    DemoOrganisation(
        "Ville de Créteil — Direction de l'éducation",
        "city_service",
        ("accompagnement-scolaire", "petite-enfance", "parentalite"),
        ("3-5", "6-10", "parents"),
        "Écoles, restauration scolaire, accueils périscolaires et projet éducatif de territoire.",
        "Place Salvador Allende",
        siret="21940028000018",  # the city of Créteil (its co-funding of the cité éducative)
        contacts=(
            DemoContact(
                "Sophie",
                "Moreau",
                "Directrice de l'éducation",
                "education@ville-creteil.test",
                "01 49 80 92 94",
                account="ville@demo.maillage.test",
            ),
        ),
    ),
    DemoOrganisation(
        "Ville de Créteil — Direction de la jeunesse",
        "city_service",
        ("orientation-insertion", "citoyennete", "sport"),
        ("11-14", "15-17", "18-25"),
        "Maisons de la jeunesse, point information jeunesse, chantiers éducatifs.",
        "Place Salvador Allende",
        siret="21940028000034",
        contacts=(DemoContact("Yannick", "Rolland", "Directeur de la jeunesse", "jeunesse@ville-creteil.test"),),
    ),
    DemoOrganisation(
        "Ville de Créteil — Politique de la ville",
        "city_service",
        ("citoyennete", "parentalite"),
        ("parents", "professionals"),
        "Contrat de ville, animation des conseils citoyens du Mont-Mesly et des Bleuets.",
        "Place Salvador Allende",
        siret="21940028000026",
        contacts=(DemoContact("Farida", "Khelifi", "Cheffe de projet contrat de ville", "pdv@ville-creteil.test"),),
    ),
    DemoOrganisation(
        "Médiathèque de l'Abbaye — Nelson Mandela",
        "city_service",
        ("langage-lecture", "culture", "numerique"),
        ("0-2", "3-5", "6-10", "11-14", "parents"),
        "Lectures au pied des immeubles, ateliers numériques, accueil des classes.",
        "Place de l'Abbaye",
        contacts=(DemoContact("Émilie", "Vasseur", "Responsable jeunesse", "mediatheque@ville-creteil.test"),),
    ),
    DemoOrganisation(
        "Micro-Folie de Créteil",
        "city_service",
        ("culture", "numerique"),
        ("6-10", "11-14", "15-17"),
        "Musée numérique et fablab ouverts aux classes et aux familles.",
        siret="21940028000042",
        contacts=(DemoContact("Thibault", "Lambert", "Médiateur culturel", "microfolie@ville-creteil.test"),),
    ),
    DemoOrganisation(
        "Relais petite enfance des Bleuets",
        "city_service",
        ("petite-enfance", "parentalite"),
        ("0-2", "parents", "professionals"),
        "Information des familles et accompagnement des assistantes maternelles.",
        siret="21940028000059",
        contacts=(DemoContact("Martine", "Guérin", "Animatrice", "rpe-bleuets@ville-creteil.test"),),
    ),
    DemoOrganisation(
        "Grand Paris Sud Est Avenir",
        "epci",
        ("culture", "sport"),
        ("6-10", "11-14", "15-17"),
        "Établissement public territorial : conservatoires, piscines, médiathèques intercommunales.",
        contacts=(DemoContact("Laurent", "Meunier", "Chargé de mission cohésion sociale", "cohesion@gpsea.test"),),
    ),
    DemoOrganisation(
        "Conservatoire Marcel Dadi",
        "epci",
        ("culture",),
        ("6-10", "11-14", "15-17"),
        "Orchestres à l'école et classes à horaires aménagés.",
        contacts=(DemoContact("Anne", "Chevalier", "Directrice", "conservatoire@gpsea.test"),),
    ),
    DemoOrganisation(
        "Préfecture du Val-de-Marne — Délégués du préfet",
        "state_service",
        ("citoyennete",),
        ("professionals",),
        "Représentation de l'État dans les quartiers prioritaires.",
        "21-29 avenue du Général de Gaulle",
        siret="17940001500014",  # pays the State grant (programme 147)
        contacts=(
            DemoContact(
                "Nadia",
                "Benali",
                "Déléguée du préfet",
                "delegue-prefet@val-de-marne.gouv.test",
                account="prefecture@demo.maillage.test",
            ),
            DemoContact(
                "Isabelle",
                "Roux",
                "Gestionnaire des subventions",
                "subventions@val-de-marne.gouv.test",
                account="subventions@demo.maillage.test",
            ),
        ),
    ),
    DemoOrganisation(
        "Direction des services départementaux de l'Éducation nationale du Val-de-Marne",
        "state_service",
        ("perseverance-decrochage", "climat-scolaire"),
        ("6-10", "11-14", "professionals"),
        "Inspection de circonscription, éducation prioritaire, cellule de lutte contre le décrochage.",
        contacts=(
            DemoContact(
                "Philippe",
                "Aubert",
                "Inspecteur de l'Éducation nationale",
                "ien-creteil@ac.test",
                account="comite1@demo.maillage.test",
            ),
        ),
    ),
    DemoOrganisation(
        "Centre d'information et d'orientation de Créteil",
        "state_service",
        ("orientation-insertion", "perseverance-decrochage"),
        ("11-14", "15-17", "parents"),
        "Psychologues de l'Éducation nationale : orientation et prévention du décrochage.",
        contacts=(DemoContact("Corinne", "Blanchard", "Directrice", "cio-creteil@ac.test"),),
    ),
    DemoOrganisation(
        "Caisse d'allocations familiales du Val-de-Marne",
        "caf",
        ("parentalite", "petite-enfance"),
        ("0-2", "3-5", "parents"),
        "Financement des lieux d'accueil enfants-parents et des accueils de loisirs.",
        siret="77970130900014",
        contacts=(
            DemoContact(
                "Stéphane",
                "Fournier",
                "Conseiller territorial",
                "conseiller-creteil@caf94.test",
                account="comite2@demo.maillage.test",
            ),
        ),
    ),
    DemoOrganisation(
        "Département du Val-de-Marne — Espace départemental des solidarités",
        "departement",
        ("parentalite", "sante-bien-etre"),
        ("0-2", "3-5", "parents"),
        "Protection maternelle et infantile, action sociale, prévention.",
        siret="22940001500025",
        contacts=(DemoContact("Claire", "Gauthier", "Responsable de l'EDS", "eds-creteil@valdemarne.test"),),
    ),
    DemoOrganisation(
        "Créteil Habitat",
        "social_landlord",
        ("citoyennete", "climat-scolaire"),
        ("11-14", "15-17", "parents"),
        "Bailleur social du Mont-Mesly : locaux mis à disposition, chantiers jeunes.",
        siret="27940005500018",
        contacts=(DemoContact("David", "Noël", "Responsable du développement social", "dsu@creteil-habitat.test"),),
    ),
    DemoOrganisation(
        "Valophis Habitat",
        "social_landlord",
        ("citoyennete",),
        ("parents",),
        "Bailleur social des Bleuets.",
        contacts=(DemoContact("Sarah", "Lopez", "Chargée de proximité", "proximite@valophis.test"),),
    ),
    DemoOrganisation(
        "Centre social Kennedy",
        "association",
        ("parentalite", "accompagnement-scolaire", "citoyennete"),
        ("6-10", "11-14", "parents"),
        "Accompagnement à la scolarité, ateliers sociolinguistiques, sorties familiales.",
        rna="W942000101",
        contacts=(DemoContact("Mehdi", "Saïdi", "Directeur", "direction@cs-kennedy.test", "01 48 99 10 20"),),
    ),
    DemoOrganisation(
        "Café des parents du Mont-Mesly",
        "association",
        ("parentalite",),
        ("parents",),
        "Un café des parents au collège Laplace et à l'école Albert Camus, chaque semaine.",
        rna="W942000102",
        contacts=(
            DemoContact(
                "Aïcha",
                "Diallo",
                "Coordinatrice",
                "contact@cafe-parents-mesly.test",
                "06 12 34 56 78",
                account="porteur@demo.maillage.test",
            ),
        ),
    ),
    DemoOrganisation(
        "Échecs et Mat Créteil",
        "association",
        ("accompagnement-scolaire", "citoyennete"),
        ("6-10", "11-14"),
        "Les échecs à l'école : un atelier hebdomadaire dans les écoles du Mont-Mesly.",
        rna="W942000103",
        contacts=(DemoContact("Grégoire", "Faure", "Président", "bureau@echecs-creteil.test"),),
    ),
    DemoOrganisation(
        "Le Lab des Bleuets",
        "association",
        ("numerique", "orientation-insertion"),
        ("11-14", "15-17", "18-25"),
        "Fablab de quartier : découpe laser, impression 3D, programmation.",
        rna="W942000104",
        contacts=(DemoContact("Inès", "Benyahia", "Fabmanageuse", "hello@lab-bleuets.test"),),
    ),
    DemoOrganisation(
        "Les Petits Débrouillards — antenne de Créteil",
        "association",
        ("numerique", "culture"),
        ("6-10", "11-14"),
        "Sciences en bas des immeubles pendant les vacances.",
        rna="W942000105",
        contacts=(DemoContact("Kevin", "Marechal", "Animateur scientifique", "creteil@debrouillards.test"),),
    ),
    DemoOrganisation(
        "Coup de pouce lecture Créteil",
        "association",
        ("langage-lecture", "parentalite"),
        ("6-10", "parents"),
        "Clubs de lecture et d'écriture pour les élèves de CP et leurs parents.",
        rna="W942000106",
        contacts=(DemoContact("Odile", "Barbier", "Coordinatrice", "clubs@coup-de-pouce.test"),),
    ),
    DemoOrganisation(
        "Mentorat étudiant Val-de-Marne",
        "association",
        ("accompagnement-scolaire", "orientation-insertion"),
        ("11-14", "15-17"),
        "Des étudiants de l'UPEC accompagnent des collégiens chaque semaine.",
        rna="W942000107",
        contacts=(DemoContact("Lucas", "Henry", "Responsable d'antenne", "creteil@mentorat94.test"),),
    ),
    DemoOrganisation(
        "Union sportive de Créteil — sections jeunes",
        "association",
        ("sport", "egalite-filles-garcons"),
        ("6-10", "11-14", "15-17"),
        "Sport au pied des tours, football et handball féminins.",
        rna="W942000108",
        contacts=(DemoContact("Yassine", "Amrani", "Éducateur sportif", "jeunes@us-creteil.test"),),
    ),
    DemoOrganisation(
        "Maison des Arts de Créteil",
        "association",
        ("culture",),
        ("11-14", "15-17", "18-25"),
        "Scène nationale : parcours du spectateur pour les collégiens.",
        rna="W942000109",
        contacts=(DemoContact("Camille", "Roussel", "Chargée des relations publiques", "rp@maccreteil.test"),),
    ),
    DemoOrganisation(
        "Mission locale Plaine centrale",
        "association",
        ("orientation-insertion", "mobilite"),
        ("15-17", "18-25"),
        "Accompagnement des 16-25 ans vers l'emploi et la formation.",
        rna="W942000110",
        contacts=(DemoContact("Sébastien", "Giraud", "Conseiller", "conseil@ml-plainecentrale.test"),),
    ),
    DemoOrganisation(
        "Prévention spécialisée du Mont-Mesly",
        "association",
        ("perseverance-decrochage", "sante-bien-etre"),
        ("11-14", "15-17", "18-25"),
        "Éducateurs de rue : présence sociale, accompagnement des jeunes en rupture.",
        rna="W942000111",
        contacts=(DemoContact("Bruno", "Lacroix", "Chef de service", "service@prevention-mesly.test"),),
    ),
    DemoOrganisation(
        "Connexions solidaires",
        "company",
        ("numerique", "parentalite"),
        ("parents",),
        "Entreprise d'insertion : prêt de tablettes aux familles et ateliers d'inclusion numérique.",
        siret="81234567600017",
        contacts=(DemoContact("Amandine", "Colin", "Responsable d'agence", "creteil@connexions-solidaires.test"),),
    ),
]

PROGRAMME_HOLDERS = [
    DemoOrganisation(
        "Ligue de l'enseignement du Val-de-Marne",
        "association",
        ("accompagnement-scolaire", "culture", "sport"),
        ("6-10", "11-14"),
        "Accueils de loisirs, colonies et vacances apprenantes.",
        rna="W942000112",
        contacts=(DemoContact("Karine", "Dubois", "Déléguée vacances et loisirs éducatifs", "vacances@ligue94.test"),),
    ),
    DemoOrganisation(
        "Compagnie du Théâtre des Bleuets",
        "association",
        ("culture", "citoyennete", "egalite-filles-garcons"),
        ("11-14", "15-17"),
        "Théâtre-forum et ateliers de pratique théâtrale dans les collèges.",
        rna="W942000113",
        contacts=(DemoContact("Malik", "Benhamou", "Metteur en scène", "contact@theatre-bleuets.test"),),
    ),
]
"""Holders of action sheets of the demo programme (programme_data.py) not already in the directory."""

ORGANISATIONS = SCHOOLS + OTHERS + PROGRAMME_HOLDERS
