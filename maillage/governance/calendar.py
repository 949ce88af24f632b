"""iCalendar (RFC 5545) files of meetings: the invitation attached to e-mails, one meeting's .ics and a
cité's feed, and the signed token of a person's private feed.

A meeting keeps the same UID for its whole life (`reunion-<pk>@<host>`), so that calendar applications
update the event they already hold; `Meeting.sequence` tells them which version is the newest.
"""

import datetime
from email.utils import parseaddr
from urllib.parse import urlparse

from django.conf import settings
from django.core import signing
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from maillage.governance.models import Meeting, MeetingStatus

PRODID = "-//Maillage//Cités éducatives//FR"
FEED_SALT = "maillage.governance.calendar_feed"


def platform_host() -> str:
    """The host that names meetings in UIDs: the platform's public address, stable whatever the request."""
    return urlparse(settings.PLATFORM_URL).hostname or "maillage.localhost"


def meeting_uid(meeting: Meeting) -> str:
    return f"reunion-{meeting.pk}@{platform_host()}"


def agenda_text(meeting: Meeting) -> str:
    """The agenda as plain text (DESCRIPTION). Reads `meeting.agenda_items.all()`: prefetch it for lists."""
    lines = []
    for number, item in enumerate(meeting.agenda_items.all(), start=1):
        presenter = f" ({item.presenter})" if item.presenter else ""
        lines.append(f"{number}. {item.title}{presenter}")
    text = "Ordre du jour :\n" + "\n".join(lines) if lines else ""
    address = settings.PLATFORM_URL.rstrip("/") + meeting.get_absolute_url()
    return f"{text}\n\n{address}".strip()


def address(email: str, name: str) -> vCalAddress:
    value = vCalAddress(f"mailto:{email}")
    if name:
        value.params["CN"] = name
    return value


def meeting_event(meeting: Meeting, *, attendees=(), stamp: datetime.datetime | None = None) -> Event:
    """The VEVENT of a meeting. `attendees`: contacts to list as ATTENDEE (those with an e-mail)."""
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (stamp or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", f"{meeting.title} — {meeting.body.name}")
    if meeting.place:
        event.add("location", meeting.place)
    event.add("description", agenda_text(meeting))
    event.add("url", settings.PLATFORM_URL.rstrip("/") + meeting.get_absolute_url())
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    for contact in attendees:
        if not contact.email:
            continue
        attendee = address(contact.email, contact.full_name)
        attendee.params.update(
            {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE", "CUTYPE": "INDIVIDUAL"}
        )
        event.add("attendee", attendee)
    if attendees:
        organizer_name, organizer_email = organizer()
        event.add("organizer", address(organizer_email, organizer_name))
    return event


def organizer() -> tuple[str, str]:
    """(name, e-mail) of the sender of invitations, read from DEFAULT_FROM_EMAIL ("Name <address>")."""
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or "Maillage", email or "ne-pas-repondre@maillage.localhost"


def calendar_of(events, *, name: str = "", method: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def invitation_ics(meeting: Meeting, contact) -> bytes:
    """The .ics e-mailed to one invitee: a REQUEST naming them (or a CANCEL when the meeting is cancelled).

    Each invitee receives their own file, which lists only them: the others' addresses are not disclosed.
    """
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return calendar_of([meeting_event(meeting, attendees=[contact])], method=method)


def meeting_ics(meeting: Meeting) -> bytes:
    return calendar_of([meeting_event(meeting)], method="PUBLISH")


def feed_ics(meetings, *, name: str) -> bytes:
    """A cité's calendar feed. `meetings`: with `body` selected and `agenda_items` prefetched."""
    stamp = timezone.now()
    return calendar_of([meeting_event(meeting, stamp=stamp) for meeting in meetings], name=name, method="PUBLISH")


def feed_token(user, cite) -> str:
    """The secret part of a person's feed address: signs (user, cité). It stays valid while the person
    is active and may see the cité's meetings; the feed view checks both on every read."""
    return signing.Signer(salt=FEED_SALT).sign_object([user.pk, cite.pk])  # no timestamp: a stable address


def read_feed_token(token: str) -> tuple[int, int] | None:
    """(user pk, cité pk) of a valid token, else None."""
    try:
        user_id, cite_id = signing.Signer(salt=FEED_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(cite_id, int):
        return None
    return user_id, cite_id
