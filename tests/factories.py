"""factory_boy factories (French fake data) for the tests."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.core.models import FundingSource, Membership, Role, User
from maillage.funding.models import Envelope, Grant
from maillage.governance.models import Body, BodyKind, Decision, Meeting, Task
from maillage.partners.models import Contact, Organisation, OrganisationKind
from maillage.programme.models import (
    Action,
    ActionStatus,
    CallForProjects,
    Criterion,
    NationalObjective,
    Objective,
)
from maillage.territories.models import UAI_LETTERS, Cite, Commune, Departement, Qpv, School


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-de-test")

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


def grant(user: User, cite: Cite | None, role: str) -> Membership:
    return Membership.objects.create(user=user, cite=cite, role=role)


def uai_for(number: int) -> str:
    digits = f"{number:07d}"
    return digits + UAI_LETTERS[int(digits) % 23]


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune

    insee_code = factory.Sequence(lambda n: f"T{n:04d}")  # never clashes with a real INSEE code
    name = factory.Faker("city", locale="fr_FR")
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="94"))


class QpvFactory(DjangoModelFactory):
    class Meta:
        model = Qpv

    code = factory.Sequence(lambda n: f"QT{n:06d}")
    name = factory.Faker("street_name", locale="fr_FR")
    departement = factory.LazyFunction(lambda: Departement.objects.get(code="94"))


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    uai = factory.Sequence(lambda n: uai_for(9_000_000 + n))
    name = factory.Faker("name", locale="fr_FR")
    kind = School.Kind.PRIMARY
    sector = School.Sector.PUBLIC
    commune = factory.SubFactory(CommuneFactory)
    latitude = 48.78
    longitude = 2.46


class CiteFactory(DjangoModelFactory):
    class Meta:
        model = Cite
        skip_postgeneration_save = True

    anct_id = factory.Sequence(lambda n: f"cite-t{n:03d}")
    name = factory.Faker("city", locale="fr_FR")
    wave = Cite.Wave.THIRD

    @factory.post_generation
    def territory(self, create, extracted, **kwargs):
        """`territory=(communes, qpvs, schools)`: how many of each to create and attach."""
        if not create or not extracted:
            return
        communes, qpvs, schools = extracted
        commune_objects = CommuneFactory.create_batch(communes)
        self.communes.add(*commune_objects)
        for _ in range(qpvs):
            qpv = QpvFactory()
            qpv.communes.add(commune_objects[0])
            self.qpvs.add(qpv)
        self.schools.add(*SchoolFactory.create_batch(schools, commune=commune_objects[0]))


class OrganisationFactory(DjangoModelFactory):
    """An association working in the cités given as `cites=[...]`."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Association des partenaires n°{n}")
    kind = OrganisationKind.ASSOCIATION
    commune = factory.LazyFunction(lambda: Commune.objects.get(insee_code="94028"))

    @factory.post_generation
    def cites(self, create, extracted, **kwargs):
        if create and extracted:
            self.cites.set(extracted)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    job_title = "Chargée de mission"
    email = factory.Sequence(lambda n: f"contact{n}@association.exemple.fr")


def troika_of(cite: Cite) -> Body:
    return Body.objects.get(cite=cite, kind=BodyKind.TROIKA)


class BodyFactory(DjangoModelFactory):
    class Meta:
        model = Body

    cite = factory.SubFactory(CiteFactory)
    kind = BodyKind.COPIL
    name = factory.Sequence(lambda n: f"Comité de pilotage n°{n}")


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    cite = factory.SelfAttribute("body.cite")
    title = factory.Sequence(lambda n: f"Réunion n°{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda meeting: meeting.starts_at + timedelta(hours=2))
    place = "Hôtel de ville de Créteil, salle du conseil"


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    cite = factory.SelfAttribute("meeting.cite")
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Décision n°{n}")
    text = "La troïka retient la proposition présentée en séance."


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    cite = factory.SubFactory(CiteFactory)
    title = factory.Sequence(lambda n: f"Tâche n°{n}")
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


def siren_for(number: int) -> str:
    """A valid SIREN (Luhn key computed by python-stdnum) built from an 8-digit `number`."""
    from stdnum import luhn

    base = f"{number:08d}"
    return base + luhn.calc_check_digit(base)


def siret_for(number: int, establishment: int = 1) -> str:
    """A valid SIRET: the SIREN of `number`, an establishment number, then the Luhn key."""
    from stdnum import luhn

    base = siren_for(number) + f"{establishment:04d}"
    return base + luhn.calc_check_digit(base)


def partner_file(headers: list, rows: list[list], *, kind: str = "csv", encoding: str = "utf-8", delimiter: str = ";"):
    """A partner file to import: a CSV (in `encoding`, columns separated by `delimiter`) or an XLSX workbook."""
    import csv
    import io

    if kind == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Partenaires")
        for row in [headers, *rows]:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\r\n").writerows([headers, *rows])
    return text.getvalue().encode(encoding)


class PartnerImportFactory(DjangoModelFactory):
    """An uploaded partner file (two columns, one line), waiting for its column mapping."""

    class Meta:
        model = "partners.PartnerImport"

    cite = factory.SubFactory(CiteFactory)
    file = factory.django.FileField(filename="partenaires.csv", data="Nom;Type\r\nLudothèque;Association\r\n".encode())
    file_name = "partenaires.csv"
    headers = factory.LazyFunction(lambda: ["Nom", "Type"])
    sample_rows = factory.LazyFunction(lambda: [["Ludothèque", "Association"]])


def holder_of(organisation: Organisation, cite: Cite, **fields) -> User:
    """A project holder of `cite` acting for `organisation` (a contact of it with an account)."""
    user = UserFactory(**fields)
    grant(user, cite, Role.PROJECT_HOLDER)
    ContactFactory(organisation=organisation, user=user, email=user.email)
    return user


class ObjectiveFactory(DjangoModelFactory):
    """A local axis under a national objective (pass `parent=` for an operational objective)."""

    class Meta:
        model = Objective

    cite = factory.SubFactory(CiteFactory)
    national_objective = NationalObjective.SCHOOL
    title = factory.Sequence(lambda n: f"Axe local n°{n}")


class CallFactory(DjangoModelFactory):
    """A published call of `cite`, open now, with a grid of two criteria (weights 2 and 1, out of 5)."""

    class Meta:
        model = CallForProjects
        skip_postgeneration_save = True

    cite = factory.SubFactory(CiteFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    title = factory.Sequence(lambda n: f"Appel à projets n°{n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    envelope = Decimal("100000")
    eligibility = "Actions menées pour les enfants et les jeunes de 0 à 25 ans des quartiers prioritaires."
    is_published = True

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if create and extracted is None:
            Criterion.objects.create(call=self, label="Pertinence au regard des objectifs", weight=2, position=1)
            Criterion.objects.create(call=self, label="Partenariat et ancrage local", weight=1, position=2)


class ActionFactory(DjangoModelFactory):
    """An action of `call`'s cité, held by a new organisation of that cité, in `status` (default submitted)."""

    class Meta:
        model = Action

    call = factory.SubFactory(CallFactory)
    cite = factory.SelfAttribute("call.cite")
    organisation = factory.LazyAttribute(lambda action: OrganisationFactory(cites=[action.cite]))
    title = factory.Sequence(lambda n: f"Action n°{n}")
    summary = "Un atelier hebdomadaire pour les collégiens du quartier et leurs parents."
    status = ActionStatus.SUBMITTED
    expected_beneficiaries = 40


def source(code: str) -> FundingSource:
    return FundingSource.objects.get(code=code)


class EnvelopeFactory(DjangoModelFactory):
    """Créteil's-like yearly envelope from P147 unless told otherwise (`source=source("commune")`)."""

    class Meta:
        model = Envelope

    cite = factory.SubFactory(CiteFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    source = factory.LazyFunction(lambda: source("p147"))
    amount = Decimal("250000")


class GrantFactory(DjangoModelFactory):
    """A requested grant on `action` from `envelope` (same cité)."""

    class Meta:
        model = Grant

    action = factory.SubFactory(ActionFactory, status=ActionStatus.SELECTED)
    cite = factory.SelfAttribute("action.cite")
    envelope = factory.LazyAttribute(lambda grant: EnvelopeFactory(cite=grant.cite, year=grant.action.call.year))
    requested = Decimal("10000")
