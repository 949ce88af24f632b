"""Use cases of bodies and meetings: create and change bodies, plan meetings, invite, send the
invitations, record attendance, write the minutes, attach documents. Each writes its event.

Every function validates everything first and raises `ValidationError` (in French) before it writes.
"""

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

import filetype
import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone

from maillage.core.events import record_event, snapshot
from maillage.core.models import Verb
from maillage.governance.calendar import invitation_ics
from maillage.governance.models import (
    AgendaItem,
    Attachment,
    Attendance,
    Body,
    BodyKind,
    Invitation,
    Meeting,
    MeetingStatus,
)
from maillage.partners.models import Contact, Organisation

BODY_FIELDS = ["kind", "name", "description", "is_active"]
MEETING_FIELDS = ["title", "starts_at", "ends_at", "place", "status"]
SCHEDULE_FIELDS = ["starts_at", "ends_at", "place", "status"]
"""Changes that calendar applications must see as a new version of the invitation (SEQUENCE)."""

CREATABLE_KINDS = [kind for kind in BodyKind if kind != BodyKind.TROIKA]


# Bodies


def check_body(*, cite_id: int, kind: str, name: str, exclude_pk: int | None = None) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = "Donnez un nom à l'instance."
    elif Body.objects.filter(cite_id=cite_id, name__iexact=name.strip()).exclude(pk=exclude_pk).exists():
        errors["name"] = "Une instance de ce nom existe déjà dans la cité."
    if kind not in BodyKind.values:
        errors["kind"] = "Choisissez un type d'instance de la liste."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_body(*, actor, cite, kind: str, name: str, description: str = "") -> Body:
    """A new body of the cité (COPIL, COTECH, working group…). The troïka exists already: one per cité."""
    if kind == BodyKind.TROIKA:
        raise ValidationError({"kind": "La cité a déjà sa troïka : choisissez un autre type d'instance."})
    check_body(cite_id=cite.pk, kind=kind, name=name)
    body = Body.objects.create(cite=cite, kind=kind, name=name.strip(), description=description.strip())
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=body,
        summary=f"Instance créée : {body.name}",
        after=snapshot(body, BODY_FIELDS),
    )
    return body


@transaction.atomic
def update_body(*, actor, body: Body, name: str, description: str, is_active: bool, kind: str | None = None) -> bool:
    """Change a body's name, description, activity or kind. The troïka stays a troïka, and stays active.
    Returns False when nothing changes."""
    kind = body.kind if kind is None else kind
    if (body.kind == BodyKind.TROIKA) != (kind == BodyKind.TROIKA):
        raise ValidationError({"kind": "La troïka reste une troïka, et une seule instance de la cité l'est."})
    if body.kind == BodyKind.TROIKA and not is_active:
        raise ValidationError({"is_active": "La troïka ne peut pas être désactivée : elle valide les décisions."})
    check_body(cite_id=body.cite_id, kind=kind, name=name, exclude_pk=body.pk)
    before = snapshot(body, BODY_FIELDS)
    body.kind, body.name, body.description, body.is_active = kind, name.strip(), description.strip(), is_active
    after = snapshot(body, BODY_FIELDS)
    if before == after:
        return False
    body.save(update_fields=BODY_FIELDS)
    record_event(
        actor=actor, verb=Verb.UPDATED, obj=body, summary=f"Instance modifiée : {body.name}", before=before, after=after
    )
    return True


# Meetings


@dataclass(frozen=True)
class AgendaLine:
    title: str
    presenter: str = ""


def check_meeting(*, title: str, starts_at, ends_at, place: str, agenda: list[AgendaLine]) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = "Donnez un intitulé à la réunion."
    elif len(title.strip()) > Meeting._meta.get_field("title").max_length:
        errors["title"] = "L'intitulé ne dépasse pas 200 caractères."
    if starts_at is None or ends_at is None:
        errors["ends_at"] = "Indiquez la date, l'heure de début et l'heure de fin."
    elif ends_at <= starts_at:
        errors["ends_at"] = "L'heure de fin doit être après l'heure de début."
    if len(place) > Meeting._meta.get_field("place").max_length:
        errors["place"] = "Le lieu ne dépasse pas 255 caractères."
    for number, line in enumerate(agenda, start=1):
        if not line.title.strip():
            errors["agenda"] = f"Le point n°{number} de l'ordre du jour est vide."
        elif len(line.title) > AgendaItem._meta.get_field("title").max_length:
            errors["agenda"] = f"Le point n°{number} de l'ordre du jour dépasse 255 caractères."
        elif len(line.presenter) > AgendaItem._meta.get_field("presenter").max_length:
            errors["agenda"] = f"Le nom de qui présente le point n°{number} dépasse 200 caractères."
    if errors:
        raise ValidationError(errors)


def write_agenda(meeting: Meeting, agenda: list[AgendaLine]) -> None:
    meeting.agenda_items.all().delete()
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=position, title=line.title.strip(), presenter=line.presenter.strip())
        for position, line in enumerate(agenda, start=1)
    )


def agenda_label(title: str, presenter: str) -> str:
    return f"{title} ({presenter})" if presenter else title


def agenda_of(meeting: Meeting) -> list[str]:
    return [agenda_label(item.title, item.presenter) for item in meeting.agenda_items.all()]


@transaction.atomic
def create_meeting(
    *, actor, body: Body, title: str, starts_at, ends_at, place: str = "", agenda: list[AgendaLine] = ()
) -> Meeting:
    """Plan a sitting of a body, with its agenda."""
    if not body.is_active:
        raise ValidationError("Cette instance n'est plus active : réactivez-la avant d'y prévoir une réunion.")
    agenda = list(agenda)
    check_meeting(title=title, starts_at=starts_at, ends_at=ends_at, place=place, agenda=agenda)
    meeting = Meeting.objects.create(
        cite_id=body.cite_id,
        body=body,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    write_agenda(meeting, agenda)
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=meeting,
        summary=f"Réunion prévue : {meeting.title} ({body.name})",
        after={**snapshot(meeting, MEETING_FIELDS), "ordre du jour": agenda_of(meeting)},
    )
    return meeting


@transaction.atomic
def update_meeting(
    *, actor, meeting: Meeting, title: str, starts_at, ends_at, place: str, status: str, agenda: list[AgendaLine]
) -> bool:
    """Change a meeting. A new time, place or status raises the invitation's version (iCalendar SEQUENCE),
    so calendars that hold it replace it when the invitation is sent again. False when nothing changes."""
    agenda = list(agenda)
    check_meeting(title=title, starts_at=starts_at, ends_at=ends_at, place=place, agenda=agenda)
    if status not in MeetingStatus.values:
        raise ValidationError({"status": "Choisissez un état de la liste."})
    before = {**snapshot(meeting, MEETING_FIELDS), "ordre du jour": agenda_of(meeting)}
    meeting.title, meeting.starts_at, meeting.ends_at = title.strip(), starts_at, ends_at
    meeting.place, meeting.status = place.strip(), status
    new_agenda = [agenda_label(line.title.strip(), line.presenter.strip()) for line in agenda]
    after = {**snapshot(meeting, MEETING_FIELDS), "ordre du jour": new_agenda}
    if before == after:
        return False
    if any(before[name] != after[name] for name in SCHEDULE_FIELDS):
        meeting.sequence += 1
    meeting.save(update_fields=[*MEETING_FIELDS, "sequence"])
    if before["ordre du jour"] != new_agenda:
        write_agenda(meeting, agenda)
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=meeting,
        summary=f"Réunion modifiée : {meeting.title}",
        before=before,
        after=after,
    )
    return True


# Invitees, invitations, attendance


def invitable_contacts(meeting: Meeting):
    """Contacts of the organisations working in the meeting's cité: the people one may invite."""
    return Contact.objects.filter(organisation__in=Organisation.objects.in_cites([meeting.cite_id]))


@transaction.atomic
def update_invitees(*, actor, meeting: Meeting, add=(), remove=()) -> tuple[int, int]:
    """Invite contacts of the cité's organisations and withdraw invitations. Returns (added, removed)."""
    add_ids = {contact.pk for contact in add}
    remove_ids = {contact.pk for contact in remove}
    if add_ids & remove_ids:
        raise ValidationError("Une même personne ne peut pas être ajoutée et retirée à la fois.")
    allowed = set(invitable_contacts(meeting).filter(pk__in=add_ids).values_list("pk", flat=True))
    if add_ids - allowed:
        raise ValidationError("Seuls les contacts des structures partenaires de la cité peuvent être invités.")
    already = set(meeting.invitations.values_list("contact_id", flat=True))
    new_ids = add_ids - already
    gone_ids = remove_ids & already
    if not new_ids and not gone_ids:
        return 0, 0
    Invitation.objects.bulk_create(Invitation(meeting=meeting, contact_id=pk) for pk in sorted(new_ids))
    meeting.invitations.filter(contact_id__in=gone_ids).delete()
    names = dict(Contact.objects.filter(pk__in=new_ids | gone_ids).values_list("pk", "last_name"))
    parts = []
    if new_ids:
        parts.append(f"{len(new_ids)} invité(s) ajouté(s)")
    if gone_ids:
        parts.append(f"{len(gone_ids)} invitation(s) retirée(s)")
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=meeting,
        summary="Invités : " + ", ".join(parts),
        before={"invités retirés": sorted(names[pk] for pk in gone_ids)} if gone_ids else {},
        after={"invités ajoutés": sorted(names[pk] for pk in new_ids)} if new_ids else {},
    )
    return len(new_ids), len(gone_ids)


@dataclass
class SendingReport:
    sent: list[Contact] = field(default_factory=list)
    without_email: list[Contact] = field(default_factory=list)


def invitation_message(meeting: Meeting, contact: Contact, connection) -> EmailMessage:
    cancelled = meeting.status == MeetingStatus.CANCELLED
    context = {
        "meeting": meeting,
        "contact": contact,
        "cancelled": cancelled,
        "agenda": list(meeting.agenda_items.all()),
        "platform_url": settings.PLATFORM_URL.rstrip("/"),
    }
    subject = ("Annulation : " if cancelled else "Invitation : ") + f"{meeting.title} — {meeting.body.name}"
    message = EmailMessage(
        subject=subject,
        body=render_to_string("governance/emails/invitation.txt", context),
        to=[contact.email],
        connection=connection,
    )
    method = "CANCEL" if cancelled else "REQUEST"
    filename = "annulation.ics" if cancelled else "invitation.ics"
    message.attach(filename, invitation_ics(meeting, contact), f"text/calendar; method={method}")
    return message


def send_invitations(*, actor, meeting: Meeting) -> SendingReport:
    """E-mail every invitee who has an address their invitation (.ics attached), or the cancellation of a
    cancelled meeting; then mark them sent and log it. Invitees without an address are reported.

    The e-mails leave before the database is written (no write lock is held while the mail server answers);
    if sending fails, nothing is marked as sent and the error reaches the caller.
    """
    invitations = list(meeting.invitations.select_related("contact__organisation").order_by("contact__last_name"))
    prefetch_related_objects([meeting], "agenda_items")  # read by every message and every .ics
    if not invitations:
        raise ValidationError("Ajoutez des invités avant d'envoyer les invitations.")
    report = SendingReport()
    with_email = [invitation for invitation in invitations if invitation.contact.email]
    report.without_email = [invitation.contact for invitation in invitations if not invitation.contact.email]
    if with_email:
        connection = get_connection()
        messages = [invitation_message(meeting, invitation.contact, connection) for invitation in with_email]
        connection.send_messages(messages)
    report.sent = [invitation.contact for invitation in with_email]
    mark_invitations_sent(actor=actor, meeting=meeting, invitations=with_email, report=report)
    return report


@transaction.atomic
def mark_invitations_sent(*, actor, meeting: Meeting, invitations: list[Invitation], report: SendingReport) -> None:
    now = timezone.now()
    Invitation.objects.filter(pk__in=[invitation.pk for invitation in invitations]).update(sent_at=now)
    if invitations:
        meeting.invitations_sent_at = now
        meeting.save(update_fields=["invitations_sent_at"])
    what = "Annulation envoyée" if meeting.status == MeetingStatus.CANCELLED else "Invitations envoyées"
    summary = f"{what} à {len(report.sent)} personne(s)"
    if report.without_email:
        summary += f" ; {len(report.without_email)} sans adresse e-mail"
    record_event(
        actor=actor,
        verb=Verb.INVITATIONS_SENT,
        obj=meeting,
        summary=summary,
        after={"version": meeting.sequence, "envoyées": len(report.sent), "sans e-mail": len(report.without_email)},
    )


ATTENDANCE_ORDER = (Attendance.PRESENT, Attendance.EXCUSED, Attendance.ABSENT, Attendance.UNKNOWN)


def attendance_counts(values) -> dict[str, int]:
    """How many present, excused, absent and not recorded, by French label."""
    counts = Counter(values)
    return {str(choice.label): counts.get(choice.value, 0) for choice in ATTENDANCE_ORDER}


@transaction.atomic
def record_attendance(*, actor, meeting: Meeting, attendance: dict[int, str]) -> int:
    """Record who was present, excused or absent (`attendance`: invitation pk → value). A planned meeting
    that has started is then marked as held. Returns how many answers changed."""
    invitations = {invitation.pk: invitation for invitation in meeting.invitations.all()}
    if set(attendance) - set(invitations):
        raise ValidationError("Une des personnes n'est pas invitée à cette réunion.")
    if set(attendance.values()) - set(Attendance.values):
        raise ValidationError("Choisissez présent, excusé ou absent pour chaque personne.")
    before = attendance_counts(invitation.attendance for invitation in invitations.values())
    changed = []
    for pk, value in attendance.items():
        if invitations[pk].attendance != value:
            invitations[pk].attendance = value
            changed.append(invitations[pk])
    Invitation.objects.bulk_update(changed, ["attendance"])
    after = attendance_counts(invitation.attendance for invitation in invitations.values())
    if meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now():
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
    if changed:
        summary = ", ".join(f"{count} {label}" for label, count in after.items() if count)
        record_event(
            actor=actor,
            verb=Verb.ATTENDANCE_RECORDED,
            obj=meeting,
            summary=f"Émargement : {summary}",
            before=before,
            after=after,
        )
    return len(changed)


# Minutes


# What the minutes' editor (Trix, static/js/minutes-editor.js) writes, plus <h2> and <h4> of earlier minutes.
MINUTES_TAGS = {"p", "br", "strong", "em", "del", "ul", "ol", "li", "h2", "h3", "h4", "a", "blockquote", "pre"}
MINUTES_ATTRIBUTES = {"a": {"href"}}
MINUTES_URL_SCHEMES = {"http", "https", "mailto"}
LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def sanitise_minutes(text: str) -> str:
    """The minutes as safe HTML: only a few tags (paragraphs, emphasis, lists, headings, links, quotes, code).
    Text typed without any tag becomes paragraphs (blank lines) and line breaks."""
    text = (text or "").replace("\r\n", "\n").strip()
    if text and not LOOKS_LIKE_HTML.search(text):
        paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
        text = "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)
    cleaned = nh3.clean(
        text,
        tags=MINUTES_TAGS,
        attributes=MINUTES_ATTRIBUTES,
        url_schemes=MINUTES_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


@transaction.atomic
def write_minutes(*, actor, meeting: Meeting, minutes: str) -> bool:
    """Save the minutes, sanitised. Returns False when they do not change."""
    cleaned = sanitise_minutes(minutes)
    if cleaned == meeting.minutes:
        return False
    first = not meeting.minutes
    meeting.minutes = cleaned
    meeting.minutes_updated_at = timezone.now()
    meeting.save(update_fields=["minutes", "minutes_updated_at"])
    record_event(
        actor=actor,
        verb=Verb.MINUTES_WRITTEN,
        obj=meeting,
        summary=("Compte rendu rédigé" if first else "Compte rendu modifié") + f" : {meeting.title}",
        after={"longueur (caractères)": len(cleaned)},
    )
    return True


# Attachments


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    detected: str | None  # filetype's extension for the content; None for text files


TEXT_KINDS = {
    "csv": FileKind("CSV", "text/csv", None),
    "txt": FileKind("texte", "text/plain", None),
}
ALLOWED_FILES = {
    "pdf": FileKind("PDF", "application/pdf", "pdf"),
    "odt": FileKind("ODT", "application/vnd.oasis.opendocument.text", "odt"),
    "ods": FileKind("ODS", "application/vnd.oasis.opendocument.spreadsheet", "ods"),
    "odp": FileKind("ODP", "application/vnd.oasis.opendocument.presentation", "odp"),
    "docx": FileKind("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": FileKind("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": FileKind("PPTX", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "png": FileKind("PNG", "image/png", "png"),
    "jpg": FileKind("JPEG", "image/jpeg", "jpg"),
    "jpeg": FileKind("JPEG", "image/jpeg", "jpg"),
    **TEXT_KINDS,
}
ALLOWED_LABELS = "PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, PNG, JPEG, CSV et texte (TXT)"
SIGNATURE_BYTES = 8192


def read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SIGNATURE_BYTES)
    upload.seek(0)
    return head


def is_utf8_text(upload) -> bool:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def check_upload(upload) -> FileKind:
    """The kind of an uploaded file, checked by its extension AND its content, and its size.
    Raises a French `ValidationError` for anything else."""
    name = PurePath(upload.name or "").name
    if upload.size is None or upload.size == 0:
        raise ValidationError("Le fichier est vide.")
    if upload.size > settings.UPLOAD_MAX_SIZE:
        raise ValidationError(
            f"Le fichier pèse {filesizeformat(upload.size)} : la taille maximale est de "
            f"{filesizeformat(settings.UPLOAD_MAX_SIZE)}."
        )
    extension = PurePath(name).suffix.lower().lstrip(".")
    kind = ALLOWED_FILES.get(extension)
    if kind is None:
        raise ValidationError(f"Ce type de fichier n'est pas accepté. Types acceptés : {ALLOWED_LABELS}.")
    guessed = filetype.guess(read_head(upload))
    if kind.detected is None:
        if guessed is not None or not is_utf8_text(upload):
            raise ValidationError(
                f"Le fichier « {name} » n'est pas un fichier {kind.label} lisible (texte encodé en UTF-8 attendu)."
            )
    elif guessed is None or guessed.extension != kind.detected:
        raise ValidationError(
            f"Le contenu du fichier « {name} » ne correspond pas à son extension .{extension} : "
            "il a été refusé par sécurité."
        )
    return kind


@transaction.atomic
def add_attachment(*, actor, meeting: Meeting, upload) -> Attachment:
    """Attach a document to a meeting after checking its type (extension and content) and size."""
    kind = check_upload(upload)
    name = PurePath(upload.name).name[: Attachment._meta.get_field("name").max_length]
    attachment = Attachment(
        meeting=meeting,
        name=name,
        content_type=kind.content_type,
        size=upload.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
        record_event(
            actor=actor,
            verb=Verb.ATTACHMENT_ADDED,
            obj=meeting,
            summary=f"Pièce jointe ajoutée : {name} ({filesizeformat(upload.size)})",
            after={"fichier": name, "type": kind.label, "taille (octets)": upload.size},
        )
    except Exception:
        attachment.file.delete(save=False)  # no file left on disk without its row
        raise
    return attachment
