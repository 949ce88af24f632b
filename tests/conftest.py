"""Shared fixtures. The real reference data (../shared/data) is imported once per test session into
the test database; each test then runs in a transaction that is rolled back."""

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command

from maillage.core.models import Role, Theme
from maillage.demo.builders import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from maillage.territories.models import Cite, Commune, Indicator
from tests.factories import UserFactory, grant


def pytest_configure(config):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collected static files in tests: WhiteNoise would index them for every test client.
    settings.STATIC_ROOT = None
    # Each test process keeps its public-page cache in memory (emptied before every test, below).
    settings.CACHES = {
        **settings.CACHES,
        "public": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "public-pages"},
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def import_reference_data() -> None:
    call_command("import_reference", data=settings.REFERENCE_DATA_DIR, verbosity=0)


@pytest.fixture(autouse=True)
def empty_caches():
    """No test sees a page another test cached."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        import_reference_data()


@pytest.fixture
def reference_data(db):
    """The imported reference data. Transactional tests (browser) empty the database when they end,
    so this re-imports it when it is missing."""
    if not Commune.objects.exists():
        import_reference_data()
    if not Theme.objects.exists():
        # Seeded by a data migration, so emptied with the rest by a transactional test's flush.
        for seeding in ("core.migrations.0003_seed_vocabularies", "core.migrations.0005_seed_programme_vocabularies"):
            import_module(f"maillage.{seeding}").seed(apps, None)
    if not Indicator.objects.filter(code="reach_total").exists():
        import_module("maillage.evaluation.migrations.0002_seed_national_indicators").seed(apps, None)


@pytest.fixture
def creteil(reference_data) -> Cite:
    return Cite.objects.get(anct_id="cite-021")


@pytest.fixture
def other_cite(reference_data) -> Cite:
    """A cité outside the demo perimeter (Allonnes, Sarthe)."""
    return Cite.objects.get(anct_id="cite-001")


@pytest.fixture
def demo(reference_data) -> dict[str, object]:
    """The demo platform; returns its accounts by role ("admin" for the administrator)."""
    from maillage.core.models import User

    load_demo()
    users = {account.email: account for account in DEMO_ACCOUNTS}
    return {(users[user.email].role or "admin"): user for user in User.objects.filter(email__in=list(users))}


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def user_in(db):
    """Factory: a user holding `role` in `cite` (or a national / admin account)."""

    def make(role: str | None, cite: Cite | None = None, **fields):
        user = UserFactory(is_superuser=role == "admin", is_staff=role == "admin", **fields)
        if role and role != "admin":
            grant(user, None if role == Role.NATIONAL else cite, role)
        return user

    return make


@pytest.fixture
def signed_in(client, user_in, creteil):
    """`signed_in(role, cite=creteil)`: the test client signs in as a new user holding `role` in `cite`."""

    def sign_in(role, cite=None):
        user = user_in(role, cite or creteil)
        client.force_login(user)
        return user

    return sign_in
