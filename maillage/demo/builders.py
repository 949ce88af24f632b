"""The demo cité: Créteil (cite-021), built on the imported reference data with one account per role.

Each module adds its own part here (partners, governance, programme…). Every builder is idempotent:
running `load_demo` twice gives the same platform, and goes through the same services as people do.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction

from maillage.core import services as accounts
from maillage.core.models import Role, User
from maillage.territories import services as territory
from maillage.territories.models import Cite, Qpv, School

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
