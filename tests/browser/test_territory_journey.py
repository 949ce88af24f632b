"""The territory journey in a real browser: sign in, switch cité with the header, open schools; the
national level searches the list of cités. Every page visited passes axe-core (see conftest.py)."""

import re

import pytest
from playwright.sync_api import Page, expect

from maillage.demo.builders import CRETEIL_SCHOOLS
from maillage.territories.models import Cite

pytestmark = pytest.mark.browser

CRETEIL = "Créteil"
CHAMPIGNY = "Champigny-sur-Marne / Chennevières-sur-Marne"
ALBERT_CAMUS = "0940535W"  # école élémentaire, IPS published for three school years
LAPLACE = "0940003T"  # collège, REP: IPS and brevet


def sign_in(page: Page, email: str, password: str) -> None:
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def expect_cite_page(page: Page, anct_id: str, name: str) -> None:
    expect(page).to_have_url(re.compile(rf"/cites/{anct_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".fr-header__service-tagline")).to_have_text(f"Cité éducative {name}")
    expect(page.locator("#cite-switcher-select")).to_have_value(anct_id)


def switch_cite(page: Page, anct_id: str, name: str) -> None:
    """Work in another cité through the header's switcher (on every page)."""
    page.locator("#cite-switcher-select").select_option(anct_id)
    page.get_by_role("button", name="Changer de cité").click()
    expect_cite_page(page, anct_id, name)


def open_school(page: Page, uai: str) -> None:
    """Follow the school's link in the table of the cité's schools."""
    table = page.get_by_role("table", name=re.compile("^Établissements scolaires de la cité"))
    table.get_by_role("row").filter(has=page.get_by_role("cell", name=uai, exact=True)).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/etablissements/{uai}/$"))


def test_a_member_of_two_cites_switches_cite_and_opens_its_schools(journey, demo, demo_password):
    page = journey.page
    page.goto("/connexion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter à Maillage")
    journey.check("connexion")

    sign_in(page, "prefecture@demo.maillage.test", demo_password)
    # The délégué du préfet follows two cités; she lands on the first by name.
    expect_cite_page(page, "cite-014", CHAMPIGNY)
    journey.check("cite-champigny")

    switch_cite(page, "cite-021", CRETEIL)
    schools = page.get_by_role("table", name=re.compile("^Établissements scolaires de la cité"))
    expect(schools.locator("tbody tr")).to_have_count(len(CRETEIL_SCHOOLS))
    # The map is drawn without tiles: one SVG circle per school that has coordinates.
    school_map = page.locator("#carte-etablissements[data-drawn]")
    expect(school_map).to_be_visible()
    drawn = int(school_map.get_attribute("data-drawn"))
    assert drawn > 0
    expect(school_map.locator("path.leaflet-interactive")).to_have_count(drawn)
    expect(school_map.get_by_role("button", name="Zoom avant", exact=True)).to_be_visible()  # not Leaflet's English
    journey.check("cite-creteil")

    open_school(page, ALBERT_CAMUS)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Albert Camus")
    ips = page.get_by_role("table", name="IPS de l'établissement, du département et de la France")
    expect(ips.get_by_role("rowheader")).to_have_text(["2022-2023", "2023-2024", "2024-2025"])
    expect(page.locator("line-chart canvas")).to_be_visible()  # the DSFR chart web component rendered
    expect(page.locator("#carte-etablissement[data-drawn='1']")).to_be_visible()
    journey.check("ecole-albert-camus")

    page.get_by_role("navigation", name="vous êtes ici :").get_by_role("link", name=CRETEIL).click()
    expect_cite_page(page, "cite-021", CRETEIL)
    open_school(page, LAPLACE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Collège Laplace")
    brevet = page.get_by_role("table", name="Résultats au brevet")
    expect(brevet.get_by_role("columnheader")).to_have_text(
        ["Session", "Présents", "Admis", "Dont avec mention", "Taux de réussite", "Taux du département"]
    )
    expect(brevet.get_by_role("rowheader").first).to_be_visible()
    journey.check("college-laplace")

    # The switcher works from any page, not only from a cité's.
    switch_cite(page, "cite-014", CHAMPIGNY)


def test_the_national_level_searches_the_list_of_cites(journey, browser, live_server, demo, demo_password):
    all_cites = Cite.objects.count()
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "national@demo.maillage.test", demo_password)
    expect(page).to_have_url(re.compile(r"/cites/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cités éducatives")
    expect(page.locator("#resultats").get_by_role("status")).to_have_text(f"{all_cites} cités éducatives")
    journey.check("liste-des-cites")

    page.evaluate("() => { window.sameDocument = true; }")
    page.locator("#id_q").fill(CRETEIL)
    search = page.get_by_role("button", name="Rechercher")
    assert search.evaluate("(button) => button.scrollWidth <= button.clientWidth"), "label of the button clipped"
    search.click()
    expect(page).to_have_url(re.compile(r"/cites/\?q=Cr%C3%A9teil"))
    results = page.locator("#resultats")
    expect(results.get_by_role("status")).to_have_text("1 cité éducative")
    expect(results.get_by_role("link", name=CRETEIL, exact=True)).to_be_visible()
    assert page.evaluate("() => window.sameDocument === true"), "htmx should swap the results, not reload"
    journey.check("recherche-creteil")

    # Without JavaScript the same form is a plain GET form.
    without_js = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, storage_state=page.context.storage_state()
    )
    try:
        plain = without_js.new_page()
        plain.goto("/cites/")
        plain.locator("#id_q").fill(CRETEIL)
        plain.get_by_role("button", name="Rechercher").click()
        expect(plain).to_have_url(re.compile(r"/cites/\?q=Cr%C3%A9teil"))
        expect(plain.locator("#resultats").get_by_role("link", name=CRETEIL, exact=True)).to_be_visible()
    finally:
        without_js.close()


def test_the_coordinator_corrects_the_perimeter_and_finds_it_in_the_history(journey, demo, demo_password):
    """The coordinator removes a school from the cité; the page and its history say so. The account
    pages (second factor enrolment, refusal page) pass axe-core too."""
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "coordination@demo.maillage.test", demo_password)
    expect(page).to_have_url(re.compile(r"/cites/cite-021/$"))

    page.get_by_role("link", name="Modifier les QPV et établissements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Périmètre de la cité Créteil")
    journey.check("perimetre")
    beuvin = page.get_by_role("checkbox", name=re.compile(r"Ecole maternelle Charles Beuvin \(0940446Z\)"))
    expect(beuvin).to_be_checked()
    page.locator("label", has_text="Ecole maternelle Charles Beuvin (0940446Z)").click()  # DSFR: the label is on top
    expect(beuvin).not_to_be_checked()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(re.compile(r"/cites/cite-021/$"))
    expect(page.get_by_role("status").filter(has_text="Le périmètre de la cité est enregistré.")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("^Établissements scolaires de la cité"))
    expect(table.get_by_role("row")).to_have_count(len(CRETEIL_SCHOOLS))  # header row + 14 schools
    expect(table.get_by_role("cell", name="0940446Z", exact=True)).to_have_count(0)
    history = page.get_by_role("region", name="Historique")
    expect(history.get_by_text(re.compile(r"retrait : 0940446Z"))).to_be_visible()
    journey.check("perimetre-enregistre")

    page.get_by_role("link", name=re.compile("Julien Petit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    journey.check("mon-compte")
    page.get_by_role("link", name="Activer la double authentification").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    journey.check("double-authentification")

    response = page.goto("/cites/cite-001/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    # The browser logs the page's own 403 as a failed load: expected here, and the only error allowed.
    assert len(journey.errors) == 1 and "403" in journey.errors[0] and "/cites/cite-001/" in journey.errors[0]
    journey.errors.clear()
    journey.check("acces-refuse")
