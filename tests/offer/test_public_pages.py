"""The public offer's pages (maillage.offer.views.public): open to everyone, published activities only, titles and
descriptions for search engines, the sitemap, and a fixed number of queries whatever the size of the offer."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Role
from maillage.offer.models import ActivityStatus, Weekday
from maillage.offer.views.public import ACTIVITIES_PER_PAGE
from maillage.territories.models import Qpv
from tests.offer.factories import published_activity
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
HIDDEN_STATUSES = [ActivityStatus.DRAFT, ActivityStatus.PENDING, ActivityStatus.REFUSED, ActivityStatus.WITHDRAWN]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def no_public_cache(settings):
    """Every request renders its page (the cache's own tests are in test_public_cache.py)."""
    settings.CACHES = {**settings.CACHES, "public": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def chess(creteil):
    return published_activity(
        creteil,
        title="Club d'échecs du mercredi",
        themes=("culture",),
        qpv=Qpv.objects.get(code="QN09405M"),
        how_to_join="Venez le premier mercredi avec un parent.",
        registration_url="https://inscriptions.exemple.fr/echecs",
        accessibility="Salle de plain-pied.",
    )


def page_urls(activity) -> dict[str, str]:
    slugs = [activity.cite.slug, activity.slug]
    return {
        "home": reverse("offer:home"),
        "search": reverse("offer:search"),
        "cite": reverse("offer:cite", args=[activity.cite.slug]),
        "activity": reverse("offer:activity", args=slugs),
        "activity_ics": reverse("offer:activity_ics", args=slugs),
        "sitemap": reverse("offer:sitemap"),
    }


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def map_points(response) -> list[dict]:
    found = re.search(
        r'<script id="carte-activites-points" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


def listed_titles(response) -> list[str]:
    return [
        unescape(title)
        for title in re.findall(
            r'<h3 class="fr-h6 fr-mb-1w"><a href="[^"]+">([^<]+)</a></h3>', response.content.decode()
        )
    ]


def head_of(response) -> tuple[str, str]:
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    return unescape(title).strip(), unescape(description)


# Who may see the pages.


def test_every_public_page_answers_without_an_account(client, chess):
    for name, url in page_urls(chess).items():
        response = client.get(url)
        assert response.status_code == 200, name


@pytest.mark.parametrize("role", [*EVERY_ROLE, "other_coordinator"])
def test_every_role_sees_the_public_pages_and_no_unpublished_activity(
    client, user_in, creteil, other_cite, chess, role
):
    client.force_login(user_in(Role.COORDINATOR, other_cite) if role == "other_coordinator" else user_in(role, creteil))
    for name, url in page_urls(chess).items():
        assert client.get(url).status_code == 200, name
    draft = published_activity(creteil, title="En préparation", status=ActivityStatus.DRAFT)
    for name in ("activity", "activity_ics"):
        assert client.get(page_urls(draft)[name]).status_code == 404


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_an_unpublished_activity_has_no_public_page(client, creteil, status):
    hidden = published_activity(creteil, title="Cachée", status=status)
    urls = page_urls(hidden)
    assert client.get(urls["activity"]).status_code == 404
    assert client.get(urls["activity_ics"]).status_code == 404
    for name in ("home", "search", "cite", "sitemap"):
        assert "Cachée" not in client.get(urls[name]).content.decode(), name
    assert map_points(client.get(urls["search"])) == []


def test_an_activity_is_found_under_its_own_cite_only(client, chess, other_cite):
    assert client.get(reverse("offer:activity", args=[other_cite.slug, chess.slug])).status_code == 404
    assert client.get(reverse("offer:cite", args=["nulle-part"])).status_code == 404


# The entry page.


def test_the_entry_page_lists_the_cites_with_a_published_offer(client, chess, other_cite):
    published_activity(other_cite, title="Cachée", status=ActivityStatus.PENDING)
    response = client.get(reverse("offer:home"))
    text = text_of(response)
    assert "Trouver une activité près de chez vous" in text
    assert "Cité éducative Créteil" in text and "1 activité" in text
    assert "Allonnes" not in text
    assert 'action="/offre/activites/"' in response.content.decode()  # age and place lead to the search


@pytest.mark.parametrize("typed", ["94000", "creteil"])
def test_the_entry_page_finds_the_cites_of_a_place(client, creteil, typed):
    """A cité without a published offer is found too (its page says so)."""
    text = text_of(client.get(reverse("offer:home"), {"lieu": typed}))
    assert "1 cité éducative à Créteil" in text
    assert "pas encore d'activité publiée" in text


def test_the_entry_page_says_when_no_cite_matches_the_place(client, chess):
    response = client.get(reverse("offer:home"), {"lieu": "Atlantide"}, headers=HTMX)
    assert "<html" not in response.content.decode()  # htmx refreshes the cités only
    assert "Aucune cité éducative ne correspond à « Atlantide »" in text_of(response)


# The search and the cité's page.


def test_the_search_lists_and_maps_the_activities_for_a_typed_age_and_place(client, creteil, other_cite, chess):
    published_activity(creteil, title="Foot des 11-14 ans", min_age=11, max_age=14)
    published_activity(other_cite, title="Lecture à Allonnes", min_age=8, max_age=10)
    response = client.get(reverse("offer:search"), {"age": "9", "lieu": "Créteil"})
    assert listed_titles(response) == ["Club d'échecs du mercredi"]
    assert [point["title"] for point in map_points(response)] == ["Club d'échecs du mercredi"]
    assert map_points(response)[0]["url"] == chess.get_absolute_url()
    text = text_of(response)
    assert "1 activité" in text
    assert "Voir sur la carte : Club d'échecs du mercredi" in text
    assert "Cité éducative à Créteil : Créteil" in text
    assert "Mercredi de 14h00 à 16h00" in text and "de 6 à 10 ans" in text and "Gratuit" in text


def test_every_filter_of_the_search_is_labelled(client, chess):
    html = client.get(reverse("offer:search")).content.decode()
    for name in ("age", "lieu", "parents", "thematique", "temps", "jour", "gratuit", "semaine"):
        assert re.search(rf'<label class="fr-label" for="id_{name}">', html), name
    assert 'type="number"' in html
    assert 'hx-get="/offre/activites/"' in html and 'hx-target="#resultats"' in html and 'hx-push-url="true"' in html
    assert 'aria-live="polite"' in html


def test_the_filters_of_the_search_page_apply(client, creteil, chess):
    published_activity(creteil, title="Foot du samedi", weekday=Weekday.SATURDAY, is_free=False, themes=("sport",))
    url = reverse("offer:search")
    assert listed_titles(client.get(url, {"jour": "mercredi"})) == ["Club d'échecs du mercredi"]
    assert listed_titles(client.get(url, {"jour": "samedi"})) == ["Foot du samedi"]
    assert listed_titles(client.get(url, {"thematique": "sport"})) == ["Foot du samedi"]
    assert listed_titles(client.get(url, {"gratuit": "on"})) == ["Club d'échecs du mercredi"]


@pytest.mark.parametrize("age", ["26", "-1", "neuf"])
def test_a_wrong_age_is_explained_in_french_and_left_out(client, chess, age):
    response = client.get(reverse("offer:search"), {"age": age})
    assert "Indiquez un âge entre 0 et 25 ans, en chiffres." in text_of(response)
    assert listed_titles(response) == ["Club d'échecs du mercredi"]


def test_an_age_and_the_parents_together_are_refused(client, chess):
    response = client.get(reverse("offer:search"), {"age": "9", "parents": "on"})
    assert "Indiquez l'âge d'un enfant ou cochez « Activités pour les parents », pas les deux." in text_of(response)
    assert listed_titles(response) == ["Club d'échecs du mercredi"]  # the age still applies


def test_a_place_that_matches_no_cite_is_explained(client, chess):
    response = client.get(reverse("offer:search"), {"lieu": "Atlantide"})
    assert "Aucune cité éducative ne correspond à « Atlantide »" in text_of(response)
    assert listed_titles(response) == []


def test_htmx_gets_the_results_only_and_a_history_restore_the_whole_page(client, chess):
    url = reverse("offer:search")
    fragment = client.get(url, {"age": "9"}, headers=HTMX).content.decode()
    assert "<html" not in fragment and 'id="resultats-titre"' in fragment and "carte-activites-points" in fragment
    restored = client.get(url, {"age": "9"}, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restored.content.decode()


def test_the_list_is_paginated_and_the_map_shows_every_result(client, creteil):
    for number in range(ACTIVITIES_PER_PAGE + 5):
        published_activity(creteil, title=f"Activité {number:02d}")
    first = client.get(reverse("offer:search"))
    assert len(listed_titles(first)) == ACTIVITIES_PER_PAGE
    assert len(map_points(first)) == ACTIVITIES_PER_PAGE + 5
    assert "25 activités (page 1 sur 2)" in text_of(first)
    second = client.get(reverse("offer:search"), {"page": 2})
    assert listed_titles(second) == [f"Activité {number}" for number in range(20, 25)]


def test_an_activity_without_coordinates_is_listed_but_not_on_the_map(client, creteil):
    published_activity(creteil, title="Sans lieu sur la carte", latitude=None, longitude=None)
    response = client.get(reverse("offer:search"))
    assert listed_titles(response) == ["Sans lieu sur la carte"]
    assert map_points(response) == []
    assert "Voir sur la carte" not in response.content.decode()


def test_the_cite_page_presents_the_cite_and_searches_its_offer_only(client, creteil, other_cite, chess):
    published_activity(other_cite, title="Lecture à Allonnes")
    bleuets = published_activity(creteil, title="Lab des Bleuets", qpv=Qpv.objects.get(code="QN09406I"))
    url = reverse("offer:cite", args=[creteil.slug])
    response = client.get(url)
    text = text_of(response)
    assert "Cité éducative Créteil" in text
    assert "Les Bleuets et Mont Mesly - La Habette - Coteaux Du Sud" in text
    assert listed_titles(response) == ["Club d'échecs du mercredi", "Lab des Bleuets"]
    html = response.content.decode()
    assert 'id="id_quartier"' in html and 'id="id_lieu"' not in html
    assert '<option value="QN09406I">Les Bleuets</option>' in html and '<option value="94028">Créteil</option>' in html
    assert listed_titles(client.get(url, {"quartier": "QN09406I"})) == [bleuets.title]
    assert listed_titles(client.get(url, {"quartier": "94028"})) == ["Club d'échecs du mercredi", "Lab des Bleuets"]
    assert 'data-lat="48.78327"' in html  # the empty map centres on the cité


def test_a_cite_without_published_offer_says_so(client, other_cite):
    response = client.get(reverse("offer:cite", args=[other_cite.slug]))
    assert response.status_code == 200
    assert "Aucune activité ne correspond à ces critères." in text_of(response)


# The activity's page.


def test_the_activity_page_says_how_to_take_part(client, chess):
    response = client.get(chess.get_absolute_url())
    text = text_of(response)
    for expected in (
        "Club d'échecs du mercredi",
        "Comment participer",
        "Venez le premier mercredi avec un parent.",
        "S'inscrire en ligne",
        "contact@association.exemple.fr",
        "01 45 17 00 00",
        "Ajouter à mon agenda (.ics)",
        "de 6 à 10 ans",
        "Mercredi de 14h00 à 16h00",
        "Toute l'année",
        "Gratuit",
        "Culture",
        "Salle de plain-pied.",
        "quartier Mont Mesly - La Habette - Coteaux Du Sud",
        chess.organisation.name,
    ):
        assert expected in text, expected
    html = response.content.decode()
    assert 'href="https://inscriptions.exemple.fr/echecs"' in html
    assert 'href="mailto:contact@association.exemple.fr"' in html and 'href="tel:0145170000"' in html
    assert f'href="{reverse("offer:activity_ics", args=[chess.cite.slug, chess.slug])}" download' in html
    assert 'id="carte-lieu"' in html  # the small map of the place


def test_a_paying_activity_shows_its_price(client, creteil):
    paying = published_activity(creteil, title="Théâtre", is_free=False, price="15 € par trimestre")
    text = text_of(client.get(paying.get_absolute_url()))
    assert "15 € par trimestre" in text and "Payant" in text


# Titles, descriptions, sitemap.


def test_every_page_has_its_own_title_and_description(client, chess):
    urls = page_urls(chess)
    expected = {
        "home": ("Trouver une activité près de chez vous", "trouvez les activités des cités éducatives"),
        "search": ("Activités des cités éducatives", "Rechercher parmi les activités"),
        "cite": ("Activités de la cité éducative Créteil", "Les activités de la cité éducative Créteil"),
        "activity": ("Club d'échecs du mercredi — Cité éducative Créteil", chess.summary),
    }
    for name, (title, description) in expected.items():
        page_title, page_description = head_of(client.get(urls[name]))
        assert title in page_title and page_title.endswith("Maillage"), name
        assert description in page_description, name
        assert f'<link rel="canonical" href="http://testserver{urls[name]}">' in client.get(urls[name]).content.decode()
    filtered = client.get(urls["search"], {"age": "9", "lieu": "Créteil"})
    assert '<link rel="canonical" href="http://testserver/offre/activites/">' in filtered.content.decode()
    assert head_of(filtered)[0] == "Activités des cités éducatives pour 9 ans à Créteil — Maillage"
    for params, title in (
        ({"age": "1", "lieu": "94000"}, "Activités des cités éducatives pour 1 an à Créteil — Maillage"),
        ({"parents": "on"}, "Activités des cités éducatives pour les parents — Maillage"),
        ({"age": "neuf", "lieu": "Atlantide"}, "Activités des cités éducatives à Atlantide — Maillage"),
    ):
        assert head_of(client.get(urls["search"], params))[0] == title


def test_the_sitemap_lists_every_public_page(client, creteil, other_cite, chess):
    hidden = published_activity(creteil, title="Cachée", status=ActivityStatus.PENDING)
    published_activity(other_cite, title="En attente", status=ActivityStatus.PENDING)
    response = client.get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    locations = set(re.findall(r"<loc>http://testserver(.*?)</loc>", response.content.decode()))
    assert locations == {
        "/offre/",
        "/offre/activites/",
        "/offre/donnees/",
        f"/offre/{creteil.slug}/",
        chess.get_absolute_url(),
    }
    assert hidden.get_absolute_url() not in locations


# Speed.


def add_activities(cite, count: int) -> None:
    for number in range(count):
        published_activity(
            cite, title=f"Activité {number}", themes=("sport", "culture"), times_of_day=("extrascolaire",)
        )


@pytest.mark.usefixtures("no_public_cache")
@pytest.mark.parametrize(
    "params", [{}, {"age": "9", "lieu": "Créteil", "jour": "mercredi", "thematique": "sport", "semaine": "on"}]
)
def test_the_search_page_runs_a_fixed_number_of_queries(client, creteil, params):
    url = reverse("offer:search")
    add_activities(creteil, 3)
    small = count_queries(client, url, params)
    assert small > 0  # rendered, not served from the cache
    add_activities(creteil, 27)
    assert count_queries(client, url, params) == small
    assert count_queries(client, url, params, headers=HTMX) <= small


@pytest.mark.usefixtures("no_public_cache")
def test_the_cite_page_runs_a_fixed_number_of_queries(client, creteil):
    url = reverse("offer:cite", args=[creteil.slug])
    add_activities(creteil, 3)
    small = count_queries(client, url, {"quartier": "QN09405M", "age": "8"})
    add_activities(creteil, 27)
    assert count_queries(client, url, {"quartier": "QN09405M", "age": "8"}) == small


@pytest.mark.usefixtures("no_public_cache")
def test_the_entry_page_runs_a_fixed_number_of_queries(client, creteil, other_cite):
    url = reverse("offer:home")
    add_activities(creteil, 3)
    small = count_queries(client, url)
    add_activities(other_cite, 3)
    assert count_queries(client, url) == small
