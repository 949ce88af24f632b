"""The demo cité: Créteil (cite-021), built on the imported reference data with one account per role.

Each module adds its own part here (partners, governance, programme…). Every builder is idempotent:
running `load_demo` twice gives the same platform, and goes through the same services as people do.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from maillage.core import services as accounts
from maillage.core.models import AgeBand, Role, Theme, User
from maillage.demo.governance_data import BODIES, DECISIONS, MEETINGS, TASKS, DemoMeeting
from maillage.demo.partners_data import ORGANISATIONS, DemoOrganisation
from maillage.governance.models import Attendance, Body, Decision, Meeting, Task
from maillage.governance.services import decisions as decision_services
from maillage.governance.services import followup, meetings
from maillage.partners import services as directory
from maillage.partners.models import Organisation
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


@transaction.atomic
def load_demo() -> list[DemoAccount]:
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
    return DEMO_ACCOUNTS


def build_accounts() -> User:
    """One account per role; the administrator grants the others their roles (as in real life)."""
    admin = upsert_account(DEMO_ACCOUNTS[0], is_admin=True)
    cites = {cite.anct_id: cite for cite in Cite.objects.filter(anct_id__in=[CRETEIL, CHAMPIGNY])}
    for account in DEMO_ACCOUNTS[1:]:
        user = upsert_account(account, is_admin=False)
        targets = [None] if account.role == Role.NATIONAL else [cites[anct_id] for anct_id in account.cites]
        for cite in targets:
            accounts.grant_membership(actor=admin, user=user, cite=cite, role=account.role)
    return admin


def upsert_account(account: DemoAccount, *, is_admin: bool) -> User:
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
    user.set_password(DEMO_PASSWORD)
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
