"""An activity's sessions as an iCalendar file (.ics) that families add to their agenda.

One weekly recurring event per slot, from the first session on or after the activity's start (or today) until its
end (or 31 August, the end of that school year), in Paris time with its VTIMEZONE. An activity without slots
(a holiday camp on given dates) is one event over its dates. UIDs are built from the activity's and slots' ids,
so a calendar that imports the file again updates the events instead of duplicating them.
"""

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from maillage.offer.search import school_year_end

PARIS = ZoneInfo("Europe/Paris")


def first_session(weekday: int, start: date) -> date:
    """The first `weekday` on or after `start`."""
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def public_contact(activity) -> tuple[str, str]:
    """The e-mail and phone a family uses: the activity's, else its organisation's public ones."""
    return (
        activity.contact_email or activity.organisation.email,
        activity.contact_phone or activity.organisation.phone,
    )


def how_to_join_text(activity, page_url: str) -> str:
    lines = [activity.summary, "", f"Comment participer : {activity.how_to_join}"]
    if activity.registration_url:
        lines.append(f"Inscription : {activity.registration_url}")
    email, phone = public_contact(activity)
    if email:
        lines.append(f"E-mail : {email}")
    if phone:
        lines.append(f"Téléphone : {phone}")
    lines += ["", f"{activity.organisation.name} — {activity.get_period_display()}", page_url]
    return "\n".join(lines)


def activity_calendar(activity, *, today: date, page_url: str) -> bytes:
    """The .ics file of a published activity (its slots, organisation and cité loaded)."""
    domain = urlsplit(settings.PLATFORM_URL).hostname or "maillage"
    calendar = Calendar()
    calendar.add("prodid", "-//Maillage//Offre publique des cités éducatives//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", activity.title)
    calendar.add("x-wr-timezone", "Europe/Paris")

    def event(uid: str) -> Event:
        item = Event()
        item.add("uid", f"{uid}@{domain}")
        item.add("dtstamp", activity.updated_at.astimezone(UTC))
        item.add("summary", activity.title)
        item.add("description", how_to_join_text(activity, page_url))
        item.add("location", ", ".join(part for part in (activity.place_name, activity.address) if part))
        item.add("url", page_url)
        if activity.latitude is not None and activity.longitude is not None:
            item.add("geo", (activity.latitude, activity.longitude))
        return item

    start = activity.starts_on or today
    last = start
    for slot in activity.slots.all():
        first = first_session(slot.weekday, start)
        until = activity.ends_on or school_year_end(first)
        if first > until:
            continue  # no session left before the end
        session = event(f"activite-{activity.pk}-creneau-{slot.pk}")
        session.add("dtstart", datetime.combine(first, slot.starts_at, tzinfo=PARIS))
        session.add("dtend", datetime.combine(first, slot.ends_at, tzinfo=PARIS))
        last_moment = datetime.combine(until, time(23, 59, 59), tzinfo=PARIS)
        session.add("rrule", {"freq": "weekly", "until": last_moment.astimezone(UTC)})
        calendar.add_component(session)
        last = max(last, until)
    if not activity.slots.all() and activity.starts_on and activity.ends_on:
        dates = event(f"activite-{activity.pk}")
        dates.add("dtstart", activity.starts_on)
        dates.add("dtend", activity.ends_on + timedelta(days=1))  # the end of an all-day event is exclusive
        calendar.add_component(dates)
    # The time zone's changes over the sessions' span only (the default span, 1970 to 2038, lists 136 of them).
    calendar.add_missing_timezones(first_date=start - timedelta(days=1), last_date=last + timedelta(days=2))
    return calendar.to_ical()
