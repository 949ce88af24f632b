"""The public pages' cache (maillage.offer.cache and signals): a second anonymous visit costs no query, and any
change of the offer shows at once."""

from datetime import date, datetime, time
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.core.models import Role, Theme
from maillage.offer.models import ActivitySlot, ActivityStatus, Weekday
from tests.offer.factories import published_activity

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def chess(creteil):
    return published_activity(creteil, title="Club d'échecs du mercredi", themes=("culture",))


def urls_of(activity) -> list[str]:
    slugs = [activity.cite.slug, activity.slug]
    return [
        reverse("offer:home"),
        reverse("offer:search") + "?age=9&lieu=Cr%C3%A9teil",
        reverse("offer:cite", args=[activity.cite.slug]),
        reverse("offer:activity", args=slugs),
        reverse("offer:activity_ics", args=slugs),
        reverse("offer:sitemap"),
    ]


def page(client, url) -> str:
    return unescape(client.get(url).content.decode())


def queries_of(client, url, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries), response


def test_a_second_anonymous_visit_is_served_from_the_cache_without_a_query(client, chess):
    for url in urls_of(chess):
        first_count, first = queries_of(client, url)
        second_count, second = queries_of(client, url)
        assert first_count > 0, url
        assert second_count == 0, url
        assert second.content == first.content
        assert second["Cache-Control"] == "public, max-age=60", url
        assert "HX-Request" in second["Vary"]


def test_the_htmx_fragment_and_the_page_are_cached_apart(client, chess):
    url = reverse("offer:search") + "?age=9"
    page = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in page and "<html" not in fragment
    assert "<html" in client.get(url).content.decode()


def test_the_query_string_is_part_of_the_key(client, creteil, chess):
    published_activity(creteil, title="Foot du samedi", weekday=Weekday.SATURDAY)
    url = reverse("offer:search")
    assert "Foot du samedi" in client.get(url, {"jour": "samedi"}).content.decode()
    assert "Foot du samedi" not in client.get(url, {"jour": "mercredi"}).content.decode()


def test_a_signed_in_visitor_gets_a_fresh_page(client, user_in, creteil, chess):
    url = reverse("offer:cite", args=[creteil.slug])
    anonymous = client.get(url).content.decode()
    user = user_in(Role.COORDINATOR, creteil, first_name="Julie", last_name="Martin")
    client.force_login(user)
    count, response = queries_of(client, url)
    assert count > 0
    assert "Julie Martin" in response.content.decode() and "Julie Martin" not in anonymous
    assert queries_of(client, url)[0] > 0  # never stored for a signed-in visitor
    client.logout()
    assert "Julie Martin" not in client.get(url).content.decode()


def message_cookie(text: str) -> str:
    """The messages cookie holding `text`, as the site would set it for the next page."""
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    return response.cookies["messages"].value


def test_a_page_with_a_message_for_its_visitor_is_neither_served_from_nor_stored_in_the_cache(client, chess):
    """A message is for one visitor, once: the cached page must not hide it, nor show it to the next visitors."""
    url = reverse("offer:home")
    client.get(url)  # cached, without message
    client.cookies["messages"] = message_cookie("Votre demande est envoyée.")
    assert "Votre demande est envoyée." in client.get(url).content.decode()
    del client.cookies["messages"]
    count, response = queries_of(client, url)
    assert count == 0 and "Votre demande est envoyée." not in response.content.decode()


@pytest.mark.parametrize(
    "change",
    ["title", "status", "slot", "theme", "organisation", "delete"],
)
def test_a_change_of_the_offer_shows_at_once(client, chess, change):
    urls = urls_of(chess)
    for url in urls:
        client.get(url)  # every page cached
    if change == "title":
        chess.title = "Club d'échecs et de dames"
        chess.save()
        assert "Club d'échecs et de dames" in page(client, urls[3])
        assert "Club d'échecs et de dames" in page(client, urls[1])
    elif change == "status":
        chess.status = ActivityStatus.WITHDRAWN
        chess.save()
        assert client.get(urls[3]).status_code == 404
        assert "Club d'échecs" not in page(client, urls[5])
    elif change == "slot":
        ActivitySlot.objects.create(activity=chess, weekday=Weekday.SATURDAY, starts_at=time(10), ends_at=time(12))
        assert "Samedi de 10h00 à 12h00" in page(client, urls[3])
        assert client.get(urls[4]).content.decode().count("BEGIN:VEVENT") == 2
    elif change == "theme":
        chess.themes.add(Theme.objects.get(code="numerique"))
        assert "Numérique" in page(client, urls[3])
    elif change == "organisation":
        chess.organisation.name = "Les Cavaliers de Créteil"
        chess.organisation.save()
        assert "Les Cavaliers de Créteil" in page(client, urls[3])
    else:
        chess.delete()
        assert "Club d'échecs" not in page(client, urls[2])


def test_a_page_cached_yesterday_is_not_served_today(client, creteil):
    """ "This week" starts from today: the cache keeps a page for the day it was made."""
    published_activity(creteil, title="Dernier mercredi", ends_on=date(2025, 3, 12))
    url = reverse("offer:search") + "?semaine=on"
    with time_machine.travel(datetime(2025, 3, 12, 23, 58, tzinfo=PARIS), tick=False):
        assert "Dernier mercredi" in page(client, url)
    with time_machine.travel(datetime(2025, 3, 13, 0, 1, tzinfo=PARIS), tick=False):
        assert "Dernier mercredi" not in page(client, url)


def test_a_page_that_sets_a_cookie_is_never_cached(db):
    """A cookie belongs to one visitor (a CSRF token, a session): such a page must not be served to the next."""
    from django.contrib.auth.models import AnonymousUser

    from maillage.offer.cache import cached_public_page

    calls = []

    @cached_public_page
    def page(request):
        calls.append(request)
        response = HttpResponse("page")
        response.set_cookie("csrftoken", f"token-{len(calls)}")
        return response

    for _ in range(2):
        request = RequestFactory().get("/offre/")
        request.user, request.htmx, request._messages = AnonymousUser(), False, CookieStorage(request)
        page(request)
    assert len(calls) == 2
