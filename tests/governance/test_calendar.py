"""iCalendar files: one meeting's .ics and the cité's private feed, parsed back with `icalendar`."""

import datetime

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from maillage.core.models import CITE_ROLES, Membership, Role
from maillage.governance import calendar as ical
from maillage.governance.models import MeetingStatus
from maillage.governance.services import meetings as services
from maillage.partners.models import CONTACT_READERS
from tests.factories import BodyFactory, MeetingFactory

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
VIEWERS = {*(role.value for role in CONTACT_READERS), "admin"}
PARIS = datetime.timezone(datetime.timedelta(hours=1))  # January: UTC+1


@pytest.fixture
def meeting(creteil):
    body = BodyFactory(cite=creteil, name="Rencontre des partenaires")
    meeting = MeetingFactory(
        body=body,
        title="Réunion des acteurs de la cité éducative",
        starts_at=datetime.datetime(2030, 1, 21, 14, 30, tzinfo=PARIS),
        ends_at=datetime.datetime(2030, 1, 21, 17, 0, tzinfo=PARIS),
        place="Préfecture, salle Émile Zola",
    )
    meeting.agenda_items.create(position=1, title="Ce qui existe déjà", presenter="M. le Préfet")
    meeting.agenda_items.create(position=2, title="Coordonner les partenaires ; suites à donner")
    return meeting


def only_event(content: bytes):
    calendar = Calendar.from_ical(content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_a_meetings_ics_has_every_field(client, user_in, creteil, meeting):
    client.force_login(user_in(Role.PROJECT_HOLDER.value, creteil))
    response = client.get(reverse("governance:meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="reunion-{meeting.pk}.ics"' in response["Content-Disposition"]
    calendar, event = only_event(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == ical.PRODID
    assert str(event["UID"]) == f"reunion-{meeting.pk}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == datetime.datetime(2030, 1, 21, 13, 30, tzinfo=datetime.UTC)
    assert event.decoded("DTEND") == datetime.datetime(2030, 1, 21, 16, 0, tzinfo=datetime.UTC)
    assert abs(event.decoded("DTSTAMP") - timezone.now()) < datetime.timedelta(minutes=1)
    assert str(event["SUMMARY"]) == "Réunion des acteurs de la cité éducative — Rencontre des partenaires"
    assert str(event["LOCATION"]) == "Préfecture, salle Émile Zola"
    description = str(event["DESCRIPTION"])
    assert "1. Ce qui existe déjà (M. le Préfet)" in description
    assert "2. Coordonner les partenaires ; suites à donner" in description
    assert description.endswith(reverse("governance:meeting_detail", args=[meeting.pk]))
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_uid_is_stable_and_the_sequence_follows_the_changes(creteil, meeting, user_in, settings):
    settings.PLATFORM_URL = "https://maillage.example.gouv.fr"
    actor = user_in(Role.COORDINATOR.value, creteil)
    _, before = only_event(ical.meeting_ics(meeting))
    services.update_meeting(
        actor=actor,
        meeting=meeting,
        title=meeting.title,
        starts_at=meeting.starts_at + datetime.timedelta(days=1),
        ends_at=meeting.ends_at + datetime.timedelta(days=1),
        place=meeting.place,
        status=MeetingStatus.CANCELLED,
        agenda=[services.AgendaLine("Ce qui existe déjà")],
    )
    _, after = only_event(ical.meeting_ics(meeting))
    assert str(before["UID"]) == str(after["UID"]) == f"reunion-{meeting.pk}@maillage.example.gouv.fr"
    assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
    assert str(after["STATUS"]) == "CANCELLED"
    assert after.decoded("DTSTART") == datetime.datetime(2030, 1, 22, 13, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_the_feed_answers_whoever_may_see_the_meetings(client, user_in, creteil, other_cite, meeting, role):
    user = user_in(role, creteil)
    elsewhere = MeetingFactory(body=BodyFactory(cite=other_cite), title="Ailleurs")
    url = reverse("governance:calendar_feed", args=[creteil.anct_id])
    response = client.get(url, {"jeton": ical.feed_token(user, creteil)})  # not signed in: calendar apps
    if role not in VIEWERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert uids == [f"reunion-{meeting.pk}@127.0.0.1"]
    assert f"reunion-{elsewhere.pk}@127.0.0.1" not in uids
    assert str(calendar["X-WR-CALNAME"]) == f"Réunions — {creteil.name}"


def test_the_calendar_page_gives_a_feed_url_that_works(client, user_in, creteil, meeting):
    client.force_login(user_in(Role.SCHOOL_CONTACT.value, creteil))
    feed_url = client.get(reverse("governance:calendar", args=[creteil.anct_id])).context["feed_url"]
    client.logout()
    response = client.get(feed_url)
    assert response.status_code == 200
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1


def test_the_feed_stops_when_the_person_leaves_or_is_deactivated(client, user_in, creteil, meeting):
    user = user_in(Role.COORDINATOR.value, creteil)
    url = reverse("governance:calendar_feed", args=[creteil.anct_id])
    token = {"jeton": ical.feed_token(user, creteil)}
    assert ical.feed_token(user, creteil) == token["jeton"]  # a stable address for the calendar application
    assert client.get(url, token).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(url, token).status_code == 403
    user.is_active = True
    user.save()
    Membership.objects.filter(user=user).delete()
    assert client.get(url, token).status_code == 403


def test_a_bad_or_borrowed_token_is_refused(client, user_in, creteil, other_cite, meeting):
    user = user_in(Role.COORDINATOR.value, creteil)
    token = ical.feed_token(user, creteil)
    url = reverse("governance:calendar_feed", args=[creteil.anct_id])
    assert client.get(url).status_code == 403
    assert client.get(url, {"jeton": token[:-2] + "xx"}).status_code == 403
    assert client.get(url, {"jeton": signing.Signer().sign_object([user.pk, creteil.pk])}).status_code == 403  # no salt
    assert client.get(url, {"jeton": signing.Signer(salt=ical.FEED_SALT).sign_object("x")}).status_code == 403
    other_url = reverse("governance:calendar_feed", args=[other_cite.anct_id])
    assert client.get(other_url, {"jeton": token}).status_code == 403
    assert client.get(other_url, {"jeton": ical.feed_token(user, other_cite)}).status_code == 403


def test_the_feed_runs_a_fixed_number_of_queries(client, user_in, creteil, meeting):
    user = user_in(Role.COORDINATOR.value, creteil)
    url = reverse("governance:calendar_feed", args=[creteil.anct_id])
    token = {"jeton": ical.feed_token(user, creteil)}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, token).status_code == 200
        return len(queries)

    small = count()
    for number in range(25):
        extra = MeetingFactory(body=meeting.body, starts_at=meeting.starts_at + datetime.timedelta(days=number))
        extra.agenda_items.create(position=1, title="Point")
    assert count() == small <= 6
    assert len(Calendar.from_ical(client.get(url, token).content).walk("VEVENT")) == 26
