"""The troïka's decisions in a real browser: the coordinator proposes two decisions at a meeting; the three
pillars of Créteil, each signed in in their own browser, approve the first one, which is validated only
after the third approval; one pillar rejects the second, and must give a reason. Every page passes axe-core."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from maillage.governance.models import Decision
from maillage.territories.models import Cite
from tests.browser.conftest import Journey
from tests.browser.test_territory_journey import sign_in
from tests.factories import MeetingFactory, troika_of

pytestmark = pytest.mark.browser

PILLARS = [
    ("prefecture@demo.maillage.test", "etat"),
    ("education@demo.maillage.test", "education"),
    ("ville@demo.maillage.test", "ville"),
]


@contextmanager
def signed_in_elsewhere(browser, live_server, journey: Journey, email: str, password: str, name: str) -> Iterator[Page]:
    """Another person, in a browser profile of their own, whose pages are checked like the journey's."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    other = Journey(context.new_page(), journey.screenshots / name)
    other.screenshots.mkdir(parents=True)
    other.page.on("pageerror", lambda error: other.errors.append(f"exception : {error}"))
    other.page.on("console", other.record_console)
    try:
        other.page.goto("/connexion/")
        sign_in(other.page, email, password)
        expect(other.page.get_by_role("heading", level=1)).to_be_visible()
        yield other
        assert not other.errors, "Erreurs JavaScript :\n" + "\n".join(other.errors)
    finally:
        context.close()


def propose(journey: Journey, meeting_url: str, title: str, text: str) -> str:
    """The coordinator proposes a decision from the meeting page; returns the decision's address."""
    page = journey.page
    page.goto(meeting_url)
    decisions = page.get_by_role("region", name="Décisions")
    decisions.get_by_role("link", name="Proposer une décision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposer une décision")
    page.get_by_label("Intitulé").fill(title)
    page.get_by_label("Texte de la décision").fill(text)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page).to_have_url(re.compile(r"/decisions/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url


def test_three_pillars_validate_a_decision_and_one_rejects_another(journey, browser, live_server, demo, demo_password):
    creteil = Cite.objects.get(anct_id="cite-021")
    meeting = MeetingFactory(body=troika_of(creteil), title="Troïka de rentrée")
    page = journey.page
    page.goto("/connexion/")
    sign_in(page, "coordination@demo.maillage.test", demo_password)
    expect(page).to_have_url(re.compile(r"/cites/cite-021/$"))

    first = propose(journey, f"/reunions/{meeting.pk}/", "Ouvrir une micro-folie", "La médiathèque accueille…")
    expect(page.get_by_text("Cette décision est en attente")).to_be_visible()
    expect(page.get_by_role("button", name="Approuver")).to_have_count(0)  # the coordinator does not answer
    journey.check("decision-proposee")

    for number, (email, name) in enumerate(PILLARS, start=1):
        with signed_in_elsewhere(browser, live_server, journey, email, demo_password, name) as member:
            member.page.goto(first)
            member.check("decision")
            member.page.get_by_role("button", name="Approuver").click()
            expect(
                member.page.get_by_role("status").filter(has_text="Votre approbation est enregistrée")
            ).to_be_visible()
            expect(member.page.get_by_role("button", name="Approuver")).to_have_count(0)
            if number < 3:
                expect(member.page.get_by_text("Cette décision est en attente")).to_be_visible()
                expect(member.page.get_by_text("En attente de son avis")).to_have_count(3 - number)
            else:
                expect(member.page.get_by_text("la décision est validée par la troïka")).to_be_visible()
            member.check("avis-donne")

    page.goto(first)
    expect(page.get_by_text("Cette décision est validée par les trois piliers")).to_be_visible()
    history = page.get_by_role("region", name="Historique")
    expect(history.get_by_text("Approuvée par les trois piliers de la troïka")).to_be_visible()
    expect(history.get_by_text(re.compile("Approuvée par le pilier «"))).to_have_count(3)
    journey.check("decision-validee")

    second = propose(journey, f"/reunions/{meeting.pk}/", "Acheter un minibus", "Pour les sorties du mercredi.")
    with signed_in_elsewhere(browser, live_server, journey, "ville@demo.maillage.test", demo_password, "rejet") as city:
        city.page.goto(second)
        city.page.get_by_role("button", name="Rejeter").click()
        expect(city.page.get_by_text("Indiquez le motif du rejet : il est obligatoire.")).to_be_visible()
        expect(city.page.get_by_label(re.compile("^Motif du rejet"))).to_have_attribute("aria-invalid", "true")
        city.check("rejet-sans-motif")
        city.page.get_by_label(re.compile("^Motif du rejet")).fill("Le budget de la ville est déjà engagé.")
        city.page.get_by_role("button", name="Rejeter").click()
        expect(city.page).to_have_url(re.compile(r"/decisions/\d+/$"))
        expect(city.page.get_by_text("Cette décision est rejetée")).to_be_visible()
        expect(city.page.get_by_role("cell", name="Le budget de la ville est déjà engagé.")).to_be_visible()
        city.check("decision-rejetee")

    page.goto(f"/cites/{creteil.anct_id}/decisions/")
    total = Decision.objects.filter(cite=creteil).count()  # the demo's decisions and these two
    expect(page.get_by_role("status").filter(has_text=f"{total} décisions")).to_be_visible()
    journey.check("registre")
