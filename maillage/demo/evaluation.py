"""The demo's evaluation: the holders' reports on Créteil's past actions, two local indicators with their values,
targets, and the 2023 revue de projet validated by the troïka. Built through the same services people use,
after the programme's follow-up and before its history is moved to its dates."""

import datetime
from decimal import Decimal

from maillage.core.models import Event, User
from maillage.demo import builders
from maillage.evaluation.models import ActionReport, AnnualReview, ReportStatus, ReviewStatus
from maillage.evaluation.services import indicators, reports, reviews
from maillage.governance.models import Approval, Attendance, Body, BodyKind, Decision, Meeting
from maillage.governance.services import meetings
from maillage.programme.models import Action, ActionStatus
from maillage.territories.models import Cite, Indicator, School

REPORTED_STAGES = ("closed", "postponed_closed", "not_done_closed")
"""Editions whose report is in: submitting it closes the action (the follow-up stops before `close`)."""
DRAFT_REPORTS = 2
"""Of the 2023 actions done but not closed, the first ones have a report being written; the others none (late)."""

ACHIEVEMENTS = (
    "Les familles et les jeunes sont venus régulièrement ; le bouche-à-oreille a fait venir de nouveaux publics.",
    "Le travail en binôme avec les équipes des écoles a permis de toucher les élèves qui en avaient le plus besoin.",
    "Les séances en petits groupes ont bien fonctionné : les jeunes ont pris la parole et se sont investis.",
    "Le lien avec les partenaires du quartier (centre social, médiathèque) s'est renforcé au fil de l'année.",
)
DIFFICULTIES = (
    "La participation a baissé pendant les périodes d'examens et au mois de juin.",
    "Le recrutement d'un intervenant en cours d'année a retardé deux séances.",
    "Les parents qui ne parlent pas français ont été plus difficiles à mobiliser sans interprète.",
    "La salle prévue n'était pas toujours disponible : certaines séances ont été déplacées.",
)
OUTLOOK = (
    "Reconduire l'action en l'ouvrant aux élèves de l'école voisine.",
    "Prévoir un temps de restitution avec les familles en fin d'année.",
    "Mieux articuler l'action avec les dispositifs du collège (devoirs faits, cordées de la réussite).",
)


def build_evaluation(creteil: Cite, coordinator: User) -> None:
    build_reports(creteil)
    build_indicators(creteil, coordinator)
    build_review(creteil, coordinator)


# --- The holders' reports ----------------------------------------------------------------------------------------


def holder_of(action: Action) -> User:
    contact = action.organisation.contacts.filter(user__isnull=False).select_related("user").order_by("pk").first()
    return contact.user


def report_figures(action: Action, quality: int, done: bool) -> dict:
    """Plausible, deterministic figures: the people reached spread over the action's audiences, most of them
    living in a QPV, the spending close to the budget (a third of it when the action was not done)."""
    expected = action.expected_beneficiaries or 40
    reached = max(6, round(expected * (0.75 + quality * 0.07) * (1 if done else 0.3)))
    bands = list(action.age_bands.order_by("position")) or []
    reach = {}
    for index, band in enumerate(bands):
        people = reached // len(bands) + (1 if index < reached % len(bands) else 0)
        female = people // 2 + (action.pk + index) % 3 - 1
        female = min(max(female, 0), people)
        reach[band.pk] = (female, people - female)
    total = sum(female + male for female, male in reach.values())
    sessions = (10 + action.pk % 25) if done else 4 + action.pk % 5
    share = Decimal("0.94") + Decimal(action.pk % 6) / 100 if done else Decimal("0.35")
    spending = {line.category_id: (line.amount * share).quantize(Decimal("1.00")) for line in action.budget_lines.all()}
    return {
        "reach": reach,
        "qpv_residents": round(total * (0.68 + (action.pk % 5) * 0.04)),
        "sessions": sessions,
        "hours": Decimal(sessions * (2 if action.pk % 2 else 3)),
        "spending": spending,
        "achievements": ACHIEVEMENTS[action.pk % len(ACHIEVEMENTS)],
        "difficulties": DIFFICULTIES[action.pk % len(DIFFICULTIES)],
        "outlook": OUTLOOK[action.pk % len(OUTLOOK)],
    }


def closing_day(action: Action) -> datetime.date:
    """As the programme's history dates the `closed` status: the report comes in two months after the action
    ends, before the deadline (30 June of the next year)."""
    deadline = datetime.date(action.call.year + 1, 6, 30) - datetime.timedelta(days=15)
    return min(action.ends_on + datetime.timedelta(days=60), deadline)


def build_reports(creteil: Cite) -> None:
    drafts = ActionReport.objects.filter(cite=creteil, status=ReportStatus.DRAFT).count()
    for edition, action in builders.edition_actions(creteil):
        if ActionReport.objects.filter(action=action).exists():
            continue
        reported = edition.stage in REPORTED_STAGES
        late_2023 = not reported and edition.year == 2023 and action.status == ActionStatus.DONE
        if not reported and not late_2023:
            continue
        holder = holder_of(action)
        if late_2023:
            if drafts < DRAFT_REPORTS:
                reports.save_report(actor=holder, action=action, **report_figures(action, edition.quality, True))
            drafts += 1
            continue
        figures = report_figures(action, edition.quality, done=edition.stage != "not_done_closed")
        if edition.stage == "not_done_closed":
            figures["difficulties"] = edition.note or figures["difficulties"]
        reports.save_report(actor=holder, action=action, **figures)
        reports.submit_report(actor=holder, action=action)
        moment = builders.on(closing_day(action), 16)
        report = ActionReport.objects.get(action=action)
        ActionReport.objects.filter(pk=report.pk).update(submitted_at=moment, updated_at=moment)
        Event.objects.for_object(report).update(occurred_at=moment)


# --- Local indicators, values and targets ------------------------------------------------------------------------

ABSENTEEISM = "creteil-absenteisme-colleges"
PARENTS = "creteil-familles-cafes-parents"
ABSENTEEISM_VALUES = {  # school year → (Laplace, Schweitzer), in %
    "2020-2021": ("11,8", "9,6"),
    "2021-2022": ("11,2", "9,9"),
    "2022-2023": ("10,4", "9,1"),
    "2023-2024": ("9,7", "8,8"),
}
PARENTS_VALUES = {"2021": "64", "2022": "88", "2023": "117", "2024": "131"}
TARGETS = [
    ("reach_total", "2023", "1100", "Objectif fixé par le COPIL de mars 2023."),
    ("reach_total", "2024", "1200", ""),
    ("reach_qpv_share", "2023", "75", "Trois bénéficiaires sur quatre résidant au Mont-Mesly ou aux Bleuets."),
    ("cofunding_share", "2023", "25", "Cofinancement de la ville et de la CAF."),
    ("dnb_success_cite", "2022-2023", "85", ""),
    (PARENTS, "2023", "120", ""),
    (PARENTS, "2024", "140", ""),
]


def build_indicators(creteil: Cite, coordinator: User) -> None:
    if Indicator.objects.filter(code=PARENTS).exists():
        return  # built with its values and targets, in the demo's one transaction
    if not Indicator.objects.filter(code=ABSENTEEISM).exists():
        indicators.create_local_indicator(
            actor=coordinator,
            cite=creteil,
            code=ABSENTEEISM,
            label="Taux d'absentéisme des collégiens",
            definition="Part des demi-journées d'absence non justifiées, d'après les bilans de vie scolaire des "
            "collèges Laplace et Albert Schweitzer.",
            unit="%",
            direction=Indicator.Direction.DOWN,
            source=Indicator.Source.SCHOOL,
            level=Indicator.Level.SCHOOL,
            period_kind="school_year",
            decimals=1,
            min_value=Decimal(0),
            max_value=Decimal(100),
        )
    if not Indicator.objects.filter(code=PARENTS).exists():
        indicators.create_local_indicator(
            actor=coordinator,
            cite=creteil,
            code=PARENTS,
            label="Familles venues aux cafés des parents",
            definition="Familles différentes accueillies au moins une fois dans l'année aux cafés des parents des "
            "écoles et du collège Laplace (registres d'accueil).",
            unit="personnes",
            direction=Indicator.Direction.UP,
            source=Indicator.Source.MANUAL,
            level=Indicator.Level.CITE,
            period_kind="financial_year",
            decimals=0,
            min_value=Decimal(0),
            max_value=None,
        )
    absenteeism = Indicator.objects.get(code=ABSENTEEISM)
    parents = Indicator.objects.get(code=PARENTS)
    laplace, schweitzer = School.objects.get(uai="0940003T"), School.objects.get(uai="0940006W")
    for period, (at_laplace, at_schweitzer) in ABSENTEEISM_VALUES.items():
        for school, value in ((laplace, at_laplace), (schweitzer, at_schweitzer)):
            indicators.record_value(
                actor=coordinator,
                cite=creteil,
                indicator=absenteeism,
                period=period,
                value=value,
                origin=f"Bilan de vie scolaire {period} du collège",
                school=school,
            )
    for period, value in PARENTS_VALUES.items():
        indicators.record_value(
            actor=coordinator,
            cite=creteil,
            indicator=parents,
            period=period,
            value=value,
            origin="Registres d'accueil des cafés des parents, compilés par la coordination",
        )
    for code, period, value, note in TARGETS:
        indicators.set_target(
            actor=coordinator,
            cite=creteil,
            indicator=Indicator.objects.get(code=code),
            period=period,
            value=value,
            note=note,
        )


# --- The 2023 revue de projet ---------------------------------------------------------------------------------

REVIEW_YEAR = 2023
REVIEW_COPIL_MEMBERS = (
    "Préfecture du Val-de-Marne — Délégués du préfet",
    "Direction des services départementaux de l'Éducation nationale du Val-de-Marne",
    "Ville de Créteil — Direction de l'éducation",
    "Collège Laplace",
    "Caisse d'allocations familiales du Val-de-Marne",
)
REVIEW_COPIL = "Comité de pilotage — revue de projet 2023"
REVIEW_TEXTS = {
    "highlights": "L'année 2023 a vu l'ouverture du fablab du collège Laplace, l'extension des cafés des parents "
    "à deux nouvelles écoles et la première édition des vacances apprenantes aux Bleuets.",
    "governance_comment": "Le comité de sélection a examiné les fiches de l'appel à projets et la troïka a validé "
    "chacune de ses décisions ; le COPIL de mars 2024 examine cette revue.",
    "deployment_comment": "Les actions retenues couvrent les trois objectifs nationaux, avec un accent sur la "
    "continuité éducative. Les bilans des actions de 2023 sont attendus d'ici le 30 juin 2024.",
    "finances_comment": "L'enveloppe de l'État est presque entièrement attribuée ; la ville et la CAF "
    "cofinancent un quart des actions.",
    "evaluation_comment": "La part des bénéficiaires résidant en QPV dépasse la cible. L'absentéisme des "
    "collégiens recule dans les deux collèges.",
    "outlook": "Consolider l'accompagnement des 11-14 ans et mieux mesurer la participation des parents.",
}


def build_review(creteil: Cite, coordinator: User) -> None:
    review = AnnualReview.objects.filter(cite=creteil, year=REVIEW_YEAR).first()
    if review is not None and review.status == ReviewStatus.VALIDATED:
        return
    meeting = review_meeting(creteil, coordinator)
    if review is None:
        review = reviews.start_review(actor=coordinator, cite=creteil, year=REVIEW_YEAR)
    if review.status == ReviewStatus.DRAFT:
        review = reviews.update_review(actor=coordinator, review=review, **REVIEW_TEXTS)
        reviews.submit_review(actor=coordinator, review=review, meeting=meeting)
        review.refresh_from_db()
    answered = set(User.objects.filter(pk__in=review.decision.approvals.values("user_id")).values_list("email"))
    for email in builders.TROIKA_EMAILS:
        if (email,) not in answered:
            builders.answer(review.decision, User.objects.get(email=email), "approved")
    review.refresh_from_db()
    # Demo back-dating, as for the selection decisions: the review was examined at the COPIL of March 2024.
    validated = meeting.ends_at + datetime.timedelta(days=8)
    AnnualReview.objects.filter(pk=review.pk).update(validated_at=validated, updated_at=validated)
    Decision.objects.filter(pk=review.decision_id).update(created_at=meeting.ends_at, closed_at=validated)
    Approval.objects.filter(decision_id=review.decision_id).update(given_at=validated)
    Event.objects.for_object(review).update(occurred_at=validated)
    Event.objects.for_object(review.decision).update(occurred_at=validated)


def review_meeting(creteil: Cite, coordinator: User) -> Meeting:
    """The COPIL of March 2024 that examines the 2023 review, held with the troïka's pillars present."""
    existing = Meeting.objects.filter(cite=creteil, title=REVIEW_COPIL).first()
    if existing is not None:
        return existing
    body = Body.objects.get(cite=creteil, kind=BodyKind.COPIL)
    starts_at = datetime.datetime(2024, 3, 19, 14, 0, tzinfo=builders.PARIS)
    meeting = meetings.create_meeting(
        actor=coordinator,
        body=body,
        title=REVIEW_COPIL,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        place="Hôtel de ville de Créteil, salle du conseil",
        agenda=[
            meetings.AgendaLine(title="Revue de projet 2023 : bilan des actions et des financements", presenter=""),
            meetings.AgendaLine(title="Indicateurs et cibles 2024", presenter=""),
        ],
    )
    contacts = [
        organisation.contacts.order_by("pk").first()
        for organisation in creteil.organisations.filter(name__in=REVIEW_COPIL_MEMBERS)
    ]
    meetings.update_invitees(actor=coordinator, meeting=meeting, add=[contact for contact in contacts if contact])
    meetings.record_attendance(
        actor=coordinator,
        meeting=meeting,
        attendance=dict.fromkeys(meeting.invitations.values_list("pk", flat=True), Attendance.PRESENT),
    )
    return meeting
