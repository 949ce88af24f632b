"""The minutes' rich-text editor in a real browser: the coordinator formats the minutes of a demo meeting with
the keyboard (French toolbar, offline, axe-clean); without JavaScript the textarea still does the job."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from maillage.governance.models import Meeting
from tests.browser.test_territory_journey import sign_in

pytestmark = pytest.mark.browser

TOOLBAR_BUTTONS = [
    "Gras",
    "Italique",
    "Barré",
    "Lien",
    "Titre",
    "Citation",
    "Code",
    "Liste à puces",
    "Liste numérotée",
    "Diminuer le retrait",
    "Augmenter le retrait",
    "Annuler",
    "Rétablir",
]


@pytest.fixture
def meeting(demo) -> Meeting:
    """The partners' meeting of Créteil, 21 January 2020, whose demo minutes have headings and lists."""
    return Meeting.objects.get(cite__anct_id="cite-021", starts_at__date=datetime.date(2020, 1, 21))


def rendered(page: Page) -> None:
    """Wait until Trix has drawn the last change: it renders in an animation frame, and a key pressed before
    lands in a document it has not drawn yet (a person is never that fast)."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def press(page: Page, key: str) -> None:
    page.keyboard.press(key)
    rendered(page)


def type_slowly(page: Page, text: str) -> None:
    for character in text:
        page.keyboard.type(character)
        rendered(page)


def select(page: Page, keys: str, text: str) -> None:
    press(page, keys)
    page.wait_for_function("(text) => String(document.getSelection()) === text", arg=text)


def test_the_coordinator_formats_the_minutes_with_the_keyboard(journey, meeting, demo_password):
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "coordination@demo.maillage.test", demo_password)
    page.goto(f"/reunions/{meeting.pk}/")
    page.get_by_role("link", name="Modifier le compte rendu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compte rendu")

    # The editor replaces the textarea, named by the field's label, with its toolbar in French, without files.
    source = page.locator("textarea#id_minutes")
    editor = page.get_by_role("textbox", name=re.compile(r"^Compte rendu \(facultatif\)"))
    expect(source).to_be_hidden()
    expect(editor).to_be_visible()
    expect(editor).to_have_attribute("aria-describedby", "id_minutes-hint")
    toolbar = page.get_by_role("toolbar", name="Mise en forme")
    expect(toolbar.get_by_role("button")).to_have_text(TOOLBAR_BUTTONS)
    expect(page.get_by_role("button", name="Joindre un fichier")).to_have_count(0)
    # The saved minutes are loaded, headings and lists included.
    expect(editor.get_by_role("heading", level=2, name="Tour de table des partenaires")).to_be_visible()
    expect(editor.locator("ol > li")).to_have_count(3)
    journey.check("compte-rendu-editeur")

    # A click on the label goes to the editor; everything is replaced with new text.
    page.locator("label[for='id_minutes-editor']").click()
    expect(editor).to_be_focused()
    expect(editor).to_have_css("outline-style", "solid")  # the focus is visible (Trix's CSS removes it)
    press(page, "Control+a")
    press(page, "Delete")
    expect(source).to_have_value("")
    # A heading with the mouse (an <h3>: under the meeting page's "Compte rendu").
    type_slowly(page, "Décisions")
    toolbar.get_by_role("button", name="Titre").click()
    rendered(page)
    press(page, "Enter")
    type_slowly(page, "Le groupe se réunira chaque mois.")
    press(page, "Enter")
    type_slowly(page, "Prochaine séance en février")
    select(page, "Control+Shift+ArrowLeft", "février")
    press(page, "Control+b")
    expect(source).to_have_value(
        "<h3>Décisions</h3><p>Le groupe se réunira chaque mois.<br>Prochaine séance en <strong>février</strong></p>"
    )
    expect(toolbar.get_by_role("button", name="Gras")).to_have_attribute("aria-pressed", "true")

    # The toolbar is one tab stop before the editor; arrows move between its buttons, Enter presses one.
    press(page, "End")
    press(page, "Enter")
    press(page, "Shift+Tab")
    expect(toolbar.get_by_role("button", name="Gras")).to_be_focused()
    for _ in range(TOOLBAR_BUTTONS.index("Liste à puces")):
        press(page, "ArrowRight")
    bullets = toolbar.get_by_role("button", name="Liste à puces")
    expect(bullets).to_be_focused()
    expect(bullets).to_have_css("outline-style", "solid")
    press(page, "Enter")
    expect(editor).to_be_focused()
    expect(bullets).to_have_attribute("aria-pressed", "true")
    type_slowly(page, "Lectures au pied des immeubles")
    press(page, "Enter")
    type_slowly(page, "Club d'échecs")
    expect(source).to_have_value(re.compile(r"<ul><li>Lectures au pied des immeubles</li><li>Club d'échecs</li></ul>$"))

    # A link, through the toolbar's dialog (Ctrl+K; a real keyboard sends the key "k").
    select(page, "Shift+Home", "Club d'échecs")
    press(page, "Control+k")
    address = toolbar.get_by_role("textbox", name="Adresse du lien")
    expect(address).to_be_focused()
    expect(toolbar.get_by_role("button", name="Lier", exact=True)).to_be_visible()
    journey.check("compte-rendu-lien")
    address.fill("https://www.echecs.asso.fr/")
    press(page, "Enter")
    expect(address).to_be_hidden()
    expect(source).to_have_value(re.compile(r'<li><a href="https://www\.echecs\.asso\.fr/">Club d\'échecs</a></li>'))
    journey.check("compte-rendu-redige")

    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    expect(page).to_have_url(re.compile(rf"/reunions/{meeting.pk}/#compte-rendu$"))
    expect(page.get_by_role("status").filter(has_text="Le compte rendu est enregistré.")).to_be_visible()
    minutes = page.locator(".minutes")
    expect(minutes.get_by_role("heading", level=3)).to_have_text("Décisions")
    expect(minutes.locator("strong")).to_have_text("février")
    expect(minutes.locator("ul > li")).to_have_text(["Lectures au pied des immeubles", "Club d'échecs"])
    expect(minutes.get_by_role("link", name="Club d'échecs")).to_have_attribute("href", "https://www.echecs.asso.fr/")
    meeting.refresh_from_db()
    assert meeting.minutes == (
        "<h3>Décisions</h3>"
        "<p>Le groupe se réunira chaque mois.<br>Prochaine séance en <strong>février</strong></p>"
        "<ul><li>Lectures au pied des immeubles</li>"
        '<li><a href="https://www.echecs.asso.fr/" rel="noopener noreferrer">Club d\'échecs</a></li></ul>'
    )
    journey.check("reunion-compte-rendu")


def test_without_javascript_the_minutes_are_a_textarea(browser, live_server, journey, meeting, demo_password):
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "coordination@demo.maillage.test", demo_password)
    expect(page).to_have_url(re.compile(r"/cites/cite-021/$"))
    without_js = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, storage_state=page.context.storage_state()
    )
    try:
        plain = without_js.new_page()
        plain.goto(f"/reunions/{meeting.pk}/compte-rendu/")
        expect(plain.locator("trix-editor")).to_have_count(0)
        expect(plain.locator("textarea#id_minutes")).to_be_visible()
        plain.get_by_label(re.compile(r"^Compte rendu")).fill("Premier paragraphe\n\nSecond paragraphe")
        plain.get_by_role("button", name="Enregistrer le compte rendu").click()
        expect(plain.locator(".minutes p")).to_have_text(["Premier paragraphe", "Second paragraphe"])
    finally:
        without_js.close()
