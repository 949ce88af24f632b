"""Créteil's governance for the demo: its bodies, the partners' meeting of 21 January 2020 that started it
all, COPILs, decisions of the troïka and follow-up tasks. Dates are fixed, except the upcoming meeting
and the tasks, which are placed relative to the day the demo is loaded so that some are always ahead and
one is always overdue."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoBody:
    name: str
    kind: str
    description: str


BODIES = [
    DemoBody(
        "Comité de pilotage de la cité éducative",
        "copil",
        "Le préfet, le recteur, le maire et les principaux partenaires : orientations, bilan annuel, budget.",
    ),
    DemoBody(
        "Comité technique",
        "cotech",
        "Les équipes opérationnelles des trois piliers : suivi des actions, préparation des COPIL.",
    ),
    DemoBody(
        "Comité de sélection des projets",
        "selection_committee",
        "Examine et note les fiches action déposées en réponse à l'appel à projets.",
    ),
    DemoBody(
        "Groupe de travail parentalité",
        "working_group",
        "Cafés des parents, accueil des familles à l'école, lien avec les centres sociaux.",
    ),
    DemoBody(
        "Rencontres des partenaires",
        "partners_meeting",
        "Rencontres ouvertes à tous les acteurs de terrain de la cité éducative.",
    ),
]


@dataclass(frozen=True)
class DemoMeeting:
    body: str
    title: str
    starts_at: str  # local time, ISO format; "+N" = N days from the day the demo is loaded, at 14:00
    hours: float
    place: str
    agenda: tuple[str, ...]
    invitees: tuple[str, ...]  # organisation names: their first contact is invited
    attendance: dict[str, str] = field(default_factory=dict)  # organisation name → present/excused/absent
    minutes: str = ""


PARTNERS_MEETING_MINUTES = """
<h2>Ouverture</h2>
<p>Le préfet de région et le recteur de l'académie de Créteil ouvrent la rencontre en rappelant
l'objet de la cité éducative : <strong>fédérer ce qui existe déjà</strong> autour des enfants et des
jeunes de 0 à 25 ans du Mont-Mesly et des Bleuets, avant, pendant, autour et après l'école.</p>
<h2>Tour de table des partenaires</h2>
<ul>
<li>Le centre social Kennedy présente l'accompagnement à la scolarité (80 enfants par semaine).</li>
<li>La médiathèque propose des lectures au pied des immeubles le mercredi.</li>
<li>Le collège Laplace, chef de file, souhaite ouvrir un café des parents dans ses murs.</li>
</ul>
<h2>Suites données</h2>
<ol>
<li>Constituer un annuaire partagé des partenaires (porté par la coordination).</li>
<li>Réunir un groupe de travail « parentalité » avant les vacances de printemps.</li>
<li>Préparer la feuille de route triennale pour le COPIL de mars.</li>
</ol>
<p>Prochaine rencontre des partenaires : à l'automne, au collège Albert Schweitzer.</p>
"""

COPIL_2024_MINUTES = """
<h2>Bilan 2023</h2>
<p>34 actions soutenues, dont 12 portées par des associations du quartier. Le café des parents du collège
Laplace a accueilli 65 familles.</p>
<h2>Fonds de la cité 2024</h2>
<p>Le COPIL approuve la répartition proposée par le collège chef de file : <em>30 000 €</em> répartis entre
les sorties culturelles, le fablab et les stages de vacances apprenantes.</p>
"""

CORE_PARTNERS = (
    "Collège Laplace",
    "Collège Albert Schweitzer",
    "Ville de Créteil — Direction de l'éducation",
    "Préfecture du Val-de-Marne — Délégués du préfet",
    "Direction des services départementaux de l'Éducation nationale du Val-de-Marne",
)

MEETINGS = [
    DemoMeeting(
        "Rencontres des partenaires",
        "Rencontre des partenaires et acteurs de terrain de la cité éducative",
        "2020-01-21T09:30",
        2.5,
        "Collège Laplace, salle polyvalente, 1 rue Laplace, Créteil",
        (
            "Accueil par le préfet de région et le recteur",
            "La cité éducative de Créteil : territoire, ambitions, calendrier",
            "Tour de table : ce que chacun fait déjà",
            "Méthode de travail et prochaines étapes",
        ),
        (
            *CORE_PARTNERS,
            "Centre social Kennedy",
            "Médiathèque de l'Abbaye — Nelson Mandela",
            "Caisse d'allocations familiales du Val-de-Marne",
            "Créteil Habitat",
            "Café des parents du Mont-Mesly",
            "Échecs et Mat Créteil",
            "Prévention spécialisée du Mont-Mesly",
            "Mission locale Plaine centrale",
            "École élémentaire Albert Camus",
        ),
        {
            "Collège Laplace": "present",
            "Collège Albert Schweitzer": "present",
            "Ville de Créteil — Direction de l'éducation": "present",
            "Préfecture du Val-de-Marne — Délégués du préfet": "present",
            "Direction des services départementaux de l'Éducation nationale du Val-de-Marne": "present",
            "Centre social Kennedy": "present",
            "Médiathèque de l'Abbaye — Nelson Mandela": "present",
            "Caisse d'allocations familiales du Val-de-Marne": "excused",
            "Créteil Habitat": "present",
            "Café des parents du Mont-Mesly": "present",
            "Échecs et Mat Créteil": "absent",
            "Prévention spécialisée du Mont-Mesly": "present",
            "Mission locale Plaine centrale": "excused",
            "École élémentaire Albert Camus": "present",
        },
        PARTNERS_MEETING_MINUTES,
    ),
    DemoMeeting(
        "Comité de pilotage de la cité éducative",
        "COPIL de lancement : feuille de route 2020-2022",
        "2020-03-10T10:00",
        2,
        "Hôtel de ville de Créteil, salle du conseil",
        ("Feuille de route triennale", "Gouvernance et calendrier", "Appel à projets 2020"),
        CORE_PARTNERS,
        dict.fromkeys(CORE_PARTNERS, "present"),
    ),
    DemoMeeting(
        "Comité de pilotage de la cité éducative",
        "COPIL annuel 2024",
        "2024-02-06T10:00",
        2,
        "Hôtel de ville de Créteil, salle du conseil",
        ("Bilan 2023", "Fonds de la cité 2024", "Appel à projets 2024"),
        (*CORE_PARTNERS, "Caisse d'allocations familiales du Val-de-Marne"),
        {**dict.fromkeys(CORE_PARTNERS, "present"), "Caisse d'allocations familiales du Val-de-Marne": "excused"},
        COPIL_2024_MINUTES,
    ),
    DemoMeeting(
        "Groupe de travail parentalité",
        "Groupe de travail parentalité : les cafés des parents",
        "2024-03-14T14:00",
        1.5,
        "Centre social Kennedy",
        ("Retour sur les cafés des parents", "Accueil des familles allophones"),
        (
            "Café des parents du Mont-Mesly",
            "Centre social Kennedy",
            "Collège Laplace",
            "Caisse d'allocations familiales du Val-de-Marne",
            "Relais petite enfance des Bleuets",
        ),
    ),
    DemoMeeting(
        "Comité de pilotage de la cité éducative",
        "COPIL de fin d'année",
        "+21",
        2,
        "Hôtel de ville de Créteil, salle du conseil",
        ("Bilan de l'année", "Revue de projet", "Appel à projets de l'an prochain"),
        (*CORE_PARTNERS, "Caisse d'allocations familiales du Val-de-Marne", "Créteil Habitat"),
    ),
]


@dataclass(frozen=True)
class DemoDecision:
    meeting: str
    title: str
    text: str
    organisation: str = ""
    approvals: tuple[str, ...] = ()  # demo accounts (troïka members) who approved, in this order
    rejection: tuple[str, str] = ()  # (account, reason)


DECISIONS = [
    DemoDecision(
        "COPIL de lancement : feuille de route 2020-2022",
        "Adoption de la feuille de route 2020-2022",
        "La troïka adopte la feuille de route triennale de la cité éducative de Créteil et ses trois axes : "
        "réussite scolaire, continuité éducative, ouverture des possibles.",
        approvals=("prefecture@demo.maillage.test", "education@demo.maillage.test", "ville@demo.maillage.test"),
    ),
    DemoDecision(
        "COPIL annuel 2024",
        "Répartition du fonds de la cité 2024",
        "Le fonds de la cité (30 000 €) est réparti entre sorties culturelles, fablab et vacances apprenantes.",
        organisation="Collège Laplace",
        approvals=("education@demo.maillage.test", "prefecture@demo.maillage.test", "ville@demo.maillage.test"),
    ),
    DemoDecision(
        "COPIL annuel 2024",
        "Soutien au café des parents du Mont-Mesly",
        "Le café des parents est étendu à l'école Albert Camus à la rentrée.",
        organisation="Café des parents du Mont-Mesly",
        approvals=("ville@demo.maillage.test", "education@demo.maillage.test"),
    ),
    DemoDecision(
        "Groupe de travail parentalité : les cafés des parents",
        "Horaires élargis du relais petite enfance",
        "Ouvrir le relais petite enfance des Bleuets le samedi matin.",
        organisation="Relais petite enfance des Bleuets",
        rejection=(
            "ville@demo.maillage.test",
            "Le budget de fonctionnement 2024 ne permet pas d'ouvrir le samedi ; à revoir pour 2025.",
        ),
    ),
    DemoDecision(
        "COPIL annuel 2024",
        "Ouverture de l'appel à projets de l'an prochain",
        "L'appel à projets sera publié en janvier, pour une clôture fin mars.",
    ),
]


@dataclass(frozen=True)
class DemoTask:
    meeting: str
    title: str
    owner: str  # demo account
    due_in_days: int  # from the day the demo is loaded; negative = overdue
    status: str = "todo"


TASKS = [
    DemoTask(
        "Rencontre des partenaires et acteurs de terrain de la cité éducative",
        "Constituer l'annuaire partagé des partenaires",
        "coordination@demo.maillage.test",
        -400,
        "done",
    ),
    DemoTask(
        "COPIL annuel 2024",
        "Envoyer le bilan 2023 aux partenaires",
        "coordination@demo.maillage.test",
        -12,
    ),
    DemoTask(
        "COPIL annuel 2024",
        "Préparer la convention du fonds de la cité",
        "fonds-cite@demo.maillage.test",
        10,
        "in_progress",
    ),
    DemoTask(
        "Groupe de travail parentalité : les cafés des parents",
        "Proposer un calendrier des cafés des parents à l'école Albert Camus",
        "porteur@demo.maillage.test",
        20,
    ),
    DemoTask(
        "COPIL annuel 2024",
        "Rédiger le texte de l'appel à projets",
        "coordination@demo.maillage.test",
        30,
    ),
]
