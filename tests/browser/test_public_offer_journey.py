"""The public offer in a real browser, as a parent without an account would use it, on a desktop and on a phone:
type the child's age and the commune on the entry page, see the activities for a 9-year-old on the list and on
the map, keep the Wednesday ones, open one, read how to take part and download its .ics. Every page passes
axe-core and shows no JavaScript error; a screenshot of each step is in test-results/browser/."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from icalendar import Calendar
from playwright.sync_api import Page, expect

from maillage.offer.models import Weekday
from maillage.territories.models import Qpv
from tests.offer.factories import published_activity

pytestmark = pytest.mark.browser

SCREENS = {"ordinateur": {"width": 1280, "height": 900}, "telephone": {"width": 390, "height": 844}}
CHESS = "Club d'échecs du mercredi"
HOMEWORK = "Aide aux devoirs du mercredi"
FOOTBALL = "Football du samedi"


@pytest.fixture
def offer(creteil, other_cite):
    """Créteil's offer, places spread over Mont-Mesly and the Bleuets; only the first three suit a 9-year-old."""
    mont_mesly, bleuets = Qpv.objects.get(code="QN09405M"), Qpv.objects.get(code="QN09406I")
    chess = published_activity(
        creteil,
        title=CHESS,
        min_age=7,
        max_age=14,
        qpv=mont_mesly,
        latitude=48.7772,
        longitude=2.4628,
        place_name="Centre social Kennedy",
        how_to_join="Inscription sur place, avec un parent.",
    )
    published_activity(
        creteil,
        title=HOMEWORK,
        min_age=8,
        max_age=11,
        qpv=bleuets,
        latitude=48.8027,
        longitude=2.4545,
        place_name="Maison de quartier des Bleuets",
        themes=("accompagnement-scolaire",),
    )
    published_activity(
        creteil,
        title=FOOTBALL,
        min_age=6,
        max_age=10,
        weekday=Weekday.SATURDAY,
        latitude=48.7747,
        longitude=2.4575,
        themes=("sport",),
    )
    published_activity(
        creteil, title="Atelier vidéo des 11-14 ans", min_age=11, max_age=14, latitude=48.7925, longitude=2.4551
    )
    published_activity(creteil, title="Café des parents", min_age=None, max_age=None, weekday=Weekday.TUESDAY)
    published_activity(other_cite, title="Lecture à Allonnes", min_age=6, max_age=10)
    return chess


def results(page: Page):
    return page.locator("#resultats")


def expect_titles(page: Page, titles: list[str]) -> None:
    expect(results(page).get_by_role("heading", level=3)).to_have_text(titles)


def expect_map(page: Page, count: int) -> None:
    """The map drew `count` results: markers, or clusters gathering them (no tiles: offline)."""
    drawn = page.locator(f"#carte-activites[data-drawn='{count}']")
    expect(drawn).to_be_attached()
    expect(drawn.locator(".offer-map__marker, .offer-map__cluster").first).to_be_visible()


@pytest.mark.parametrize("screen", SCREENS)
def test_a_parent_finds_a_wednesday_activity_for_a_nine_year_old_and_adds_it_to_the_agenda(journey, offer, screen):
    page = journey.page
    page.set_viewport_size(SCREENS[screen])
    page.goto(reverse("offer:home"))  # reverse() loads the URLs here first: the server's first answer is quicker
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouver une activité près de chez vous")
    expect(page.get_by_role("link", name="Cité éducative Créteil")).to_be_visible()
    journey.check("entree")

    # The parent types with the keyboard, and reaches the search button with Tab.
    page.get_by_label("Âge de l'enfant ou du jeune").fill("9")
    page.get_by_label("Commune ou code postal").fill("Créteil")
    page.keyboard.press("Tab")
    search = page.get_by_role("button", name="Rechercher")
    expect(search).to_be_focused()
    expect(page.locator("#cites")).to_contain_text("1 cité éducative à Créteil")  # htmx, as the place is typed
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/offre/activites/\?age=9&lieu=Cr%C3%A9teil$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher une activité")
    expect(results(page).get_by_role("heading", level=2)).to_have_text("3 activités")
    expect_titles(page, [HOMEWORK, CHESS, FOOTBALL])
    expect_map(page, 3)
    list_box, map_box = results(page).bounding_box(), page.locator("#carte-activites").bounding_box()
    if screen == "telephone":
        assert map_box["y"] > list_box["y"] + list_box["height"] - 1, "on a phone the map comes after the list"
    else:
        assert map_box["x"] > list_box["x"] + list_box["width"] - 1, "on a desktop the map is beside the list"
    journey.check("recherche-9-ans-creteil")

    # Only the Wednesdays: htmx refreshes the list and the map, and the count is read out.
    page.evaluate("() => { window.sameDocument = true; }")
    page.get_by_label("Jour de la semaine").select_option("mercredi")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"jour=mercredi"))
    expect_titles(page, [HOMEWORK, CHESS])
    expect_map(page, 2)
    expect(page.locator("#annonce")).to_have_text("2 activités")
    assert page.evaluate("() => window.sameDocument === true"), "htmx should swap the results, not reload the page"
    journey.check("mercredi")

    # The back button returns to the previous results, and forward again, the map redrawn each time.
    page.go_back()
    expect_titles(page, [HOMEWORK, CHESS, FOOTBALL])
    expect_map(page, 3)
    page.wait_for_load_state("load")  # htmx listens to the history once the page is loaded
    page.go_forward()
    expect_titles(page, [HOMEWORK, CHESS])
    expect_map(page, 2)

    # The list leads to the map: the result's marker opens its popup, whose link has the focus.
    page.get_by_role("button", name=f"Voir sur la carte : {CHESS}").click()
    popup_link = page.locator(".leaflet-popup").get_by_role("link", name=CHESS)
    expect(popup_link).to_be_focused()
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in: axe reads its real colours
    journey.check("sur-la-carte")

    results(page).get_by_role("link", name=CHESS).click()
    expect(page).to_have_url(re.compile(rf"{offer.get_absolute_url()}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(CHESS)
    how_to = page.get_by_role("region", name="Comment participer")
    expect(how_to).to_contain_text("Inscription sur place, avec un parent.")
    expect(how_to.get_by_role("link", name="contact@association.exemple.fr")).to_be_visible()
    journey.check("activite")

    with page.expect_download() as download_info:
        how_to.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"{offer.slug}.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == CHESS
    assert event.decoded("dtstart").weekday() == Weekday.WEDNESDAY
    assert event["rrule"]["FREQ"] == ["WEEKLY"]
    journey.check("agenda-telecharge")
