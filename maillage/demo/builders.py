"""The demo cité: Créteil (cite-021), built on the imported reference data with one account per role.

Each module adds its own part here (partners, governance, programme…). Every builder is idempotent:
running `load_demo` twice gives the same platform, and goes through the same services as people do.
"""

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.test.utils import override_settings
from django.utils import timezone

from maillage.core import services as accounts
from maillage.core.models import (
    AgeBand,
    Event,
    FundingSource,
    Role,
    SpendingCategory,
    Theme,
    TimeOfDay,
    User,
    Verb,
)
from maillage.demo.governance_data import BODIES, DECISIONS, MEETINGS, TASKS, DemoMeeting
from maillage.demo.partners_data import ORGANISATIONS, DemoOrganisation
from maillage.demo.programme_data import (
    CALENDAR,
    CALL_ELIGIBILITY,
    CALL_PRIORITIES,
    CALL_THEMES,
    COMMITTEE_MINUTES,
    CRITERIA,
    CURRENT_CALL_YEAR,
    EDITIONS,
    ENVELOPE_NOTES,
    ENVELOPES,
    FUNDERS,
    HOLDER_JOB,
    OBJECTIVES,
    PAYMENTS,
    PERIODS,
    SCORE_COMMENTS,
    SCORE_OFFSETS,
    SHEETS,
    STAGES,
)
from maillage.funding.models import CITY_FUND, Envelope, Grant, GrantStatus, LegalAct, Payment, PaymentKind
from maillage.funding.services import envelopes as envelope_services
from maillage.funding.services import grants as grant_services
from maillage.funding.services import legal_acts as legal_act_services
from maillage.funding.services import payments as payment_services
from maillage.governance.models import Approval, Attendance, Body, Decision, Meeting, Task
from maillage.governance.services import decisions as decision_services
from maillage.governance.services import followup, meetings
from maillage.partners import services as directory
from maillage.partners.models import Organisation
from maillage.programme.models import Action, ActionStatus, CallForProjects, Objective, Outcome, Score
from maillage.programme.services import actions as action_services
from maillage.programme.services import calls as call_services
from maillage.programme.services import objectives as objective_services
from maillage.programme.services import scoring as scoring_services
from maillage.programme.services import selection as selection_services
from maillage.territories import services as territory
from maillage.territories.models import Cite, Commune, Qpv, School

DEMO_PASSWORD = "Maillage-Demo-2026"  # noqa: S105 — printed on purpose: local demonstration accounts
CRETEIL = "cite-021"
CHAMPIGNY = "cite-014"  # a neighbouring cité: the délégué du préfet follows both
CRETEIL_QPVS = ["QN09405M", "QN09406I"]
CRETEIL_SCHOOLS = [
    "0940003T",  # Collège Laplace (REP)
    "0940006W",  # Collège Albert Schweitzer (REP)
    "0940535W",  # École élémentaire Albert Camus
    "0940762T",  # École maternelle Albert Camus
    "0940527M",  # École élémentaire Paul Casalis
    "0940562A",  # École maternelle Paul Casalis
    "0940544F",  # École maternelle Jeu de Paume
    "0942346P",  # École primaire La Habette
    "0941380P",  # École élémentaire Savignat
    "0940504M",  # École maternelle Savignat
    "0940197D",  # École élémentaire Charles Beuvin A
    "0940307Y",  # École élémentaire Charles Beuvin B
    "0940446Z",  # École maternelle Charles Beuvin
    "0941840P",  # École maternelle Jeanine Le Cléac'h
    "0941318X",  # École élémentaire Léo Orville
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    job_title: str
    role: str | None  # None: platform administrator
    cites: tuple[str, ...] = (CRETEIL,)


DEMO_ACCOUNTS = [
    DemoAccount("admin@demo.maillage.test", "Claire", "Dumas", "Administratrice de la plateforme", None, ()),
    DemoAccount(
        "national@demo.maillage.test",
        "Hugo",
        "Laurent",
        "Chargé de mission cités éducatives, ANCT",
        Role.NATIONAL,
        (),
    ),
    DemoAccount(
        "prefecture@demo.maillage.test",
        "Nadia",
        "Benali",
        "Déléguée du préfet, Val-de-Marne",
        Role.TROIKA_STATE,
        (CRETEIL, CHAMPIGNY),
    ),
    DemoAccount(
        "education@demo.maillage.test",
        "Marc",
        "Lefèvre",
        "Principal du collège Laplace, chef de file",
        Role.TROIKA_EDUCATION,
    ),
    DemoAccount(
        "ville@demo.maillage.test",
        "Sophie",
        "Moreau",
        "Directrice de l'éducation, ville de Créteil",
        Role.TROIKA_CITY,
    ),
    DemoAccount("coordination@demo.maillage.test", "Julien", "Petit", "Chef de projet opérationnel", Role.COORDINATOR),
    DemoAccount(
        "subventions@demo.maillage.test",
        "Isabelle",
        "Roux",
        "Gestionnaire des subventions, préfecture",
        Role.GRANT_OFFICER,
    ),
    DemoAccount(
        "fonds-cite@demo.maillage.test",
        "Thomas",
        "Garnier",
        "Gestionnaire du collège Laplace",
        Role.CITY_FUND_MANAGER,
    ),
    DemoAccount(
        "porteur@demo.maillage.test",
        "Aïcha",
        "Diallo",
        "Coordinatrice, association de quartier",
        Role.PROJECT_HOLDER,
    ),
    DemoAccount(
        "ecole@demo.maillage.test",
        "Pierre",
        "Martin",
        "Directeur de l'école Albert Camus",
        Role.SCHOOL_CONTACT,
    ),
    DemoAccount(
        "comite1@demo.maillage.test",
        "Philippe",
        "Aubert",
        "Inspecteur de l'Éducation nationale, membre du comité de sélection",
        Role.COMMITTEE_MEMBER,
    ),
    DemoAccount(
        "comite2@demo.maillage.test",
        "Stéphane",
        "Fournier",
        "Conseiller territorial de la CAF, membre du comité de sélection",
        Role.COMMITTEE_MEMBER,
    ),
    DemoAccount("evaluation@demo.maillage.test", "Léa", "Fontaine", "Chargée d'évaluation", Role.EVALUATOR),
    DemoAccount(
        "parcours@demo.maillage.test",
        "Karim",
        "Haddad",
        "Référent de parcours, programme de réussite éducative",
        Role.PATHWAY_REFERENT,
    ),
]


class DemoError(Exception):
    pass


def load_demo() -> list[DemoAccount]:
    """Build (or complete) the demo platform. The programme's story is told in the past, through the same
    services people use: its hundreds of status e-mails to fictitious holders are not sent."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return build_demo()


@transaction.atomic
def build_demo() -> list[DemoAccount]:
    try:
        creteil = Cite.objects.get(anct_id=CRETEIL)
    except Cite.DoesNotExist:
        raise DemoError(
            "La cité de Créteil (cite-021) est absente : lancez d'abord « python manage.py import_reference »."
        ) from None
    admin = build_accounts()
    territory.update_cite_identity(actor=admin, cite=creteil, label_date=datetime.date(2019, 9, 5))
    build_creteil_perimeter(creteil)
    coordinator = User.objects.get(email="coordination@demo.maillage.test")
    organisations = build_partners(creteil, coordinator)
    build_governance(creteil, coordinator, organisations)
    build_programme(creteil, coordinator, organisations)
    build_funding(creteil, organisations)
    build_follow_up(creteil, coordinator)
    build_evaluation(creteil, coordinator)
    build_offer(creteil, coordinator)
    backdate_history(creteil)
    return DEMO_ACCOUNTS


def build_evaluation(creteil: Cite, coordinator: User) -> None:
    from maillage.demo.evaluation import build_evaluation as build  # it reuses this module's helpers

    build(creteil, coordinator)


def build_offer(creteil: Cite, coordinator: User) -> None:
    from maillage.demo.offer import build_offer as build

    build(creteil, coordinator)


def build_accounts() -> User:
    """One account per role; the administrator grants the others their roles (as in real life). The demo's
    password is hashed once for all of them: hashing is slow on purpose."""
    password = make_password(DEMO_PASSWORD)
    admin = upsert_account(DEMO_ACCOUNTS[0], is_admin=True, password=password)
    cites = {cite.anct_id: cite for cite in Cite.objects.filter(anct_id__in=[CRETEIL, CHAMPIGNY])}
    for account in DEMO_ACCOUNTS[1:]:
        user = upsert_account(account, is_admin=False, password=password)
        targets = [None] if account.role == Role.NATIONAL else [cites[anct_id] for anct_id in account.cites]
        for cite in targets:
            accounts.grant_membership(actor=admin, user=user, cite=cite, role=account.role)
    return admin


def upsert_account(account: DemoAccount, *, is_admin: bool, password: str) -> User:
    user, _ = User.objects.update_or_create(
        email=account.email,
        defaults={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "job_title": account.job_title,
            "is_staff": is_admin,
            "is_superuser": is_admin,
            "is_active": True,
        },
    )
    user.password = password
    user.save(update_fields=["password"])
    return user


def build_creteil_perimeter(creteil: Cite) -> None:
    """Mont-Mesly and the Bleuets, the two REP collèges and the écoles the cité names."""
    qpvs = list(Qpv.objects.filter(code__in=CRETEIL_QPVS))
    schools = list(School.objects.filter(uai__in=CRETEIL_SCHOOLS))
    if len(qpvs) != len(CRETEIL_QPVS) or len(schools) != len(CRETEIL_SCHOOLS):
        raise DemoError("Des QPV ou des établissements de Créteil manquent : relancez import_reference.")
    current = (
        set(creteil.qpvs.values_list("pk", flat=True)),
        set(creteil.schools.values_list("pk", flat=True)),
    )
    wanted = ({qpv.pk for qpv in qpvs}, {school.pk for school in schools})
    if current != wanted or creteil.perimeter_edited_at is None:
        coordinator = User.objects.get(email="coordination@demo.maillage.test")
        territory.update_cite_perimeter(actor=coordinator, cite=creteil, qpvs=qpvs, schools=schools)


def build_partners(creteil: Cite, coordinator: User) -> dict[str, Organisation]:
    """About forty organisations of Mont-Mesly and the Bleuets with their contacts; the demo accounts that
    belong to one of them are linked to their contact (the project holder then edits its organisation)."""
    themes = {theme.code: theme for theme in Theme.objects.all()}
    age_bands = {band.code: band for band in AgeBand.objects.all()}
    schools = {school.uai: school for school in School.objects.filter(uai__in=CRETEIL_SCHOOLS)}
    commune = Commune.objects.get(insee_code="94028")
    users = {user.email: user for user in User.objects.filter(email__endswith="@demo.maillage.test")}
    existing = {organisation.name: organisation for organisation in Organisation.objects.in_cites([creteil.pk])}
    organisations = {}
    for demo in ORGANISATIONS:
        organisation = existing.get(demo.name) or directory.create_organisation(
            actor=coordinator, cite=creteil, data=organisation_data(demo, commune, schools, themes, age_bands)
        )
        if demo.siret and organisation.siret != demo.siret:  # a directory loaded before the funders had one
            directory.update_organisation(actor=coordinator, organisation=organisation, data={"siret": demo.siret})
        organisations[demo.name] = organisation
        known = set(organisation.contacts.values_list("email", flat=True))
        for person in demo.contacts:
            if person.email in known:
                continue
            contact = directory.create_contact(
                actor=coordinator,
                organisation=organisation,
                data={
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "job_title": person.job_title,
                    "email": person.email,
                    "phone": person.phone,
                },
            )
            if person.account:
                directory.set_contact_account(actor=coordinator, contact=contact, user=users[person.account])
    return organisations


def organisation_data(demo: DemoOrganisation, commune, schools, themes, age_bands) -> dict:
    school = schools.get(demo.uai)
    return {
        "name": demo.name,
        "kind": demo.kind,
        "rna": demo.rna,
        "siret": demo.siret,
        "school": school,
        "address": demo.address,
        "postcode": "94000",
        "commune": commune,
        "latitude": school.latitude if school else None,
        "longitude": school.longitude if school else None,
        "description": demo.description,
        "themes": [themes[code] for code in demo.themes],
        "age_bands": [age_bands[code] for code in demo.age_bands],
    }


PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def meeting_start(demo: DemoMeeting) -> datetime.datetime:
    if demo.starts_at.startswith("+"):
        day = timezone.localdate() + datetime.timedelta(days=int(demo.starts_at[1:]))
        return datetime.datetime.combine(day, datetime.time(14, 0), tzinfo=PARIS)
    return datetime.datetime.fromisoformat(demo.starts_at).replace(tzinfo=PARIS)


def build_governance(creteil: Cite, coordinator: User, organisations: dict[str, Organisation]) -> None:
    """The bodies, the partners' meeting of 21 January 2020 and the COPILs, with attendance, minutes,
    decisions answered by the troïka's three demo members, and follow-up tasks."""
    bodies = {body.name: body for body in Body.objects.filter(cite=creteil)}
    for demo in BODIES:
        if demo.name not in bodies:
            bodies[demo.name] = meetings.create_body(
                actor=coordinator, cite=creteil, kind=demo.kind, name=demo.name, description=demo.description
            )
    held = {meeting.title: meeting for meeting in Meeting.objects.filter(cite=creteil)}
    for demo in MEETINGS:
        if demo.title not in held:
            held[demo.title] = build_meeting(demo, bodies[demo.body], coordinator, organisations)
    users = {user.email: user for user in User.objects.filter(email__endswith="@demo.maillage.test")}
    build_decisions(creteil, coordinator, held, organisations, users)
    build_tasks(creteil, coordinator, held, users)


def build_meeting(demo: DemoMeeting, body: Body, coordinator: User, organisations) -> Meeting:
    starts_at = meeting_start(demo)
    meeting = meetings.create_meeting(
        actor=coordinator,
        body=body,
        title=demo.title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=demo.hours),
        place=demo.place,
        agenda=[meetings.AgendaLine(title=item, presenter="") for item in demo.agenda],
    )
    contacts = {name: organisations[name].contacts.order_by("pk").first() for name in demo.invitees}
    meetings.update_invitees(actor=coordinator, meeting=meeting, add=list(contacts.values()))
    if demo.attendance:
        by_contact = dict(meeting.invitations.values_list("contact_id", "pk"))
        meetings.record_attendance(
            actor=coordinator,
            meeting=meeting,
            attendance={by_contact[contacts[name].pk]: Attendance(value) for name, value in demo.attendance.items()},
        )
    if demo.minutes:
        meetings.write_minutes(actor=coordinator, meeting=meeting, minutes=demo.minutes.strip())
    return meeting


def build_decisions(creteil, coordinator, held, organisations, users) -> None:
    existing = set(Decision.objects.filter(cite=creteil).values_list("title", flat=True))
    for demo in DECISIONS:
        if demo.title in existing:
            continue
        decision = decision_services.propose_decision(
            actor=coordinator,
            meeting=held[demo.meeting],
            title=demo.title,
            text=demo.text,
            organisation=organisations.get(demo.organisation),
        )
        for email in demo.approvals:
            answer(decision, users[email], "approved")
        if demo.rejection:
            email, reason = demo.rejection
            answer(decision, users[email], "rejected", reason)


def answer(decision: Decision, user: User, verdict: str, reason: str = "") -> None:
    (pillar,) = decision_services.pillars_of(user, decision.cite_id)
    decision_services.answer_decision(actor=user, decision=decision, pillar=pillar, verdict=verdict, reason=reason)


def build_tasks(creteil, coordinator, held, users) -> None:
    """Tasks are created as people create them (due in the future), then placed on the demo's calendar:
    some are overdue on purpose, so that the cité page shows its overdue-task alert."""
    existing = set(Task.objects.filter(cite=creteil).values_list("title", flat=True))
    today = timezone.localdate()
    for demo in TASKS:
        if demo.title in existing:
            continue
        task = followup.create_task(
            actor=coordinator,
            cite=creteil,
            meeting=held[demo.meeting],
            title=demo.title,
            owner=users[demo.owner],
            due_on=today + datetime.timedelta(days=max(demo.due_in_days, 1)),
        )
        if demo.due_in_days < 1:
            Task.objects.filter(pk=task.pk).update(due_on=today + datetime.timedelta(days=demo.due_in_days))
        if demo.status != "todo":
            followup.change_task_status(actor=coordinator, task=task, status=demo.status)


# --- The programme: objective tree, calls, action sheets, instruction, scores, selection ----------------------

TROIKA_EMAILS = ("prefecture@demo.maillage.test", "education@demo.maillage.test", "ville@demo.maillage.test")
COMMITTEE_EMAILS = ("comite1@demo.maillage.test", "comite2@demo.maillage.test")
GRANT_OFFICER_EMAIL = "subventions@demo.maillage.test"
CITY_FUND_MANAGER_EMAIL = "fonds-cite@demo.maillage.test"
SELECTION_COMMITTEE = "Comité de sélection des projets"
NOT_RETAINED = ("ineligible", "rejected")
EARLY_STAGES = ("draft", "submitted", "under_review")


def call_title(year: int) -> str:
    return f"Appel à projets {year} de la cité éducative"


def local(moment: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(moment).replace(tzinfo=PARIS)


@dataclass
class ProgrammeContext:
    """What the builders of the programme look up: vocabularies, places, nodes and people, by code."""

    creteil: Cite
    coordinator: User
    users: dict
    organisations: dict
    objectives: dict
    holders: dict
    themes: dict
    age_bands: dict
    times_of_day: dict
    categories: dict
    sources: dict
    schools: dict
    qpvs: dict


def build_programme(creteil: Cite, coordinator: User, organisations: dict[str, Organisation]) -> None:
    """Créteil's objective tree, then one call a year (2020-2024 and the call open today): the holders write and
    submit their sheets, the grant officer instructs them, two committee members score them, the coordinator
    records the committee's choice and the troïka validates it. A year whose call exists is left as it is."""
    users = {user.email: user for user in User.objects.filter(email__endswith="@demo.maillage.test")}
    context = ProgrammeContext(
        creteil=creteil,
        coordinator=coordinator,
        users=users,
        organisations=organisations,
        objectives=build_objectives(creteil, coordinator),
        holders=build_holders(creteil, coordinator, organisations),
        themes={theme.code: theme for theme in Theme.objects.all()},
        age_bands={band.code: band for band in AgeBand.objects.all()},
        times_of_day={time.code: time for time in TimeOfDay.objects.all()},
        categories={category.code: category for category in SpendingCategory.objects.all()},
        sources={source.code: source for source in FundingSource.objects.all()},
        schools={school.uai: school for school in creteil.schools.all()},
        qpvs={qpv.code: qpv for qpv in creteil.qpvs.all()},
    )
    existing = set(CallForProjects.objects.filter(cite=creteil).values_list("year", flat=True))
    for year in sorted({edition.year for edition in EDITIONS} - existing):
        build_call(context, year, [edition for edition in EDITIONS if edition.year == year])


def build_objectives(creteil: Cite, coordinator: User) -> dict[str, Objective]:
    """The local axes under the three national objectives, and their operational objectives (by key)."""
    nodes = {(node.parent_id, node.title): node for node in Objective.objects.filter(cite=creteil)}
    by_key = {}
    for axis in OBJECTIVES:
        node = nodes.get((None, axis.title)) or objective_services.add_objective(
            actor=coordinator, cite=creteil, title=axis.title, national_objective=axis.national_objective
        )
        for key, title in axis.operational:
            by_key[key] = nodes.get((node.pk, title)) or objective_services.add_objective(
                actor=coordinator, cite=creteil, title=title, parent=node
            )
    return by_key


def build_holders(creteil: Cite, coordinator: User, organisations: dict[str, Organisation]) -> dict[str, User]:
    """The account of the person who writes each holder organisation's sheets: its first contact, made a
    project holder of the cité. The demo's password is hashed once for all of them (hashing is slow)."""
    admin = User.objects.get(email=DEMO_ACCOUNTS[0].email)
    hashed = None
    holders = {}
    for name in sorted({SHEETS[edition.sheet].organisation for edition in EDITIONS}):
        contact = organisations[name].contacts.select_related("user").order_by("pk").first()
        user = contact.user
        if user is None:
            user = User.objects.filter(email=contact.email).first()
            if user is None:
                hashed = hashed or make_password(DEMO_PASSWORD)
                user = User.objects.create(
                    email=contact.email,
                    first_name=contact.first_name,
                    last_name=contact.last_name,
                    job_title=contact.job_title or HOLDER_JOB,
                    password=hashed,
                )
            directory.set_contact_account(actor=coordinator, contact=contact, user=user)
        accounts.grant_membership(actor=admin, user=user, cite=creteil, role=Role.PROJECT_HOLDER)
        holders[name] = user
    return holders


def build_call(context: ProgrammeContext, year: int, editions: list) -> CallForProjects:
    """One year of the programme. A past call is opened today (so that its sheets can be submitted as people
    do), then placed on the demo's calendar: its dates, submissions, scores and decision are back-dated."""
    coordinator, users = context.coordinator, context.users
    now = timezone.now()
    is_current = year == CURRENT_CALL_YEAR
    call = call_services.create_call(
        actor=coordinator,
        cite=context.creteil,
        data={
            "year": year,
            "title": call_title(year),
            "opens_at": now - datetime.timedelta(days=21),
            "closes_at": now + datetime.timedelta(days=45 if is_current else 1),
            "envelope": Decimal(ENVELOPES.get(year, ENVELOPES[max(ENVELOPES)])["p147"]),
            "eligibility": CALL_ELIGIBILITY,
            "description": CALL_PRIORITIES[year],
            "is_published": True,
            "themes": [context.themes[code] for code in CALL_THEMES[year]],
        },
    )
    for position, (label, description, weight) in enumerate(CRITERIA, start=1):
        call_services.add_criterion(
            actor=coordinator,
            call=call,
            data={"label": label, "description": description, "weight": weight, "max_score": 5, "position": position},
        )
    criteria = list(call.criteria.order_by("position"))
    officer = users[GRANT_OFFICER_EMAIL]
    committee = [users[email] for email in COMMITTEE_EMAILS]
    outcomes = {}
    for edition in editions:
        sheet = SHEETS[edition.sheet]
        holder = context.holders[sheet.organisation]
        action = action_services.create_action(
            actor=holder,
            call=call,
            organisation=context.organisations[sheet.organisation],
            **sheet_of(context, edition),
        )
        if edition.stage == "draft":
            continue
        action = action_services.submit_action(actor=holder, action=action)
        if edition.stage == "submitted":
            continue
        eligible = edition.stage != "ineligible"
        action = selection_services.instruct_action(
            actor=officer, action=action, is_eligible=eligible, note="" if eligible else edition.note
        )
        if eligible:
            for index, member in enumerate(committee[: edition.scorers]):
                score(member, action, criteria, edition.quality, SCORE_OFFSETS[index])
        outcomes[action.pk] = Outcome.REJECTED if edition.stage in NOT_RETAINED else Outcome.SELECTED
    if is_current:
        return call
    calendar = CALENDAR[year]
    meeting = build_selection_meeting(context, year, calendar, retained=list(outcomes.values()))
    decision = selection_services.propose_selection(actor=coordinator, call=call, meeting=meeting, outcomes=outcomes)
    for email in TROIKA_EMAILS:
        answer(decision, users[email], "approved")
    backdate_call(call, calendar, meeting, decision)
    return call


def sheet_of(context: ProgrammeContext, edition) -> dict:
    """The sheet the holder writes for one year of an action, in the shape of the actions service."""
    sheet = SHEETS[edition.sheet]
    (start_offset, start_month, start_day), (end_offset, end_month, end_day) = PERIODS[sheet.period]
    total = sum(edition.funding.values())
    return {
        "title": edition.title or sheet.title,
        "summary": sheet.summary,
        "address": sheet.address,
        "starts_on": datetime.date(edition.year + start_offset, start_month, start_day),
        "ends_on": datetime.date(edition.year + end_offset, end_month, end_day),
        "expected_beneficiaries": sheet.beneficiaries,
        "objectives": [context.objectives[key] for key in sheet.objectives],
        "themes": [context.themes[code] for code in sheet.themes],
        "age_bands": [context.age_bands[code] for code in sheet.age_bands],
        "times_of_day": [context.times_of_day[code] for code in sheet.times_of_day],
        "schools": [context.schools[uai] for uai in sheet.schools],
        "qpvs": [context.qpvs[code] for code in sheet.qpvs],
        "budget": {context.categories[code]: amount for code, amount in split(total, edition.budget or sheet.budget)},
        "funding": {context.sources[code]: Decimal(amount) for code, amount in edition.funding.items()},
    }


def split(total: int, shares) -> list[tuple[str, Decimal]]:
    """`total` euros shared out by percentages, the last share taking the rounding so the sum is exact."""
    amounts, left = [], Decimal(total)
    for index, (code, share) in enumerate(shares):
        amount = left if index == len(shares) - 1 else Decimal(total * share // 100)
        amounts.append((code, amount))
        left -= amount
    return amounts


def score(member: User, action, criteria, quality: int, offsets) -> None:
    values = {
        criterion.pk: max(0, min(5, quality + offset)) for criterion, offset in zip(criteria, offsets, strict=True)
    }
    scoring_services.score_action(
        actor=member, action=action, values=values, comments={criteria[0].pk: SCORE_COMMENTS[quality]}
    )


def build_selection_meeting(context: ProgrammeContext, year: int, calendar, retained: list) -> Meeting:
    """The selection committee's sitting, held (its members present) with short minutes."""
    body = Body.objects.get(cite=context.creteil, name=SELECTION_COMMITTEE)
    starts_at = local(calendar.committee)
    meeting = meetings.create_meeting(
        actor=context.coordinator,
        body=body,
        title=f"Comité de sélection {year}",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=3),
        place=calendar.committee_place,
        agenda=[
            meetings.AgendaLine(title="Examen des fiches action déposées", presenter=""),
            meetings.AgendaLine(title="Classement et proposition à la troïka", presenter=""),
        ],
    )
    members = [
        "Direction des services départementaux de l'Éducation nationale du Val-de-Marne",
        "Caisse d'allocations familiales du Val-de-Marne",
        "Préfecture du Val-de-Marne — Délégués du préfet",
        "Ville de Créteil — Direction de l'éducation",
        "Collège Laplace",
    ]
    contacts = [context.organisations[name].contacts.order_by("pk").first() for name in members]
    meetings.update_invitees(actor=context.coordinator, meeting=meeting, add=contacts)
    meetings.record_attendance(
        actor=context.coordinator,
        meeting=meeting,
        attendance=dict.fromkeys(meeting.invitations.values_list("pk", flat=True), Attendance.PRESENT),
    )
    minutes = COMMITTEE_MINUTES.format(
        count=len(retained), year=year, retained=sum(1 for outcome in retained if outcome == Outcome.SELECTED)
    )
    meetings.write_minutes(actor=context.coordinator, meeting=meeting, minutes=minutes.strip())
    return meeting


def backdate_call(call: CallForProjects, calendar, meeting: Meeting, decision: Decision) -> None:
    """Demo back-dating (as build_tasks does for overdue tasks): the services stamp what they do with today's
    date, and a closed call refuses submissions, so a past year is built today and then moved to its dates."""
    opens_at, closes_at = local(calendar.opens), local(calendar.closes)
    CallForProjects.objects.filter(pk=call.pk).update(opens_at=opens_at, closes_at=closes_at)
    for index, action in enumerate(Action.objects.filter(call=call).exclude(submitted_at=None).order_by("pk")):
        Action.objects.filter(pk=action.pk).update(submitted_at=closes_at - datetime.timedelta(days=1 + index % 12))
    Score.objects.filter(action__call=call).update(scored_at=meeting.starts_at - datetime.timedelta(days=3))
    Decision.objects.filter(pk=decision.pk).update(
        created_at=meeting.ends_at, closed_at=meeting.ends_at + datetime.timedelta(days=6)
    )
    for index, approval in enumerate(decision.approvals.order_by("pk")):
        Approval.objects.filter(pk=approval.pk).update(
            given_at=meeting.ends_at + datetime.timedelta(days=2 + 2 * index)
        )


# --- The money: envelopes, grants, legal acts, payments --------------------------------------------------------


def edition_actions(creteil: Cite) -> list[tuple[object, Action]]:
    """Each retained edition of the past calls with its action (looked up by year, title and holder)."""
    actions = {
        (action.call.year, action.title, action.organisation.name): action
        for action in Action.objects.filter(cite=creteil).select_related("call", "organisation")
    }
    found = []
    for edition in EDITIONS:
        if edition.year in CALENDAR and edition.stage not in NOT_RETAINED:
            sheet = SHEETS[edition.sheet]
            found.append((edition, actions[(edition.year, edition.title or sheet.title, sheet.organisation)]))
    return found


def build_funding(creteil: Cite, organisations: dict[str, Organisation]) -> None:
    """The envelopes of each year (set by the grant officer), then for each retained action its grants, the
    legal acts signed (except for the last selected actions of 2024) and the payments made. The fonds de la
    cité is granted and paid by its manager, the collège's gestionnaire. What exists is left as it is."""
    officer = User.objects.get(email=GRANT_OFFICER_EMAIL)
    manager = User.objects.get(email=CITY_FUND_MANAGER_EMAIL)
    sources = {source.code: source for source in FundingSource.objects.all()}
    envelopes = {
        (envelope.year, envelope.source.code): envelope for envelope in creteil.envelopes.select_related("source")
    }
    for year, amounts in ENVELOPES.items():
        for code, amount in amounts.items():
            if (year, code) not in envelopes:
                envelopes[(year, code)] = envelope_services.set_envelope(
                    actor=officer,
                    cite=creteil,
                    year=year,
                    source=sources[code],
                    amount=Decimal(amount),
                    funder=organisations[FUNDERS[code]],
                    note=ENVELOPE_NOTES[code],
                )

    def keeper(code: str) -> User:
        return manager if code == CITY_FUND else officer

    editions = edition_actions(creteil)
    granted = set(Grant.objects.filter(cite=creteil).values_list("action_id", "envelope_id"))
    for edition, action in editions:
        for code, amount in edition.funding.items():
            envelope = envelopes[(edition.year, code)]
            if (action.pk, envelope.pk) in granted:
                continue
            if code in edition.refused:
                grant_services.refuse_grant(
                    actor=keeper(code), action=action, envelope=envelope, reason=edition.refused[code]
                )
            else:
                grant_services.decide_grant(
                    actor=keeper(code),
                    action=action,
                    envelope=envelope,
                    granted=Decimal(edition.granted.get(code, amount)),
                )
            # Demo back-dating: a grant is stamped with the day it is decided.
            Grant.objects.filter(action=action, envelope=envelope).update(
                decided_on=datetime.date.fromisoformat(CALENDAR[edition.year].decided)
            )

    unsigned = {edition_action.pk for edition, edition_action in editions if edition.stage == "selected"}
    for act in LegalAct.objects.filter(cite=creteil, signed_on=None).select_related("source"):
        if act.grants.filter(action_id__in=unsigned).exists():
            continue
        legal_act_services.sign_legal_act(
            actor=keeper(act.source.code),
            act=act,
            signed_on=datetime.date.fromisoformat(CALENDAR[act.year].signed),
        )

    paid = set(Payment.objects.filter(cite=creteil).values_list("grant_id", flat=True))
    for edition, action in editions:
        plan = PAYMENTS[edition.payments or default_payments(edition)]
        grants = Grant.objects.filter(action=action, status=GrantStatus.GRANTED).select_related(
            "legal_act", "envelope__source"
        )
        for grant in grants:
            if grant.pk in paid or not grant.legal_act.is_signed:
                continue
            for share, kind in plan:
                pay(keeper(grant.envelope.source.code), grant, share, kind)


def default_payments(edition) -> str:
    if edition.stage.startswith("not_done"):
        return "advance"
    if edition.year < max(CALENDAR):
        return "full"
    return "none" if edition.stage in ("selected", "agreed") else "advance"


def pay(actor: User, grant: Grant, share: int, kind: str) -> None:
    """One payment of a plan: the advance a month after the signature, the instalment in September, the
    balance (what is left) in March of the next year."""
    signed = grant.legal_act.signed_on
    year = grant.envelope.year
    if kind == PaymentKind.BALANCE:
        already = grant.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
        amount, paid_on = grant.granted - already, datetime.date(year + 1, 3, 14)
    else:
        amount = (grant.granted * share / 100).quantize(Decimal("0.01"))
        paid_on = signed + datetime.timedelta(days=30) if kind == PaymentKind.ADVANCE else datetime.date(year, 9, 15)
    payment_services.record_payment(
        actor=actor,
        grant=grant,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        reference=f"{grant.envelope.source.code.upper()}-{year}-{grant.pk:04d}-{kind[:3].upper()}",
    )


def build_follow_up(creteil: Cite, coordinator: User) -> None:
    """The life of each agreed action after its signature: started, done, not done, postponed, closed."""
    for edition, action in edition_actions(creteil):
        path = STAGES.get(edition.stage, ())
        if not path or action.status != ActionStatus.AGREED:
            continue
        for transition in path:
            action = action_services.follow_action(
                actor=coordinator,
                action=action,
                transition=transition,
                note=edition.note if transition in ("abandon", "postpone") else "",
            )


# --- The story at its dates: the history of the programme and its money ---------------------------------------

OBJECTIVE_TREE_SET = datetime.datetime(2020, 1, 13, 10, 0, tzinfo=PARIS)
"""The objective tree is drawn after the label (September 2019), before the first call opens."""
STATUS_OF_LABEL = {str(label): value for value, label in ActionStatus.choices}


def on(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=PARIS)


def day_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, PARIS).date()


class ProgrammeHistory:
    """The dates of what the services recorded for Créteil's programme and money, read from the records the
    builders already placed on the demo's calendar (submissions, scores, decisions, grants, acts, payments):
    `date(event, previous)` gives the moment an event belongs to (None when it is not the demo's to move)."""

    def __init__(self, creteil: Cite):
        self.actions = {
            action.pk: action
            for action in Action.objects.filter(cite=creteil).select_related("call", "selection_decision")
        }
        self.created_on = {pk: self.action_created(action) for pk, action in self.actions.items()}
        self.scored = {}
        for action_id, scorer_id, scored_at in Score.objects.filter(action__cite=creteil).values_list(
            "action_id", "scorer_id", "scored_at"
        ):
            key = (action_id, scorer_id)
            self.scored[key] = max(scored_at, self.scored.get(key, scored_at))
        self.acts = {act.pk: act for act in LegalAct.objects.filter(cite=creteil)}
        self.grants = {
            grant.pk: grant
            for grant in Grant.objects.filter(cite=creteil).only("pk", "action_id", "decided_on", "legal_act_id")
        }
        self.paid_on = defaultdict(list)
        for payment in Payment.objects.filter(cite=creteil).order_by("pk"):
            self.paid_on[payment.grant_id].append(payment)
        self.prepared_on, self.agreed_on = {}, {}
        for grant in self.grants.values():
            act = self.acts.get(grant.legal_act_id)
            if grant.decided_on and act is not None:
                self.prepared_on[act.pk] = min(grant.decided_on, self.prepared_on.get(act.pk, grant.decided_on))
            if act is not None and act.signed_on:
                agreed = self.agreed_on.get(grant.action_id, act.signed_on)
                self.agreed_on[grant.action_id] = min(act.signed_on, agreed)
        decision_ids = {action.selection_decision_id for action in self.actions.values()} - {None}
        self.decisions = {
            decision.pk: decision
            for decision in Decision.objects.filter(pk__in=decision_ids)
            .select_related("meeting")
            .prefetch_related("approvals")
        }
        self.meetings = {decision.meeting_id: decision.meeting for decision in self.decisions.values()}
        self.call_decisions = {
            action.call_id: self.decisions[action.selection_decision_id]
            for action in self.actions.values()
            if action.selection_decision_id in self.decisions
        }
        self.calls = {call.pk: call for call in CallForProjects.objects.filter(cite=creteil)}
        self.envelopes = dict(creteil.envelopes.values_list("pk", "year"))
        models = (Action, Grant, LegalAct, CallForProjects, Envelope, Objective, Decision, Meeting)
        self.types = {ContentType.objects.get_for_model(model).pk: model for model in models}
        self.counters = defaultdict(int)

    @staticmethod
    def action_created(action: Action) -> datetime.datetime:
        """A sheet is written a few days before it is submitted (a draft keeps its real date)."""
        if action.submitted_at is None:
            return action.created_at
        written = action.submitted_at - datetime.timedelta(days=3 + action.pk % 10, hours=action.pk % 5)
        return min(max(written, action.call.opens_at + datetime.timedelta(hours=2)), action.created_at)

    def date(self, event: Event, previous: datetime.datetime | None) -> datetime.datetime | None:
        model = self.types[event.object_type_id]
        pk = int(event.object_id)
        if model is Action and pk in self.actions:
            return self.action_date(self.actions[pk], event, previous)
        if model is Grant and pk in self.grants:
            return self.grant_date(self.grants[pk], event)
        if model is LegalAct and pk in self.acts:
            act = self.acts[pk]
            if event.verb == Verb.LEGAL_ACT_SIGNED:
                return on(act.signed_on) if act.signed_on else None
            prepared = self.prepared_on.get(pk) or (
                act.signed_on - datetime.timedelta(days=14) if act.signed_on else None
            )
            return on(prepared) if prepared else None
        if model is CallForProjects and pk in self.calls:
            call = self.calls[pk]
            if event.verb == Verb.SELECTION_PROPOSED:
                decision = self.call_decisions.get(pk)
                return decision.created_at if decision else None
            return call.opens_at - datetime.timedelta(days=5)
        if model is Envelope and pk in self.envelopes:
            return on(datetime.date(self.envelopes[pk], 1, 15), 9)
        if model is Objective:
            return OBJECTIVE_TREE_SET
        if model is Decision and pk in self.decisions:
            return self.decision_date(self.decisions[pk], event)
        if model is Meeting and pk in self.meetings:
            meeting = self.meetings[pk]
            if event.verb == Verb.ATTENDANCE_RECORDED:
                return meeting.ends_at
            if event.verb == Verb.MINUTES_WRITTEN:
                return on(day_of(meeting.ends_at) + datetime.timedelta(days=1))
            return meeting.starts_at - datetime.timedelta(days=21)
        return None

    def action_date(self, action: Action, event: Event, previous) -> datetime.datetime | None:
        decision = self.decisions.get(action.selection_decision_id)
        if event.verb == Verb.CREATED:
            return self.created_on[action.pk]
        if event.verb == Verb.ACTION_SCORED:
            return self.scored.get((action.pk, event.actor_id))
        if event.verb == Verb.SELECTION_PROPOSED:
            return decision.created_at if decision else None
        if event.verb != Verb.ACTION_STATUS_CHANGED:
            return None
        status = STATUS_OF_LABEL.get(event.after.get("statut"))
        before = day_of(previous) if previous else None
        if status == ActionStatus.SUBMITTED:
            return action.submitted_at
        if status == ActionStatus.UNDER_REVIEW:  # instructed in the days after the call closes
            return on(day_of(action.call.closes_at) + datetime.timedelta(days=2 + action.pk % 4), 11)
        if status in (ActionStatus.SELECTED, ActionStatus.REJECTED):
            return decision.closed_at if decision else None
        if status == ActionStatus.AGREED:
            return on(self.agreed_on[action.pk], 11) if action.pk in self.agreed_on else None
        if before is None or action.ends_on is None:
            return None
        if status == ActionStatus.RUNNING:  # started on its first day, once agreed
            return on(max(action.starts_on, before + datetime.timedelta(days=1)), 9)
        if status == ActionStatus.POSTPONED:  # a few weeks after its agreement or its start
            return on(min(before + datetime.timedelta(days=21), max(action.ends_on, before)))
        if status == ActionStatus.NOT_DONE:  # given up along the way
            return on(before + max((action.ends_on - before) / 2, datetime.timedelta(days=1)))
        if status == ActionStatus.DONE:
            return on(max(action.ends_on, before), 17)
        if status == ActionStatus.CLOSED:  # its report in, before the deadline (June of the next year)
            deadline = datetime.date(action.call.year + 1, 6, 30) - datetime.timedelta(days=15)
            closed = min(action.ends_on + datetime.timedelta(days=60), deadline)
            return on(max(closed, before + datetime.timedelta(days=14)))
        return None

    def grant_date(self, grant: Grant, event: Event) -> datetime.datetime | None:
        if event.verb in (Verb.GRANT_DECIDED, Verb.ENVELOPE_OVERRIDDEN):
            return on(grant.decided_on) if grant.decided_on else None
        if event.verb == Verb.PAYMENT_RECORDED:  # the grant's payments, in the order they were recorded
            index = self.counters[("payment", grant.pk)]
            self.counters[("payment", grant.pk)] += 1
            payments = self.paid_on[grant.pk]
            return on(payments[index].paid_on, 11) if index < len(payments) else None
        return None

    def decision_date(self, decision: Decision, event: Event) -> datetime.datetime | None:
        if event.verb == Verb.CREATED:
            return decision.created_at
        if event.verb == Verb.DECISION_APPROVED:
            approvals = [approval for approval in decision.approvals.all() if approval.verdict == "approved"]
            approvals.sort(key=lambda approval: approval.pk)
            index = self.counters[("approval", decision.pk)]
            self.counters[("approval", decision.pk)] += 1
            return approvals[index].given_at if index < len(approvals) else None
        if event.verb in (Verb.DECISION_VALIDATED, Verb.DECISION_REJECTED):
            return decision.closed_at
        return None


def backdate_history(creteil: Cite) -> None:
    """Demo back-dating of the history blocks: the services log what they do at today's date, so each event of
    Créteil's programme and money (actions, scores, selection decisions and their committee sittings, calls,
    objectives, envelopes, grants, legal acts, payments) is moved to the date of what it records, read from the
    records themselves. An event is only ever moved earlier, never into the future, and an object's history
    keeps its order: running it again changes nothing. A few queries in all (the events are updated in bulk)."""
    history = ProgrammeHistory(creteil)
    events = (
        Event.objects.filter(cite=creteil, object_type_id__in=list(history.types))
        .only("pk", "occurred_at", "verb", "object_type_id", "object_id", "actor_id", "after")
        .order_by("pk")
    )
    by_object = defaultdict(list)
    for event in events:
        by_object[(history.types[event.object_type_id], event.object_id)].append(event)
    moved, first, last = [], {}, {}
    for key, object_events in by_object.items():
        previous = None
        for event in object_events:
            target = history.date(event, previous) or event.occurred_at
            moment = min(max(target, previous or target), event.occurred_at)
            if moment != event.occurred_at:
                event.occurred_at = moment
                moved.append(event)
            previous = moment
            first.setdefault(key, event)
        last[key] = previous
    Event.objects.bulk_update(moved, ["occurred_at"], batch_size=250)
    backdate_records(history, first, last)


def backdate_records(history: ProgrammeHistory, first: dict, last: dict) -> None:
    """The records' own stamps, after their history: a sheet's writing and last change, a call's creation, an
    act's preparation, a payment's recording, a committee sitting's creation and minutes."""
    actions = []
    for action in history.actions.values():
        created = history.created_on[action.pk]
        updated = min(max(last.get((Action, str(action.pk))) or created, created), action.updated_at)
        if stamp(action, "created_at", created) | stamp(action, "updated_at", updated):
            actions.append(action)
    Action.objects.bulk_update(actions, ["created_at", "updated_at"], batch_size=250)

    def first_date(model, pk, current):
        event = first.get((model, str(pk)))
        return min(event.occurred_at, current) if event is not None else current

    calls = [
        call
        for call in history.calls.values()
        if stamp(call, "created_at", first_date(CallForProjects, call.pk, call.created_at))
    ]
    CallForProjects.objects.bulk_update(calls, ["created_at"])
    acts = [
        act for act in history.acts.values() if stamp(act, "created_at", first_date(LegalAct, act.pk, act.created_at))
    ]
    LegalAct.objects.bulk_update(acts, ["created_at"], batch_size=250)
    payments = [
        payment
        for grant_payments in history.paid_on.values()
        for payment in grant_payments
        if stamp(payment, "recorded_at", min(on(payment.paid_on, 11), payment.recorded_at))
    ]
    Payment.objects.bulk_update(payments, ["recorded_at"], batch_size=250)
    meetings = []
    for meeting in history.meetings.values():
        created = stamp(meeting, "created_at", first_date(Meeting, meeting.pk, meeting.created_at))
        written = last.get((Meeting, str(meeting.pk)))
        minutes = bool(meeting.minutes_updated_at and written) and stamp(
            meeting, "minutes_updated_at", min(written, meeting.minutes_updated_at)
        )
        if created or minutes:
            meetings.append(meeting)
    Meeting.objects.bulk_update(meetings, ["created_at", "minutes_updated_at"])


def stamp(record, field: str, value) -> bool:
    """Set `record.field` to `value`; True when it changed."""
    if getattr(record, field) == value:
        return False
    setattr(record, field, value)
    return True
