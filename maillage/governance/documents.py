"""Printable documents of a meeting: the minutes with the attendance list, as PDF (WeasyPrint).

The HTML comes from our own template and the sanitised minutes; WeasyPrint may fetch nothing (no image,
no remote style sheet): every style is inline, fonts are the system's DejaVu (accents, €).
"""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from maillage.governance.models import Attendance, Meeting


def no_fetching() -> URLFetcher:
    """A fetcher that allows no protocol: nothing is fetched while rendering (the minutes are text and
    links, the styles are inline), so a link in the minutes can never make the server call an address."""
    return URLFetcher(allowed_protocols=())


def attendance_groups(invitations) -> list[tuple[str, list]]:
    """Invitations grouped as présents, excusés, absents, then not recorded (only non-empty groups)."""
    order = [Attendance.PRESENT, Attendance.EXCUSED, Attendance.ABSENT, Attendance.UNKNOWN]
    titles = {
        Attendance.PRESENT: "Présents",
        Attendance.EXCUSED: "Excusés",
        Attendance.ABSENT: "Absents",
        Attendance.UNKNOWN: "Présence non renseignée",
    }
    groups = {value: [] for value in order}
    for invitation in invitations:
        groups[Attendance(invitation.attendance)].append(invitation)
    return [(titles[value], groups[value]) for value in order if groups[value]]


def minutes_document(meeting: Meeting, *, invitations, agenda_items):
    """The rendered document (WeasyPrint `Document`): its pages can be inspected or written as PDF.
    `meeting` with `body` and `cite` selected; `invitations` with `contact__organisation`."""
    invitations = list(invitations)
    html = render_to_string(
        "governance/minutes_pdf.html",
        {
            "meeting": meeting,
            "agenda_items": agenda_items,
            "invitations": invitations,
            "groups": attendance_groups(invitations),
            "generated_at": timezone.now(),
        },
    )
    return HTML(string=html, url_fetcher=no_fetching()).render()


def minutes_pdf(meeting: Meeting, *, invitations, agenda_items) -> bytes:
    return minutes_document(meeting, invitations=invitations, agenda_items=agenda_items).write_pdf()
