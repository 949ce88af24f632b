"""Créteil's programme for the demo, 2020-2024 and the call open now: the objective tree, the money available
each year (envelopes), one call for projects a year with its scoring grid, and about forty action sheets of
the directory's partners, each with where it ended up (selected, agreed, paid, closed…).

Everything here is fictitious but plausible: amounts are whole euros (made `Decimal` by the builders),
places and holders come from the demo directory (partners_data.py), codes from the seeded vocabularies.
"""

import datetime
from dataclasses import dataclass, field

# --- The objective tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAxis:
    national_objective: str  # school | continuity | horizons
    title: str
    operational: tuple[tuple[str, str], ...]  # (key used by the actions below, title)


OBJECTIVES = [
    DemoAxis(
        "school",
        "Réussir les apprentissages fondamentaux",
        (
            ("lire", "Renforcer la maîtrise de la langue dès la maternelle"),
            ("logique", "Consolider le raisonnement et le goût d'apprendre"),
            ("devoirs", "Accompagner le travail personnel des élèves hors la classe"),
        ),
    ),
    DemoAxis(
        "school",
        "Faire de l'école un lieu ouvert aux familles",
        (
            ("parents_ecole", "Faire entrer les parents dans l'école"),
            ("decrochage", "Prévenir le décrochage des collégiens"),
        ),
    ),
    DemoAxis(
        "continuity",
        "Soutenir les parents dans leur rôle éducatif",
        (
            ("parentalite", "Accompagner la parentalité dès la petite enfance"),
            ("numerique_familles", "Réduire la fracture numérique des familles"),
        ),
    ),
    DemoAxis(
        "continuity",
        "Relier les temps scolaire, périscolaire et de vacances",
        (
            ("vacances", "Proposer des vacances apprenantes à chaque enfant"),
            ("sport_sante", "Développer le sport, la santé et le bien-être des enfants"),
        ),
    ),
    DemoAxis(
        "horizons",
        "S'ouvrir à la culture, aux sciences et au numérique",
        (
            ("culture", "Donner accès aux pratiques artistiques et culturelles"),
            ("sciences", "Éveiller aux sciences et à la fabrication numérique"),
        ),
    ),
    DemoAxis(
        "horizons",
        "Construire son orientation et découvrir les métiers",
        (
            ("metiers", "Faire découvrir les métiers et le monde professionnel"),
            ("mobilite", "Favoriser la mobilité hors du quartier"),
        ),
    ),
]


# --- Money: envelopes by year and source ----------------------------------------------------------------------

PREFECTURE = "Préfecture du Val-de-Marne — Délégués du préfet"
CITY = "Ville de Créteil — Direction de l'éducation"
CHEF_DE_FILE = "Collège Laplace"
CAF = "Caisse d'allocations familiales du Val-de-Marne"

FUNDERS = {"p147": PREFECTURE, "city_fund": CHEF_DE_FILE, "commune": CITY, "caf": CAF}
"""Who pays each source's envelope (its SIRET goes into the open data)."""

ENVELOPES = {
    2020: {"p147": 250_000, "city_fund": 30_000, "commune": 40_000},
    2021: {"p147": 250_000, "city_fund": 30_000, "commune": 45_000, "caf": 20_000},
    2022: {"p147": 255_000, "city_fund": 30_000, "commune": 50_000, "caf": 20_000},
    2023: {"p147": 250_000, "city_fund": 30_000, "commune": 50_000, "caf": 20_000},
    2024: {"p147": 250_000, "city_fund": 30_000, "commune": 50_000, "caf": 20_000},
}
ENVELOPE_NOTES = {
    "p147": "Crédits de la politique de la ville (programme 147), délégués par l'ANCT.",
    "city_fund": "Fonds de la cité, inscrit au budget du collège chef de file.",
    "commune": "Cofinancement de la ville de Créteil (contrat de ville).",
    "caf": "Prestations de service et fonds publics et territoires de la CAF.",
}


# --- Calls for projects ---------------------------------------------------------------------------------------

CURRENT_CALL_YEAR = datetime.date.today().year + 1
"""The call open on the day the demo is loaded, for next year's actions: its sheets are drafts, submitted or
under review. (The story of 2020 to 2024 is told in the past; the years in between are left out.)"""

CALL_ELIGIBILITY = (
    "Actions gratuites pour les familles, au bénéfice des enfants et des jeunes de 0 à 25 ans des quartiers du "
    "Mont-Mesly et des Bleuets, et des élèves des collèges Laplace et Albert Schweitzer et de leurs écoles. "
    "Structures éligibles : associations, établissements scolaires, services publics. "
    "L'action précise ses objectifs, son public, son calendrier, son budget et son plan de financement."
)
CALL_THEMES = {
    2020: ("parentalite", "accompagnement-scolaire", "numerique", "culture"),
    2021: ("langage-lecture", "parentalite", "numerique", "culture"),
    2022: ("numerique", "orientation-insertion", "sport", "culture"),
    2023: ("orientation-insertion", "sante-bien-etre", "accompagnement-scolaire", "parentalite"),
    2024: ("egalite-filles-garcons", "parentalite", "numerique", "orientation-insertion"),
    CURRENT_CALL_YEAR: ("parentalite", "sante-bien-etre", "numerique", "mobilite"),
}
CALL_PRIORITIES = {
    2020: "Première année de la cité éducative : fédérer ce qui existe autour des familles et de l'école.",
    2021: "Après les confinements : la lecture, le lien avec les familles et la culture pour tous.",
    2022: "Ouvrir le champ des possibles : fablab, sport au féminin, mentorat.",
    2023: "Orientation et santé : découvrir les métiers, prendre soin de soi.",
    2024: "Égalité filles-garçons et continuité éducative entre le collège et ses écoles.",
    CURRENT_CALL_YEAR: "Deuxième feuille de route : parentalité, santé, numérique et mobilité.",
}


@dataclass(frozen=True)
class CallCalendar:
    opens: str  # local ISO date-times
    closes: str
    committee: str  # the selection committee's sitting
    committee_place: str
    decided: str  # ISO dates: grants decided, legal acts signed
    signed: str


CALENDAR = {
    2020: CallCalendar(
        "2020-01-27T09:00",
        "2020-03-06T18:00",
        "2020-04-09T14:00",
        "Visioconférence (confinement)",
        "2020-04-30",
        "2020-05-15",
    ),
    2021: CallCalendar(
        "2020-11-16T09:00", "2021-01-29T18:00", "2021-02-25T14:00", "Collège Laplace", "2021-03-19", "2021-04-09"
    ),
    2022: CallCalendar(
        "2021-11-15T09:00", "2022-01-28T18:00", "2022-02-24T14:00", "Collège Laplace", "2022-03-18", "2022-04-08"
    ),
    2023: CallCalendar(
        "2022-11-14T09:00",
        "2023-01-27T18:00",
        "2023-02-23T14:00",
        "Collège Albert Schweitzer",
        "2023-03-17",
        "2023-04-07",
    ),
    2024: CallCalendar(
        "2023-11-13T09:00", "2024-01-26T18:00", "2024-02-22T14:00", "Collège Laplace", "2024-03-15", "2024-04-05"
    ),
}

CRITERIA = [
    (
        "Réponse aux besoins des enfants et des jeunes",
        "Le diagnostic de la cité, le public visé, ce que l'action cherche à changer.",
        3,
    ),
    (
        "Public des quartiers prioritaires",
        "Part des enfants du Mont-Mesly et des Bleuets, et de l'éducation prioritaire.",
        2,
    ),
    ("Partenariat et lien avec l'école", "Travail avec les établissements et les autres acteurs de la cité.", 2),
    ("Budget réaliste et cofinancé", "Coûts justifiés, cofinancements obtenus ou demandés.", 1),
]
"""(label, what the committee looks at, weight); every criterion is scored 0 to 5."""

SCORE_OFFSETS = ((0, 0, -1, 0), (0, -1, 0, 1))
"""Each committee member's score on each criterion is the action's quality plus this offset (0 to 5)."""

SCORE_COMMENTS = {
    5: "Action structurante, très attendue des familles et des équipes.",
    4: "Solide ; à articuler avec les autres actions du quartier.",
    3: "Intéressante, mais le public visé reste à préciser.",
    2: "Peu de lien avec l'école et un budget à revoir.",
    1: "Hors des objectifs de la cité éducative.",
}

COMMITTEE_MINUTES = """
<h2>Fiches examinées</h2>
<p>Le comité a examiné les {count} fiches action déposées en réponse à l'appel à projets {year}, notées
au préalable par ses membres sur la grille de l'appel.</p>
<h2>Proposition à la troïka</h2>
<p>Le comité propose de retenir {retained} actions ; la coordination transmet la proposition à la troïka
pour validation.</p>
"""


# --- Action sheets --------------------------------------------------------------------------------------------

QPVS = ("QN09405M", "QN09406I")  # Mont-Mesly, La Habette, Coteaux du Sud, Les Bleuets
LAPLACE, SCHWEITZER = "0940003T", "0940006W"
CAMUS_ELEM, CASALIS_ELEM, SAVIGNAT_ELEM, BEUVIN_A = "0940535W", "0940527M", "0941380P", "0940197D"
LEO_ORVILLE = "0941318X"
JEU_DE_PAUME_MAT, CASALIS_MAT, BEUVIN_MAT = "0940544F", "0940562A", "0940446Z"


@dataclass(frozen=True)
class DemoSheet:
    """What an action is, the same every year it runs."""

    key: str
    title: str
    organisation: str  # name in partners_data; its first contact writes the sheet
    summary: str
    objectives: tuple[str, ...]  # keys of operational objectives
    themes: tuple[str, ...]
    age_bands: tuple[str, ...]
    times_of_day: tuple[str, ...]
    period: str  # key of PERIODS
    beneficiaries: int
    budget: tuple[tuple[str, int], ...]  # (spending category, share of the total in %)
    schools: tuple[str, ...] = ()
    qpvs: tuple[str, ...] = ()
    address: str = ""


PERIODS = {
    "year": ((0, 3, 2), (0, 12, 18)),  # (year offset, month, day) of the start and of the end
    "school_year": ((0, 9, 2), (1, 6, 30)),
    "spring_to_winter": ((0, 1, 8), (0, 12, 19)),
    "summer": ((0, 7, 6), (0, 8, 28)),
}

STAFF, ACTIVITIES = ("encadrants", 70), ("actions", 30)

SHEETS = {
    sheet.key: sheet
    for sheet in [
        DemoSheet(
            "coordination",
            "Coordination et ingénierie de la cité éducative",
            "Ville de Créteil — Politique de la ville",
            "Le poste de chef de projet opérationnel, l'animation du réseau des partenaires, l'appel à projets "
            "et l'évaluation de la cité éducative, au service des trois objectifs nationaux.",
            ("parents_ecole", "vacances", "metiers"),
            ("citoyennete",),
            ("professionals",),
            ("scolaire", "periscolaire"),
            "spring_to_winter",
            60,
            (("ingenierie", 80), ("evaluation", 12), ("communication", 8)),
            qpvs=QPVS,
        ),
        DemoSheet(
            "tablettes",
            "Tablettes prêtées aux familles",
            "Connexions solidaires",
            "Prêt de tablettes avec connexion aux familles sans équipement, pour suivre la classe à distance "
            "pendant le confinement, avec une prise en main accompagnée.",
            ("numerique_familles", "devoirs"),
            ("numerique", "parentalite", "accompagnement-scolaire"),
            ("6-10", "11-14", "parents"),
            ("familial",),
            "spring_to_winter",
            150,
            (("equipements", 65), ("encadrants", 25), ("actions", 10)),
            schools=(LAPLACE, SCHWEITZER),
        ),
        DemoSheet(
            "numerique_parents",
            "Ateliers numériques des parents : ENT, Pronote et démarches en ligne",
            "Connexions solidaires",
            "Des ateliers du samedi matin pour que les parents suivent la scolarité de leurs enfants en ligne "
            "et fassent leurs démarches sans dépendre d'un tiers.",
            ("numerique_familles", "parents_ecole"),
            ("numerique", "parentalite"),
            ("parents",),
            ("familial",),
            "school_year",
            80,
            (STAFF, ACTIVITIES),
            schools=(LAPLACE, SCHWEITZER),
        ),
        DemoSheet(
            "vacances",
            "Vacances apprenantes au Mont-Mesly",
            "Ligue de l'enseignement du Val-de-Marne",
            "Trois semaines d'été qui mêlent le matin des ateliers de lecture et de mathématiques, l'après-midi "
            "des activités sportives et culturelles, et une sortie hors de Créteil chaque semaine.",
            ("vacances", "lire"),
            ("accompagnement-scolaire", "culture", "sport"),
            ("6-10", "11-14"),
            ("vacances",),
            "summer",
            120,
            (("encadrants", 60), ("actions", 35), ("communication", 5)),
            qpvs=QPVS,
        ),
        DemoSheet(
            "cafe_parents",
            "Café des parents du collège Laplace",
            "Café des parents du Mont-Mesly",
            "Chaque mardi matin, un café des parents dans une salle du collège : rencontrer les équipes, "
            "comprendre l'orientation, échanger entre parents sur l'adolescence.",
            ("parents_ecole", "parentalite"),
            ("parentalite", "climat-scolaire"),
            ("parents", "11-14"),
            ("scolaire", "familial"),
            "school_year",
            60,
            (STAFF, ACTIVITIES),
            schools=(LAPLACE,),
        ),
        DemoSheet(
            "cafes_parents",
            "Cafés des parents du collège Laplace et de l'école Albert Camus",
            "Café des parents du Mont-Mesly",
            "Le café des parents du collège s'étend à l'école Albert Camus le jeudi : les parents suivent leurs "
            "enfants de l'élémentaire au collège, avec les mêmes animatrices.",
            ("parents_ecole", "parentalite"),
            ("parentalite", "climat-scolaire"),
            ("parents", "6-10", "11-14"),
            ("scolaire", "familial"),
            "school_year",
            90,
            (STAFF, ACTIVITIES),
            schools=(LAPLACE, CAMUS_ELEM),
        ),
        DemoSheet(
            "devoirs",
            "Accompagnement à la scolarité au centre social Kennedy",
            "Centre social Kennedy",
            "Quatre soirs par semaine, aide aux devoirs et ateliers pour apprendre à apprendre, en lien avec "
            "les enseignants des écoles et du collège.",
            ("devoirs",),
            ("accompagnement-scolaire",),
            ("6-10", "11-14"),
            ("periscolaire",),
            "school_year",
            80,
            (("encadrants", 75), ("actions", 25)),
            address="Centre social Kennedy, boulevard John Fitzgerald Kennedy, 94000 Créteil",
        ),
        DemoSheet(
            "asl",
            "Ateliers de français pour les parents (ASL)",
            "Centre social Kennedy",
            "Ateliers sociolinguistiques tournés vers l'école : lire un carnet de liaison, rencontrer un "
            "enseignant, comprendre le fonctionnement du collège.",
            ("parents_ecole",),
            ("parentalite", "langage-lecture"),
            ("parents",),
            ("scolaire",),
            "school_year",
            40,
            (STAFF, ACTIVITIES),
            schools=(LAPLACE, CAMUS_ELEM),
        ),
        DemoSheet(
            "clubs_lecture",
            "Clubs coup de pouce lecture-écriture en CP",
            "Coup de pouce lecture Créteil",
            "Des clubs de cinq élèves de CP, quatre soirs par semaine, pour lire et écrire avec plaisir ; les "
            "parents sont invités à chaque fin de période.",
            ("lire",),
            ("langage-lecture", "parentalite"),
            ("6-10", "parents"),
            ("periscolaire",),
            "school_year",
            60,
            (("encadrants", 80), ("actions", 20)),
            schools=(CAMUS_ELEM, SAVIGNAT_ELEM, LEO_ORVILLE),
        ),
        DemoSheet(
            "echecs",
            "Les échecs à l'école",
            "Échecs et Mat Créteil",
            "Une heure d'échecs par semaine dans les classes de CE2 au CM2 : concentration, raisonnement, "
            "respect de l'adversaire, et un tournoi inter-écoles en juin.",
            ("logique",),
            ("accompagnement-scolaire", "citoyennete"),
            ("6-10",),
            ("scolaire", "periscolaire"),
            "school_year",
            180,
            (("encadrants", 70), ("equipements", 20), ("actions", 10)),
            schools=(CAMUS_ELEM, CASALIS_ELEM, BEUVIN_A),
        ),
        DemoSheet(
            "microfolie",
            "Micro-Folie : médiation culturelle pour les classes",
            "Micro-Folie de Créteil",
            "Des visites du musée numérique préparées avec les enseignants, et des ateliers en famille le "
            "samedi ; chaque classe de la cité y vient au moins une fois dans l'année.",
            ("culture",),
            ("culture", "numerique"),
            ("6-10", "11-14", "15-17"),
            ("scolaire", "extrascolaire"),
            "spring_to_winter",
            2000,
            (STAFF, ACTIVITIES),
            qpvs=("QN09405M",),
        ),
        DemoSheet(
            "fablab",
            "Fablab des Bleuets : fabriquer pour apprendre",
            "Le Lab des Bleuets",
            "Le fablab ouvre aux collégiens le mercredi et pendant les vacances : découpe laser, impression 3D, "
            "programmation, et des projets menés avec les professeurs de technologie.",
            ("sciences", "metiers"),
            ("numerique", "orientation-insertion"),
            ("11-14", "15-17"),
            ("extrascolaire", "vacances"),
            "spring_to_winter",
            120,
            (STAFF, ACTIVITIES),
            qpvs=("QN09406I",),
        ),
        DemoSheet(
            "codeuses",
            "Les codeuses des Bleuets : filles et numérique",
            "Le Lab des Bleuets",
            "Un club de programmation réservé aux collégiennes, avec des ingénieures marraines, pour que les "
            "filles s'autorisent les filières du numérique.",
            ("sciences", "metiers"),
            ("numerique", "egalite-filles-garcons"),
            ("11-14", "15-17"),
            ("extrascolaire",),
            "school_year",
            30,
            (STAFF, ACTIVITIES),
            schools=(SCHWEITZER,),
        ),
        DemoSheet(
            "theatre",
            "Parcours du spectateur au collège",
            "Maison des Arts de Créteil",
            "Trois spectacles dans l'année à la Maison des Arts pour chaque classe de 4e, préparés en classe "
            "avec les artistes, et un atelier de pratique théâtrale.",
            ("culture", "mobilite"),
            ("culture",),
            ("11-14",),
            ("scolaire",),
            "school_year",
            250,
            (STAFF, ACTIVITIES),
            schools=(LAPLACE, SCHWEITZER),
        ),
        DemoSheet(
            "mentorat",
            "Mentorat étudiant des collégiens",
            "Mentorat étudiant Val-de-Marne",
            "Des étudiants de l'université Paris-Est Créteil accompagnent chacun un collégien deux heures par "
            "semaine : méthode, confiance, découverte de l'université.",
            ("decrochage", "metiers"),
            ("accompagnement-scolaire", "orientation-insertion"),
            ("11-14",),
            ("extrascolaire",),
            "school_year",
            40,
            (STAFF, ACTIVITIES),
            schools=(LAPLACE, SCHWEITZER),
        ),
        DemoSheet(
            "sport",
            "Sport au pied des tours et football féminin",
            "Union sportive de Créteil — sections jeunes",
            "Des séances de sport gratuites en bas des immeubles le mercredi et pendant les vacances, et une "
            "section de football féminin ouverte aux collégiennes.",
            ("sport_sante",),
            ("sport", "egalite-filles-garcons"),
            ("6-10", "11-14", "15-17"),
            ("extrascolaire", "vacances"),
            "spring_to_winter",
            150,
            (STAFF, ACTIVITIES),
            qpvs=QPVS,
        ),
        DemoSheet(
            "metiers",
            "Stages de 3e et découverte des métiers",
            "Ville de Créteil — Direction de la jeunesse",
            "Un réseau d'entreprises et de services publics qui accueille les élèves de 3e en stage, des "
            "visites d'entreprises et un forum des métiers au collège.",
            ("metiers",),
            ("orientation-insertion",),
            ("11-14", "15-17"),
            ("scolaire", "vacances"),
            "school_year",
            200,
            (STAFF, ACTIVITIES),
            schools=(LAPLACE, SCHWEITZER),
        ),
        DemoSheet(
            "sante",
            "Sommeil, écrans, alimentation : ateliers santé des familles",
            "Département du Val-de-Marne — Espace départemental des solidarités",
            "Des ateliers animés par une infirmière puéricultrice dans les écoles maternelles, avec les parents, "
            "sur le sommeil, les écrans et l'alimentation des tout-petits.",
            ("sport_sante", "parentalite"),
            ("sante-bien-etre", "parentalite"),
            ("3-5", "parents"),
            ("scolaire", "familial"),
            "spring_to_winter",
            200,
            (STAFF, ACTIVITIES),
            schools=(JEU_DE_PAUME_MAT, CASALIS_MAT, BEUVIN_MAT),
        ),
        DemoSheet(
            "chantiers",
            "Chantiers éducatifs jeunes au Mont-Mesly",
            "Créteil Habitat",
            "Des chantiers rémunérés d'une semaine pour les 16-20 ans (peinture des halls, jardins partagés), "
            "encadrés par des éducateurs, avec un bilan d'orientation à la clé.",
            ("metiers",),
            ("orientation-insertion", "citoyennete"),
            ("15-17", "18-25"),
            ("vacances",),
            "summer",
            24,
            (("encadrants", 60), ("actions", 40)),
            qpvs=("QN09405M",),
        ),
        DemoSheet(
            "petite_enfance",
            "Lieu d'accueil enfants-parents itinérant",
            "Relais petite enfance des Bleuets",
            "Deux matinées par semaine, un lieu d'accueil enfants-parents s'installe au pied des immeubles des "
            "Bleuets : jouer, parler, préparer l'entrée à l'école maternelle.",
            ("parentalite", "lire"),
            ("petite-enfance", "parentalite"),
            ("0-2", "3-5", "parents"),
            ("familial",),
            "spring_to_winter",
            90,
            (STAFF, ACTIVITIES),
            qpvs=("QN09406I",),
        ),
        # Sheets the committee did not retain.
        DemoSheet(
            "stage_foot",
            "Stage de football de Pâques des licenciés",
            "Union sportive de Créteil — sections jeunes",
            "Un stage de cinq jours pendant les vacances de printemps pour les licenciés du club.",
            ("sport_sante",),
            ("sport",),
            ("11-14",),
            ("vacances",),
            "spring_to_winter",
            40,
            (STAFF, ACTIVITIES),
        ),
        DemoSheet(
            "webradio",
            "Web radio des jeunes du quartier",
            "Centre social Kennedy",
            "Une émission mensuelle enregistrée par les jeunes du centre social et diffusée en ligne.",
            ("culture",),
            ("culture", "citoyennete"),
            ("15-17",),
            ("extrascolaire",),
            "spring_to_winter",
            15,
            (("equipements", 50), ("actions", 50)),
        ),
        DemoSheet(
            "plateforme",
            "Abonnement à une plateforme de soutien scolaire en ligne",
            "Connexions solidaires",
            "Des licences d'une plateforme commerciale d'exercices en ligne pour les collégiens.",
            ("devoirs",),
            ("accompagnement-scolaire", "numerique"),
            ("11-14",),
            ("familial",),
            "school_year",
            300,
            (("actions", 100),),
        ),
        DemoSheet(
            "fresque",
            "Fresque murale participative des Coteaux du Sud",
            "Créteil Habitat",
            "Une fresque peinte avec les habitants sur le pignon d'un immeuble des Coteaux du Sud.",
            ("culture",),
            ("culture", "citoyennete"),
            ("11-14", "15-17", "parents"),
            ("vacances",),
            "summer",
            50,
            (("actions", 100),),
            qpvs=("QN09405M",),
        ),
        DemoSheet(
            "escape",
            "Escape game citoyen",
            "Compagnie du Théâtre des Bleuets",
            "Un jeu d'évasion sur les institutions de la République, joué par les classes de 4e.",
            ("culture",),
            ("citoyennete",),
            ("11-14",),
            ("scolaire",),
            "school_year",
            200,
            (STAFF, ACTIVITIES),
            schools=(SCHWEITZER,),
        ),
    ]
}


# --- Each year's sheets and where they ended up ---------------------------------------------------------------

STAGES = {
    # stage: follow-up transitions after the legal act is signed (the action is then `agreed`)
    "agreed": (),
    "running": ("start",),
    "done": ("start", "finish"),
    "closed": ("start", "finish"),
    "postponed_closed": ("postpone", "start", "finish"),
    "not_done": ("start", "abandon"),
    "not_done_closed": ("start", "abandon"),
}
"""Stages reached after selection; the `…closed` ones are closed by their holder's report (demo/evaluation.py).
The others: `draft`, `submitted`, `under_review` (the open call); `ineligible` and `rejected` (not retained);
`selected` (granted, legal act not signed yet)."""

PAYMENTS = {
    "full": ((50, "advance"), (50, "balance")),
    "advance": ((50, "advance"),),
    "advance_instalment": ((50, "advance"), (30, "instalment")),
    "none": (),
}
"""Payment plans: (share of what was granted in %, kind). The advance follows the signature by a month, the
instalment comes in September, the balance in March of the next year (once the action's report is in)."""


@dataclass(frozen=True)
class DemoEdition:
    """One year of an action: what it asked, what it got, how far it went."""

    sheet: str  # key of SHEETS
    year: int
    funding: dict[str, int]  # requested per source (the budget has the same total)
    stage: str
    quality: int = 4  # 1 to 5: drives the committee's scores
    granted: dict[str, int] = field(default_factory=dict)  # when the grant differs from the request
    refused: dict[str, str] = field(default_factory=dict)  # source → reason of the refusal
    payments: str = ""  # key of PAYMENTS; by default full for closed years, per stage for 2024
    note: str = ""  # why it is not eligible, or why it was abandoned / postponed
    title: str = ""  # when this year's sheet is named differently
    budget: tuple[tuple[str, int], ...] = ()  # when this year's spending differs (equipment bought once)
    scorers: int = 2  # committee members who scored it (the open call's sheets are being scored)


def edition(sheet, year, stage, quality=4, **funding_and_options):
    """A DemoEdition with the requested amounts as keyword arguments (p147=…, commune=…)."""
    options = {
        name: funding_and_options.pop(name)
        for name in list(funding_and_options)
        if name not in ("p147", "p230", "city_fund", "commune", "epci", "caf", "departement", "region", "private")
    }
    return DemoEdition(sheet, year, dict(funding_and_options), stage, quality, **options)


EQUIPMENT_FIRST = (("equipements", 70), ("encadrants", 20), ("communication", 10))

EDITIONS = [
    # 2020: the first call, answered during the first lockdown.
    edition("coordination", 2020, "closed", 5, p147=60_000),
    edition("tablettes", 2020, "closed", 5, p147=45_000, commune=8_000, city_fund=5_000),
    edition("vacances", 2020, "closed", 5, p147=40_000, commune=10_000, city_fund=10_000),
    edition("cafe_parents", 2020, "closed", 4, p147=10_000, commune=2_000),
    edition("devoirs", 2020, "closed", 4, p147=18_000, commune=4_000),
    edition(
        "asl",
        2020,
        "postponed_closed",
        4,
        p147=12_000,
        note="Ateliers suspendus pendant le confinement, repris à la rentrée de septembre.",
    ),
    edition(
        "theatre",
        2020,
        "not_done_closed",
        4,
        p147=15_000,
        city_fund=5_000,
        payments="advance",
        note="Salles de spectacle fermées : la saison est annulée.",
    ),
    edition(
        "stage_foot",
        2020,
        "ineligible",
        p147=6_000,
        note="Réservé aux licenciés du club : l'action ne s'adresse pas à tous les enfants du quartier.",
    ),
    # 2021: reading, families, a micro-folie.
    edition("coordination", 2021, "closed", 5, p147=60_000),
    edition(
        "microfolie",
        2021,
        "closed",
        5,
        p147=65_000,
        commune=15_000,
        granted={"p147": 60_000},
        title="Micro-Folie : un musée numérique au Mont-Mesly",
        budget=EQUIPMENT_FIRST,
    ),
    edition("vacances", 2021, "closed", 5, p147=40_000, commune=10_000, city_fund=10_000),
    edition("cafe_parents", 2021, "closed", 4, p147=10_000, commune=2_000, caf=3_000, city_fund=2_000),
    edition("devoirs", 2021, "closed", 4, p147=18_000, caf=6_000),
    edition("clubs_lecture", 2021, "closed", 5, p147=20_000, commune=6_000, city_fund=5_000),
    edition("numerique_parents", 2021, "closed", 3, p147=12_000, caf=3_000, city_fund=3_000),
    edition("webradio", 2021, "rejected", 2, p147=7_000),
    # 2022: the fablab, sport for girls, mentoring.
    edition("coordination", 2022, "closed", 5, p147=60_000),
    edition(
        "fablab",
        2022,
        "closed",
        5,
        p147=50_000,
        commune=10_000,
        granted={"p147": 45_000},
        title="Fablab des Bleuets : équipement et ouverture",
        budget=EQUIPMENT_FIRST,
    ),
    edition("microfolie", 2022, "closed", 4, p147=20_000, city_fund=6_000),
    edition("vacances", 2022, "closed", 5, p147=40_000, commune=10_000, city_fund=10_000),
    edition("cafe_parents", 2022, "closed", 4, p147=10_000, caf=3_000, city_fund=2_000),
    edition("mentorat", 2022, "closed", 4, p147=15_000),
    edition("sport", 2022, "closed", 3, p147=15_000, commune=5_000, city_fund=4_000),
    edition(
        "plateforme",
        2022,
        "ineligible",
        p147=15_000,
        note="Abonnement à une plateforme commerciale : cela ne relève pas de l'appel à projets.",
    ),
    # 2023: orientation and health; the year's reports are partly in.
    edition("coordination", 2023, "closed", 5, p147=60_000),
    edition("fablab", 2023, "closed", 4, p147=20_000, city_fund=6_000),
    edition("microfolie", 2023, "closed", 4, p147=20_000),
    edition("vacances", 2023, "done", 5, p147=40_000, commune=10_000, city_fund=10_000),
    edition("cafe_parents", 2023, "closed", 4, p147=10_000, caf=3_000, city_fund=2_000),
    edition("devoirs", 2023, "done", 4, p147=18_000, caf=6_000),
    edition("asl", 2023, "done", 4, p147=12_000),
    edition(
        "metiers",
        2023,
        "done",
        4,
        p147=10_000,
        commune=4_000,
        city_fund=4_000,
        refused={"commune": "La ville finance déjà les stages de 3e par le point information jeunesse."},
    ),
    edition(
        "sante",
        2023,
        "not_done",
        3,
        p147=8_000,
        payments="advance",
        note="Départ de l'infirmière puéricultrice non remplacée : ateliers reportés à 2025.",
    ),
    edition("fresque", 2023, "rejected", 2, p147=9_000),
    # 2024: the current year, partly paid.
    edition("coordination", 2024, "running", 5, p147=60_000),
    edition("vacances", 2024, "done", 5, p147=40_000, commune=10_000, city_fund=10_000, payments="advance_instalment"),
    edition("cafes_parents", 2024, "running", 5, p147=12_000, caf=3_000, commune=2_000, city_fund=2_000),
    edition("fablab", 2024, "running", 4, p147=20_000),
    edition("codeuses", 2024, "agreed", 4, p147=12_000, city_fund=3_000, payments="none"),
    edition("microfolie", 2024, "running", 4, p147=20_000),
    edition("echecs", 2024, "running", 4, p147=8_000, city_fund=3_000),
    edition("chantiers", 2024, "done", 4, p147=10_000, commune=4_000, payments="full"),
    edition("petite_enfance", 2024, "selected", 4, p147=10_000, caf=8_000),
    edition("escape", 2024, "rejected", 2, p147=8_000),
    # The call open today: sheets at every early stage, so that each page has something to show.
    edition("cafes_parents", CURRENT_CALL_YEAR, "draft", p147=10_000, caf=3_000, commune=2_000),
    edition("codeuses", CURRENT_CALL_YEAR, "draft", p147=10_000),
    edition("vacances", CURRENT_CALL_YEAR, "submitted", p147=40_000, commune=10_000, city_fund=10_000),
    edition("fablab", CURRENT_CALL_YEAR, "submitted", p147=16_000, city_fund=4_000),
    edition("echecs", CURRENT_CALL_YEAR, "under_review", 4, p147=7_000, city_fund=3_000, scorers=1),
    edition("sante", CURRENT_CALL_YEAR, "under_review", 4, p147=6_000, scorers=0),
]

HOLDER_JOB = "Porteur de projet"
"""The job title given to a holder's account when its contact has none."""
