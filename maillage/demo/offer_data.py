"""Créteil's public offer in the demo: about thirty activities for ages 0 to 25 and for parents, at Mont-Mesly
and at the Bleuets, each with its weekly sessions. Places are the schools of the cité or addresses with their
coordinates; contacts are the organisations' public ones (fictitious `.test` addresses)."""

from dataclasses import dataclass

MONT_MESLY = "QN09405M"
BLEUETS = "QN09406I"

# Weekdays (offer.models.Weekday): 0 Monday … 6 Sunday.
MON, TUE, WED, THU, FRI, SAT = range(6)

# Places that are not schools: (name, address, latitude, longitude, QPV).
PLACES = {
    "kennedy": ("Centre social Kennedy", "36 boulevard John Fitzgerald Kennedy, Créteil", 48.7772, 2.4628, MONT_MESLY),
    "abbaye": ("Médiathèque de l'Abbaye — Nelson Mandela", "3 place de l'Abbaye, Créteil", 48.7925, 2.4551, None),
    "gymnase": ("Gymnase Casalis", "Rue Henri Doucet, Créteil", 48.7786, 2.4724, MONT_MESLY),
    "lab": ("Le Lab des Bleuets", "Place des Bouleaux, Créteil", 48.8016, 2.4560, BLEUETS),
    "bleuets": ("Maison de quartier des Bleuets", "Rue Henri Koch, Créteil", 48.8027, 2.4545, BLEUETS),
    "stade": ("Stade Dominique Duvauchelle (annexe)", "Rue Dominique Duvauchelle, Créteil", 48.7747, 2.4575, None),
    "mission": ("Mission locale Plaine centrale", "1 rue Pasteur Vallery-Radot, Créteil", 48.7897, 2.4566, None),
    "relais": ("Relais petite enfance des Bleuets", "Place des Bouleaux, Créteil", 48.8019, 2.4552, BLEUETS),
    "maison_arts": ("Maison des Arts de Créteil", "Place Salvador Allende, Créteil", 48.7775, 2.4535, None),
    "habette": ("Local associatif de la Habette", "Rue du Docteur Ramon, Créteil", 48.7735, 2.4668, MONT_MESLY),
}


@dataclass(frozen=True)
class DemoActivity:
    organisation: str
    title: str
    summary: str
    description: str
    age_bands: tuple[str, ...]
    ages: tuple[int | None, int | None]
    themes: tuple[str, ...]
    times_of_day: tuple[str, ...]
    place: str  # a key of PLACES, or a school's UAI
    slots: tuple[tuple[int, str, str], ...]
    how_to_join: str
    period: str = "school_weeks"
    price: str = ""  # empty: free
    registration_url: str = ""
    accessibility: str = "Lieu accessible en fauteuil roulant."


def activity(organisation, title, summary, description, bands, ages, themes, times, place, slots, join, **options):
    return DemoActivity(
        organisation, title, summary, description, bands, ages, themes, times, place, slots, join, **options
    )


SIGN_UP_AT_DESK = "Inscription sur place aux heures d'ouverture, avec l'enfant et un justificatif de domicile."
FREE_ENTRY = "Entrée libre et gratuite, sans inscription : venez directement."

ACTIVITIES = [
    activity(
        "Échecs et Mat Créteil",
        "Club d'échecs du mercredi",
        "Apprendre les échecs en s'amusant, du premier coup au premier tournoi.",
        "Chaque mercredi après-midi, un animateur diplômé de la fédération initie les enfants aux échecs : "
        "déplacements des pièces, petites stratégies, parties amicales et, pour ceux qui le veulent, tournois "
        "interclubs. Les plateaux et les horloges sont fournis.",
        ("6-10", "11-14"),
        (7, 14),
        ("culture", "accompagnement-scolaire"),
        ("extrascolaire",),
        "kennedy",
        ((WED, "14:00", "16:00"),),
        SIGN_UP_AT_DESK,
        period="all_year",
    ),
    activity(
        "Échecs et Mat Créteil",
        "Échecs à l'école Savignat",
        "Une heure d'échecs après la classe, dans l'école.",
        "Pendant la pause méridienne et après la classe, les élèves de l'école Savignat jouent aux échecs avec un "
        "animateur : concentration, calcul, respect de l'adversaire.",
        ("6-10",),
        (6, 10),
        ("culture", "climat-scolaire"),
        ("periscolaire",),
        "0941380P",
        ((TUE, "16:30", "17:30"), (THU, "16:30", "17:30")),
        "Inscription auprès de l'équipe d'animation de l'école, au début de chaque trimestre.",
    ),
    activity(
        "Coup de pouce lecture Créteil",
        "Club Coup de pouce lecture",
        "Quatre soirs par semaine, un club pour que chaque enfant de CP réussisse à lire.",
        "En petits groupes de cinq, les élèves de CP lisent, écrivent et jouent avec les mots, avec un animateur "
        "formé. Les parents sont invités à la cérémonie d'ouverture et à des rencontres au fil de l'année.",
        ("6-10",),
        (6, 7),
        ("langage-lecture", "accompagnement-scolaire"),
        ("periscolaire",),
        "0941318X",
        ((MON, "16:30", "18:00"), (TUE, "16:30", "18:00"), (THU, "16:30", "18:00"), (FRI, "16:30", "18:00")),
        "Les enseignants de CP proposent le club aux familles en octobre ; vous pouvez aussi le demander.",
    ),
    activity(
        "Centre social Kennedy",
        "Accompagnement à la scolarité",
        "Aide aux devoirs et activités pour apprendre autrement, du CP à la 3e.",
        "Des bénévoles et un animateur accueillent les élèves après l'école : devoirs, lecture, jeux de logique et "
        "sorties culturelles. Un temps d'échange avec les parents a lieu chaque trimestre.",
        ("6-10", "11-14"),
        (6, 15),
        ("accompagnement-scolaire",),
        ("periscolaire",),
        "kennedy",
        ((MON, "16:45", "18:15"), (TUE, "16:45", "18:15"), (THU, "16:45", "18:15")),
        SIGN_UP_AT_DESK,
        price="Adhésion au centre social : 10 € par an et par famille",
    ),
    activity(
        "Centre social Kennedy",
        "Mercredis découverte",
        "Sciences, arts plastiques et jeux coopératifs le mercredi matin.",
        "Un programme différent chaque mois : petites expériences scientifiques, peinture, jardinage au pied des "
        "immeubles et grands jeux coopératifs.",
        ("6-10",),
        (6, 11),
        ("culture", "citoyennete"),
        ("extrascolaire",),
        "kennedy",
        ((WED, "09:30", "11:30"),),
        SIGN_UP_AT_DESK,
        price="Adhésion au centre social : 10 € par an et par famille",
    ),
    activity(
        "Les Petits Débrouillards — antenne de Créteil",
        "Club sciences des Petits Débrouillards",
        "Expériences, défis et fabrications pour comprendre le monde.",
        "Chaque mercredi, les enfants mènent des expériences (eau, air, électricité, robotique simple) et "
        "présentent leurs découvertes aux familles en fin de trimestre.",
        ("6-10", "11-14"),
        (8, 12),
        ("numerique", "culture"),
        ("extrascolaire",),
        "lab",
        ((WED, "14:30", "16:30"),),
        "Inscription par e-mail ou sur place le mercredi.",
        registration_url="https://lespetitsdebrouillards.test/creteil/inscription",
    ),
    activity(
        "Les Petits Débrouillards — antenne de Créteil",
        "Sciences en bas de chez toi",
        "Des ateliers scientifiques en plein air pendant les vacances d'été.",
        "Pendant les vacances, l'équipe installe un laboratoire mobile au pied des immeubles : fusées à eau, "
        "microscopes, énergie solaire. Ouvert à tous, sans inscription.",
        ("6-10", "11-14"),
        (6, 14),
        ("numerique", "culture"),
        ("vacances",),
        "habette",
        ((TUE, "14:00", "17:00"), (THU, "14:00", "17:00")),
        FREE_ENTRY,
        period="holidays",
    ),
    activity(
        "Médiathèque de l'Abbaye — Nelson Mandela",
        "Bébés lecteurs",
        "Comptines, albums et jeux de doigts pour les tout-petits et leurs parents.",
        "Un samedi sur deux, les bibliothécaires lisent des albums aux tout-petits, accompagnés d'un parent. "
        "Les familles peuvent ensuite emprunter les livres.",
        ("0-2", "parents"),
        (0, 3),
        ("petite-enfance", "langage-lecture", "parentalite"),
        ("familial",),
        "abbaye",
        ((SAT, "10:30", "11:15"),),
        FREE_ENTRY,
        period="all_year",
    ),
    activity(
        "Médiathèque de l'Abbaye — Nelson Mandela",
        "L'heure du conte",
        "Des histoires lues et racontées pour les enfants de 4 à 10 ans.",
        "Chaque mercredi, un bibliothécaire ou un conteur invité raconte des histoires du monde entier.",
        ("3-5", "6-10"),
        (4, 10),
        ("langage-lecture", "culture"),
        ("extrascolaire",),
        "abbaye",
        ((WED, "15:00", "16:00"),),
        FREE_ENTRY,
        period="all_year",
    ),
    activity(
        "Médiathèque de l'Abbaye — Nelson Mandela",
        "Atelier numérique ados",
        "Créer un jeu vidéo, un podcast ou un montage vidéo avec les outils de la médiathèque.",
        "Le samedi après-midi, les adolescents apprennent à créer avec le numérique et à s'en servir de façon "
        "critique : sources, images, réseaux sociaux.",
        ("11-14", "15-17"),
        (11, 17),
        ("numerique", "citoyennete"),
        ("extrascolaire",),
        "abbaye",
        ((SAT, "14:00", "16:30"),),
        "Inscription à l'accueil de la médiathèque, carte de lecteur gratuite.",
        period="all_year",
    ),
    activity(
        "Micro-Folie de Créteil",
        "Visites du musée numérique",
        "Les chefs-d'œuvre des grands musées nationaux sur grand écran, commentés.",
        "La Micro-Folie propose des visites commentées du musée numérique et un espace de réalité virtuelle, pour "
        "les familles le mercredi et le samedi.",
        ("6-10", "11-14", "parents"),
        (6, 17),
        ("culture", "numerique"),
        ("extrascolaire", "familial"),
        "maison_arts",
        ((WED, "14:00", "17:00"), (SAT, "14:00", "17:00")),
        FREE_ENTRY,
        period="all_year",
    ),
    activity(
        "Café des parents du Mont-Mesly",
        "Café des parents au collège Laplace",
        "Un moment convivial pour échanger entre parents et avec l'équipe du collège.",
        "Chaque mardi matin, les parents sont accueillis autour d'un café : fonctionnement du collège, orientation, "
        "usage des écrans, avec des intervenants invités.",
        ("parents",),
        (None, None),
        ("parentalite", "climat-scolaire"),
        ("familial",),
        "0940003T",
        ((TUE, "08:30", "10:00"),),
        FREE_ENTRY,
    ),
    activity(
        "Café des parents du Mont-Mesly",
        "Café des parents à l'école Albert Camus",
        "Les parents de maternelle et d'élémentaire se retrouvent après avoir déposé leurs enfants.",
        "Un temps d'échange animé par une médiatrice, en français et en arabe si besoin, sur le quotidien des "
        "familles et la scolarité des enfants.",
        ("parents",),
        (None, None),
        ("parentalite",),
        ("familial",),
        "0940535W",
        ((FRI, "08:45", "10:00"),),
        FREE_ENTRY,
    ),
    activity(
        "Relais petite enfance des Bleuets",
        "Jeux et éveil des tout-petits",
        "Un espace de jeu pour les enfants de moins de 3 ans avec leur parent ou leur assistante maternelle.",
        "Motricité, jeux sensoriels, comptines : un lieu d'accueil pour jouer et rencontrer d'autres familles.",
        ("0-2", "parents"),
        (0, 3),
        ("petite-enfance", "parentalite"),
        ("familial",),
        "relais",
        ((MON, "09:30", "11:30"), (THU, "09:30", "11:30")),
        FREE_ENTRY,
        period="all_year",
    ),
    activity(
        "Relais petite enfance des Bleuets",
        "Passerelle vers la maternelle",
        "Préparer en douceur la première rentrée à l'école maternelle.",
        "Au printemps, les enfants qui entreront en petite section découvrent l'école Jeanine Le Cléac'h avec leurs "
        "parents : visite de la classe, temps de jeu, rencontre avec l'enseignante.",
        ("0-2", "3-5", "parents"),
        (2, 3),
        ("petite-enfance", "parentalite"),
        ("familial",),
        "0941840P",
        ((WED, "09:30", "11:00"),),
        "Inscription auprès du relais petite enfance.",
    ),
    activity(
        "Union sportive de Créteil — sections jeunes",
        "Football pour tous",
        "Entraînements de football pour les filles et les garçons de 6 à 13 ans.",
        "Les éducateurs diplômés du club encadrent les entraînements et les plateaux du samedi. Une section filles "
        "est ouverte depuis 2022.",
        ("6-10", "11-14"),
        (6, 13),
        ("sport", "egalite-filles-garcons"),
        ("extrascolaire",),
        "stade",
        ((WED, "14:00", "15:30"), (SAT, "10:00", "11:30")),
        "Inscription au club-house du stade avec un certificat médical.",
        period="all_year",
        price="Licence : 60 € par an (aide de la ville possible avec le Pass'Sport)",
    ),
    activity(
        "Union sportive de Créteil — sections jeunes",
        "Basket au gymnase Casalis",
        "Basket pour les 11-17 ans, le mercredi et le vendredi soir.",
        "Entraînements, matchs amicaux et tournois de quartier, avec un éducateur sportif.",
        ("11-14", "15-17"),
        (11, 17),
        ("sport",),
        ("extrascolaire",),
        "gymnase",
        ((WED, "17:00", "18:30"), (FRI, "18:00", "19:30")),
        "Inscription au gymnase le premier soir, avec un certificat médical.",
        price="Licence : 45 € par an",
    ),
    activity(
        "Union sportive de Créteil — sections jeunes",
        "Stage multisport des vacances",
        "Une semaine de sports variés pendant les vacances scolaires.",
        "Athlétisme, sports de raquette, sports collectifs et grands jeux, du lundi au vendredi matin.",
        ("6-10", "11-14"),
        (7, 14),
        ("sport", "sante-bien-etre"),
        ("vacances",),
        "stade",
        ((MON, "09:30", "12:00"), (TUE, "09:30", "12:00"), (WED, "09:30", "12:00"), (THU, "09:30", "12:00")),
        "Inscription au service des sports de la ville.",
        period="holidays",
        price="20 € la semaine (tarif selon le quotient familial)",
    ),
    activity(
        "Conservatoire Marcel Dadi",
        "Orchestre à l'école",
        "Les élèves de CM1 et CM2 apprennent un instrument et jouent en orchestre.",
        "Les professeurs du conservatoire viennent à l'école deux fois par semaine ; les instruments sont prêtés "
        "aux élèves pour deux ans.",
        ("6-10",),
        (9, 11),
        ("culture",),
        ("scolaire",),
        "0940527M",
        ((MON, "14:00", "15:30"), (THU, "14:00", "15:30")),
        "Proposé aux classes de CM1 de l'école Paul Casalis : renseignez-vous auprès de l'enseignant.",
    ),
    activity(
        "Maison des Arts de Créteil",
        "Théâtre ados",
        "Un atelier de théâtre pour oser prendre la parole et créer un spectacle.",
        "Improvisation, écriture et mise en scène, avec une représentation sur la scène de la Maison des Arts en "
        "fin d'année.",
        ("11-14", "15-17"),
        (12, 17),
        ("culture", "citoyennete"),
        ("extrascolaire",),
        "maison_arts",
        ((WED, "16:00", "18:00"),),
        "Inscription à l'accueil de la Maison des Arts en septembre.",
        price="Gratuit pour les habitants des quartiers prioritaires, 30 € par an sinon",
    ),
    activity(
        "Compagnie du Théâtre des Bleuets",
        "Contes et marionnettes",
        "Fabriquer sa marionnette et inventer une histoire, le mercredi matin.",
        "Les enfants fabriquent leur marionnette, inventent une histoire à plusieurs et la jouent devant les "
        "familles à la fin du trimestre.",
        ("3-5", "6-10"),
        (5, 9),
        ("culture", "langage-lecture"),
        ("extrascolaire",),
        "bleuets",
        ((WED, "10:00", "11:30"),),
        SIGN_UP_AT_DESK,
    ),
    activity(
        "Le Lab des Bleuets",
        "Fablab jeunes",
        "Imprimante 3D, découpe laser et électronique pour les 12-20 ans.",
        "Les jeunes conçoivent et fabriquent leurs propres objets, accompagnés par un fabmanager ; des projets "
        "collectifs sont menés avec les collèges.",
        ("11-14", "15-17", "18-25"),
        (12, 20),
        ("numerique", "orientation-insertion"),
        ("extrascolaire",),
        "lab",
        ((WED, "16:00", "19:00"), (SAT, "14:00", "18:00")),
        "Passez au Lab pendant les horaires d'ouverture : une première visite suffit pour s'inscrire.",
        period="all_year",
    ),
    activity(
        "Le Lab des Bleuets",
        "Répar'café numérique",
        "Réparer son téléphone ou son ordinateur avec l'aide de bénévoles.",
        "Un samedi par mois, des bénévoles aident à réparer et à entretenir les appareils numériques, et "
        "conseillent pour les démarches en ligne.",
        ("15-17", "18-25", "parents"),
        (15, 25),
        ("numerique", "citoyennete"),
        ("familial",),
        "lab",
        ((SAT, "10:00", "13:00"),),
        FREE_ENTRY,
        period="all_year",
    ),
    activity(
        "Mentorat étudiant Val-de-Marne",
        "Un mentor pour mon orientation",
        "Un étudiant accompagne un collégien ou un lycéen pendant un an.",
        "Une rencontre par semaine avec un étudiant bénévole : méthodes de travail, découverte des métiers, "
        "visites d'universités et d'entreprises.",
        ("11-14", "15-17"),
        (13, 18),
        ("orientation-insertion", "perseverance-decrochage"),
        ("extrascolaire",),
        "0940006W",
        ((WED, "14:00", "15:30"),),
        "Demande auprès du professeur principal ou directement sur le site de l'association.",
        registration_url="https://mentorat-etudiant.test/inscription",
    ),
    activity(
        "Mission locale Plaine centrale",
        "Permanence emploi et formation des 16-25 ans",
        "Un conseiller pour trouver une formation, un emploi, un logement ou un soutien financier.",
        "Sans rendez-vous, les jeunes de 16 à 25 ans sortis de l'école rencontrent un conseiller : projet "
        "professionnel, contrat d'engagement jeune, aides à la mobilité.",
        ("15-17", "18-25"),
        (16, 25),
        ("orientation-insertion", "mobilite"),
        ("extrascolaire",),
        "mission",
        ((TUE, "14:00", "17:00"), (THU, "09:00", "12:00")),
        "Venez avec une pièce d'identité, sans rendez-vous.",
        period="all_year",
    ),
    activity(
        "Mission locale Plaine centrale",
        "Atelier CV et entretien",
        "Préparer son CV et s'entraîner à l'entretien d'embauche.",
        "Un atelier collectif pour rédiger son CV, sa lettre et simuler un entretien avec des professionnels.",
        ("18-25",),
        (18, 25),
        ("orientation-insertion",),
        ("extrascolaire",),
        "bleuets",
        ((MON, "14:00", "16:00"),),
        "Inscription auprès de votre conseiller ou à l'accueil de la mission locale.",
        period="all_year",
    ),
    activity(
        "Prévention spécialisée du Mont-Mesly",
        "Accueil jeunes du Mont-Mesly",
        "Un lieu pour se retrouver, parler avec des éducateurs et monter des projets.",
        "Les éducateurs de prévention accueillent les jeunes, les écoutent et les accompagnent : projets de "
        "sorties, chantiers éducatifs, démarches.",
        ("11-14", "15-17", "18-25"),
        (11, 21),
        ("perseverance-decrochage", "citoyennete"),
        ("extrascolaire",),
        "habette",
        ((TUE, "17:00", "19:30"), (FRI, "17:00", "19:30")),
        FREE_ENTRY,
        period="all_year",
    ),
    activity(
        "Ligue de l'enseignement du Val-de-Marne",
        "Vacances apprenantes",
        "Une semaine de découvertes et de révisions pendant l'été.",
        "Le matin, des ateliers pour consolider français et mathématiques en jouant ; l'après-midi, sorties et "
        "activités culturelles et sportives.",
        ("6-10", "11-14"),
        (6, 14),
        ("accompagnement-scolaire", "culture"),
        ("vacances",),
        "0940535W",
        ((MON, "09:00", "16:00"), (TUE, "09:00", "16:00"), (WED, "09:00", "16:00"), (THU, "09:00", "16:00")),
        "Inscription au service jeunesse de la ville, en mai.",
        period="holidays",
    ),
    activity(
        "Ligue de l'enseignement du Val-de-Marne",
        "Conseil des jeunes citoyens",
        "Débattre, proposer des projets pour le quartier et découvrir les institutions.",
        "Des collégiens se réunissent pour débattre et mener des projets citoyens, avec des visites de la mairie, "
        "du Sénat et de l'Assemblée.",
        ("11-14",),
        (11, 15),
        ("citoyennete", "egalite-filles-garcons"),
        ("extrascolaire",),
        "0940003T",
        ((WED, "13:30", "15:00"),),
        "Candidature auprès du CPE du collège en octobre.",
    ),
    activity(
        "Département du Val-de-Marne — Espace départemental des solidarités",
        "Atelier parents : écrans et sommeil",
        "Des conseils concrets pour les parents d'enfants de 0 à 10 ans.",
        "Une puéricultrice et une psychologue animent un atelier mensuel sur le sommeil, les écrans et les repas.",
        ("parents",),
        (None, None),
        ("parentalite", "sante-bien-etre"),
        ("familial",),
        "bleuets",
        ((THU, "14:00", "15:30"),),
        "Inscription par téléphone auprès de l'espace départemental des solidarités.",
        period="all_year",
    ),
    activity(
        "Connexions solidaires",
        "Premiers pas numériques en famille",
        "Apprendre à utiliser l'ENT de l'école, les démarches en ligne et un ordinateur.",
        "Parents et enfants apprennent ensemble à se servir d'un ordinateur et des services en ligne de l'école ; "
        "un ordinateur reconditionné peut être prêté.",
        ("6-10", "parents"),
        (8, 11),
        ("numerique", "parentalite"),
        ("familial",),
        "0940307Y",
        ((SAT, "09:30", "11:30"),),
        "Inscription auprès de la directrice de l'école ou de l'association.",
    ),
]
