"""The .ics file of an activity (maillage.offer.calendar): one weekly event per slot, in Paris time, that a
calendar can import again without duplicates."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from maillage.offer.models import ActivitySlot, ActivityStatus, Weekday
from tests.offer.factories import published_activity

PARIS = ZoneInfo("Europe/Paris")
MONDAY = datetime(2025, 3, 10, 9, 0, tzinfo=PARIS)


def ics_of(client, activity):
    response = client.get(reverse("offer:activity_ics", args=[activity.cite.slug, activity.slug]))
    assert response.status_code == 200
    return response, Calendar.from_ical(response.content)


@time_machine.travel(MONDAY, tick=False)
def test_each_slot_is_a_weekly_event_until_the_end_of_the_school_year(client, creteil):
    activity = published_activity(creteil, title="Club d'échecs", how_to_join="Venez avec un parent.")
    ActivitySlot.objects.create(activity=activity, weekday=Weekday.SATURDAY, starts_at=time(10), ends_at=time(12))
    response, calendar = ics_of(client, activity)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{activity.slug}.ics"'

    events = sorted(calendar.walk("VEVENT"), key=lambda event: event.decoded("dtstart"))
    assert len(events) == 2
    wednesday, saturday = events
    assert wednesday.decoded("dtstart") == datetime(2025, 3, 12, 14, 0, tzinfo=PARIS)  # the first Wednesday from today
    assert wednesday.decoded("dtend") == datetime(2025, 3, 12, 16, 0, tzinfo=PARIS)
    assert wednesday["dtstart"].params["TZID"] == "Europe/Paris"
    assert saturday.decoded("dtstart") == datetime(2025, 3, 15, 10, 0, tzinfo=PARIS)
    rule = wednesday["rrule"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["UNTIL"][0].astimezone(PARIS) == datetime(2025, 8, 31, 23, 59, 59, tzinfo=PARIS)
    assert str(wednesday["summary"]) == "Club d'échecs"
    assert "Comment participer : Venez avec un parent." in str(wednesday["description"])
    assert "contact@association.exemple.fr" in str(wednesday["description"])
    assert str(wednesday["location"]) == "Centre social, 1 place de l'Abbaye"
    assert str(wednesday["url"]) == f"http://testserver{activity.get_absolute_url()}"
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


@time_machine.travel(MONDAY, tick=False)
def test_the_dates_of_the_activity_bound_its_sessions(client, creteil):
    activity = published_activity(creteil, starts_on=date(2025, 4, 1), ends_on=date(2025, 6, 30))
    event = ics_of(client, activity)[1].walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2025, 4, 2, 14, 0, tzinfo=PARIS)  # first Wednesday from 1 April
    assert event["rrule"]["UNTIL"][0].astimezone(PARIS) == datetime(2025, 6, 30, 23, 59, 59, tzinfo=PARIS)


@time_machine.travel(datetime(2025, 10, 6, 9, 0, tzinfo=PARIS), tick=False)
def test_in_the_autumn_the_sessions_run_to_the_next_august(client, creteil):
    event = ics_of(client, published_activity(creteil))[1].walk("VEVENT")[0]
    assert event["rrule"]["UNTIL"][0].astimezone(PARIS).date() == date(2026, 8, 31)


def test_the_uids_are_stable(client, creteil):
    activity = published_activity(creteil)
    first = [str(event["uid"]) for event in ics_of(client, activity)[1].walk("VEVENT")]
    activity.title = "Club d'échecs (nouveau nom)"
    activity.save()  # also empties the public cache
    second = [str(event["uid"]) for event in ics_of(client, activity)[1].walk("VEVENT")]
    slot = activity.slots.get()
    assert first == second == [f"activite-{activity.pk}-creneau-{slot.pk}@127.0.0.1"]


@time_machine.travel(MONDAY, tick=False)
def test_an_activity_without_slots_is_one_event_over_its_dates(client, creteil):
    camp = published_activity(
        creteil, title="Stage de printemps", weekday=None, starts_on=date(2025, 4, 14), ends_on=date(2025, 4, 18)
    )
    events = ics_of(client, camp)[1].walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("dtstart") == date(2025, 4, 14)
    assert events[0].decoded("dtend") == date(2025, 4, 19)  # exclusive end of an all-day event
    assert "rrule" not in events[0]


@time_machine.travel(MONDAY, tick=False)
def test_a_finished_activity_has_no_session_left(client, creteil):
    finished = published_activity(creteil, starts_on=date(2025, 3, 3), ends_on=date(2025, 3, 4))
    assert ics_of(client, finished)[1].walk("VEVENT") == []


@pytest.mark.parametrize("status", [ActivityStatus.DRAFT, ActivityStatus.PENDING, ActivityStatus.WITHDRAWN])
def test_no_ics_for_an_unpublished_activity(client, creteil, status):
    hidden = published_activity(creteil, status=status)
    assert client.get(reverse("offer:activity_ics", args=[creteil.slug, hidden.slug])).status_code == 404
