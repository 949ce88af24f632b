"""The funding dashboard and the grant list in a real browser: the DSFR charts draw without JavaScript error,
each next to its table, and both pages pass axe-core."""

import pytest
from playwright.sync_api import expect

from maillage.core.models import Role
from tests.browser.test_territory_journey import sign_in
from tests.factories import UserFactory, grant
from tests.funding.test_dashboard import YEAR, build_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_its_charts_and_passes_axe(journey, creteil):
    build_programme(creteil)
    officer = UserFactory(email="gestionnaire@exemple.fr")
    grant(officer, creteil, Role.GRANT_OFFICER)
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, officer.email, "mot-de-passe-de-test")
    page.goto("/cites/cite-021/financements/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Financements {YEAR}")
    expect(page.locator("bar-chart canvas").first).to_be_visible()
    expect(page.locator("pie-chart canvas")).to_be_visible()
    journey.check("tableau-de-bord")
    page.get_by_role("link", name="Liste des subventions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subventions")
    journey.check("liste-des-subventions")
