"""Pages of a cité's governance: its troïka and bodies, their meetings (agenda, invitees, attendance,
minutes, attachments), the printable documents, the calendar and its private .ics feed."""

import datetime
import smtplib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, DateField, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import TROIKA_ROLES, Event, Membership, User
from maillage.governance import calendar as ical
from maillage.governance import documents
from maillage.governance.forms.meetings import (
    AttachmentForm,
    AttendanceForm,
    BodyForm,
    ContactSearchForm,
    InviteesForm,
    MeetingForm,
    MinutesForm,
)
from maillage.governance.models import (
    PILLAR_OF_ROLE,
    Approval,
    Attachment,
    Attendance,
    Body,
    Meeting,
    MeetingStatus,
    Pillar,
)
from maillage.governance.services import meetings as services
from maillage.partners.models import Contact
from maillage.territories.models import Cite

MEETINGS_PER_PAGE = 20
CONTACTS_PER_PAGE = 50
SUMMARY_LENGTH = 5
HISTORY_LENGTH = 10
FEED_PAST_DAYS = 365

NOT_IN_PERIMETER = "Cette cité n'est pas dans votre périmètre."
CANNOT_VIEW = "Les réunions de cette cité ne vous sont pas accessibles : elles nomment des personnes."
CANNOT_MANAGE = "Seul le chef de projet de la cité peut gérer ses instances et ses réunions."


def require(request, perm: str, obj, message: str) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(message)


def cite_or_404(anct_id: str) -> Cite:
    return get_object_or_404(Cite, anct_id=anct_id)


def body_or_404(pk: int) -> Body:
    return get_object_or_404(Body.objects.select_related("cite"), pk=pk)


def meeting_or_404(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("cite", "body"), pk=pk)


def invitations_of(meeting: Meeting):
    return meeting.invitations.select_related("contact__organisation").order_by(
        "contact__organisation__name", "contact__last_name", "contact__first_name"
    )


# The cité's governance


def troika_members(cite: Cite, user) -> list[tuple[str, list[User]]]:
    """The troïka's three pillars with the active people holding each pillar's role in the cité."""
    memberships = (
        Membership.objects.for_user(user)
        .filter(cite=cite, role__in=TROIKA_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    people = {pillar: [] for pillar in Pillar}
    for membership in memberships:
        people[PILLAR_OF_ROLE[membership.role]].append(membership.user)
    return [(pillar.label, people[pillar]) for pillar in Pillar]


def cite_governance(request, anct_id):
    cite = cite_or_404(anct_id)
    require(request, "governance.view_decisions", cite, NOT_IN_PERIMETER)
    remember_cite(request, cite)
    can_view_meetings = request.user.has_perm("governance.view_meetings", cite)
    now = timezone.now()
    bodies = cite.bodies.annotate(meeting_count=Count("meetings")).order_by("kind", "name")
    context = {
        "title": f"Gouvernance — {cite.name}",
        "cite": cite,
        "bodies": bodies,
        "can_view_meetings": can_view_meetings,
        "can_manage": request.user.has_perm("governance.manage_meetings", cite),
    }
    if can_view_meetings:
        meetings = Meeting.objects.for_user(request.user).filter(cite=cite).select_related("body")
        context |= {
            "troika": troika_members(cite, request.user),
            "upcoming": meetings.filter(ends_at__gte=now).order_by("starts_at")[:SUMMARY_LENGTH],
            "recent": meetings.filter(ends_at__lt=now)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("-starts_at")[:SUMMARY_LENGTH],
        }
    return render(request, "governance/cite_governance.html", context)


# Bodies


def body_create(request, anct_id):
    cite = cite_or_404(anct_id)
    require(request, "governance.manage_meetings", cite, CANNOT_MANAGE)
    form = BodyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            body = services.create_body(
                actor=request.user,
                cite=cite,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"L'instance « {body.name} » est créée.")
            return redirect(body)
    return render(
        request,
        "governance/body_form.html",
        {"title": f"Nouvelle instance — {cite.name}", "cite": cite, "form": form},
    )


def body_detail(request, pk):
    body = body_or_404(pk)
    require(request, "governance.view_meetings", body, CANNOT_VIEW)
    meetings = body.meetings.annotate(invitee_count=Count("invitations")).order_by("-starts_at")
    page = Paginator(meetings, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    events = Event.objects.for_user(request.user).for_object(body).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "governance/body_detail.html",
        {
            "title": f"{body.name} — {body.cite.name}",
            "cite": body.cite,
            "body": body,
            "page_obj": page,
            "events": events,
            "can_manage": request.user.has_perm("governance.manage_meetings", body),
        },
    )


def body_update(request, pk):
    body = body_or_404(pk)
    require(request, "governance.manage_meetings", body, CANNOT_MANAGE)
    form = BodyForm(request.POST if request.method == "POST" else None, body=body)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = services.update_body(
                actor=request.user,
                body=body,
                kind=data.get("kind"),
                name=data["name"],
                description=data["description"],
                is_active=data.get("is_active", body.is_active),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "L'instance est modifiée." if changed else "Aucun changement à enregistrer.")
            return redirect(body)
    return render(
        request,
        "governance/body_form.html",
        {"title": f"Modifier — {body.name}", "cite": body.cite, "body": body, "form": form},
    )


# Meetings


def meeting_values(data: dict) -> dict:
    """What the meeting form gives the services."""
    return {name: data[name] for name in ("title", "starts_at", "ends_at", "place", "agenda")}


def meeting_page(meeting: Meeting, title: str, **context) -> dict:
    """The context every page of one meeting starts from (the breadcrumb reads cite, body and meeting)."""
    return {
        "title": f"{title} — {meeting.title}",
        "cite": meeting.cite,
        "body": meeting.body,
        "meeting": meeting,
    } | context


def meeting_create(request, pk):
    body = body_or_404(pk)
    require(request, "governance.manage_meetings", body, CANNOT_MANAGE)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.create_meeting(actor=request.user, body=body, **meeting_values(data))
        except ValidationError as error:
            add_service_errors(form, error, MeetingForm.SERVICE_FIELDS)
        else:
            messages.success(request, "La réunion est prévue. Ajoutez maintenant ses invités.")
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_form.html",
        {"title": f"Nouvelle réunion — {body.name}", "cite": body.cite, "body": body, "form": form},
    )


def meeting_detail(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.view_meetings", meeting, CANNOT_VIEW)
    remember_cite(request, meeting.cite)
    invitations = list(invitations_of(meeting))
    can_manage = request.user.has_perm("governance.manage_meetings", meeting)
    events = Event.objects.for_user(request.user).for_object(meeting).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "title": str(meeting),
            "cite": meeting.cite,
            "body": meeting.body,
            "meeting": meeting,
            "agenda_items": meeting.agenda_items.all(),
            "invitations": invitations,
            "attendance": [
                (label, count)
                for label, count in services.attendance_counts(
                    invitation.attendance for invitation in invitations
                ).items()
                if count or label != Attendance.UNKNOWN.label
            ],
            "without_email": [invitation.contact for invitation in invitations if not invitation.contact.email],
            "attachments": meeting.attachments.all(),
            "decisions": meeting.decisions.prefetch_related(
                Prefetch("approvals", queryset=Approval.objects.select_related("user"))
            ).select_related("organisation"),
            "tasks": meeting.tasks.select_related("owner"),
            "events": events,
            "can_manage": can_manage,
            "attachment_form": AttachmentForm(max_size_label=filesizeformat(settings.UPLOAD_MAX_SIZE))
            if can_manage
            else None,
        },
    )


def meeting_update(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.manage_meetings", meeting, CANNOT_MANAGE)
    form = MeetingForm(request.POST if request.method == "POST" else None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sequence = meeting.sequence
        try:
            changed = services.update_meeting(
                actor=request.user, meeting=meeting, status=data["status"], **meeting_values(data)
            )
        except ValidationError as error:
            add_service_errors(form, error, MeetingForm.SERVICE_FIELDS)
        else:
            if not changed:
                messages.info(request, "Aucun changement à enregistrer.")
            elif meeting.sequence != sequence and meeting.invitations_sent_at:
                messages.warning(
                    request,
                    "La réunion est modifiée. Les invitations avaient déjà été envoyées : "
                    "envoyez-les de nouveau pour mettre à jour les agendas des invités.",
                )
            else:
                messages.success(request, "La réunion est modifiée.")
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_form.html",
        meeting_page(meeting, "Modifier", form=form),
    )


def grouped_by_organisation(contacts) -> list[tuple[object, list]]:
    """[(organisation, [contacts])] in the order given (contacts sorted by organisation)."""
    groups: list[tuple[object, list]] = []
    for contact in contacts:
        if not groups or groups[-1][0].pk != contact.organisation_id:
            groups.append((contact.organisation, []))
        groups[-1][1].append(contact)
    return groups


def meeting_invitees(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.manage_meetings", meeting, CANNOT_MANAGE)
    invited_ids = meeting.invitations.values("contact_id")
    invitable = services.invitable_contacts(meeting).exclude(pk__in=invited_ids)
    invited = Contact.objects.filter(pk__in=invited_ids)
    form = InviteesForm(request.POST if request.method == "POST" else None, invitable=invitable, invited=invited)
    if request.method == "POST" and form.is_valid():
        try:
            added, removed = services.update_invitees(
                actor=request.user, meeting=meeting, add=form.cleaned_data["add"], remove=form.cleaned_data["remove"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, invitees_message(added, removed))
            return redirect("governance:meeting_invitees", meeting.pk)
    search = ContactSearchForm(request.GET or None)
    candidates = invitable.select_related("organisation").order_by("organisation__name", "last_name", "first_name")
    if search.is_valid() and search.cleaned_data["q"]:
        words = search.cleaned_data["q"].strip()
        candidates = candidates.filter(
            Q(last_name__icontains=words)
            | Q(first_name__icontains=words)
            | Q(job_title__icontains=words)
            | Q(organisation__name__icontains=words)
        )
    page = Paginator(candidates, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/meeting_invitees.html",
        meeting_page(
            meeting,
            "Invités",
            form=form,
            search=search,
            page_obj=page,
            candidate_groups=grouped_by_organisation(page.object_list),
            invitations=invitations_of(meeting),
        ),
    )


def invitees_message(added: int, removed: int) -> str:
    parts = []
    if added:
        parts.append(f"{added} personne{'s' if added > 1 else ''} invitée{'s' if added > 1 else ''}")
    if removed:
        parts.append(f"{removed} invitation{'s' if removed > 1 else ''} retirée{'s' if removed > 1 else ''}")
    return (" ; ".join(parts) or "Aucun changement") + "."


@require_POST
def meeting_send_invitations(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.manage_meetings", meeting, CANNOT_MANAGE)
    try:
        report = services.send_invitations(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(meeting)
    except (smtplib.SMTPException, OSError):
        messages.error(
            request,
            "Le serveur d'envoi des e-mails n'a pas répondu : aucune invitation n'est marquée comme envoyée. "
            "Réessayez plus tard.",
        )
        return redirect(meeting)
    what = (
        "L'annulation a été envoyée"
        if meeting.status == MeetingStatus.CANCELLED
        else "Les invitations ont été envoyées"
    )
    count = len(report.sent)
    text = f"{what} à {count} personne{'s' if count > 1 else ''}."
    if report.without_email:
        names = ", ".join(f"{contact.full_name} ({contact.organisation.name})" for contact in report.without_email)
        text += f" Sans adresse e-mail, à prévenir autrement : {names}."
        messages.warning(request, text)
    else:
        messages.success(request, text)
    return redirect(meeting)


def meeting_attendance(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.manage_meetings", meeting, CANNOT_MANAGE)
    form = AttendanceForm(request.POST if request.method == "POST" else None, invitations=invitations_of(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_attendance(actor=request.user, meeting=meeting, attendance=form.attendance())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "L'émargement est enregistré.")
            return redirect(meeting)
    return render(
        request,
        "governance/meeting_attendance.html",
        meeting_page(meeting, "Émargement", form=form),
    )


def attendance_sheet(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.view_meetings", meeting, CANNOT_VIEW)
    return render(
        request,
        "governance/attendance_sheet.html",
        meeting_page(
            meeting,
            "Feuille d'émargement",
            invitations=invitations_of(meeting).order_by("contact__last_name", "contact__first_name"),
        ),
    )


def meeting_minutes(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.manage_meetings", meeting, CANNOT_MANAGE)
    form = MinutesForm(request.POST if request.method == "POST" else None, initial={"minutes": meeting.minutes})
    if request.method == "POST" and form.is_valid():
        changed = services.write_minutes(actor=request.user, meeting=meeting, minutes=form.cleaned_data["minutes"])
        messages.success(request, "Le compte rendu est enregistré." if changed else "Aucun changement à enregistrer.")
        return redirect(reverse("governance:meeting_detail", args=[meeting.pk]) + "#compte-rendu")
    return render(
        request,
        "governance/meeting_minutes.html",
        meeting_page(meeting, "Compte rendu", form=form),
    )


def minutes_pdf(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.view_meetings", meeting, CANNOT_VIEW)
    pdf = documents.minutes_pdf(
        meeting,
        invitations=invitations_of(meeting).order_by("contact__last_name", "contact__first_name"),
        agenda_items=list(meeting.agenda_items.all()),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"compte-rendu-{timezone.localtime(meeting.starts_at):%Y-%m-%d}-{slugify(meeting.title)[:60]}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# Attachments


def attachment_add(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.manage_meetings", meeting, CANNOT_MANAGE)
    max_size = filesizeformat(settings.UPLOAD_MAX_SIZE)
    form = AttachmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        max_size_label=max_size,
    )
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.add_attachment(actor=request.user, meeting=meeting, upload=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, f"« {attachment.name} » est jointe à la réunion.")
            return redirect(reverse("governance:meeting_detail", args=[meeting.pk]) + "#pieces-jointes")
    return render(
        request,
        "governance/meeting_attachment.html",
        meeting_page(meeting, "Pièce jointe", form=form),
        status=400 if form.is_bound else 200,
    )


def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("meeting"), pk=pk)
    require(request, "governance.view_meetings", attachment.meeting, CANNOT_VIEW)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("Ce fichier n'est plus disponible.") from missing
    return FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)


# Calendars


def ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def meeting_ics(request, pk):
    meeting = meeting_or_404(pk)
    require(request, "governance.view_meetings", meeting, CANNOT_VIEW)
    return ics_response(ical.meeting_ics(meeting), f"reunion-{meeting.pk}.ics")


def parse_month(value: str | None) -> datetime.date | None:
    try:
        month = datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None
    return month if 1900 <= month.year <= 2200 else None


def next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def calendar(request, anct_id):
    cite = cite_or_404(anct_id)
    require(request, "governance.view_meetings", cite, CANNOT_VIEW)
    remember_cite(request, cite)
    now = timezone.now()
    this_month = timezone.localdate().replace(day=1)
    meetings = Meeting.objects.for_user(request.user).filter(cite=cite).select_related("body").order_by("starts_at")
    month = parse_month(request.GET.get("mois"))
    page = None
    if month:
        start = timezone.make_aware(datetime.datetime.combine(month, datetime.time()))
        end = timezone.make_aware(datetime.datetime.combine(next_month(month), datetime.time()))
        shown = list(meetings.filter(starts_at__gte=start, starts_at__lt=end))
    else:
        page = Paginator(meetings.filter(ends_at__gte=now), MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
        shown = page.object_list
    months = (
        Meeting.objects.filter(cite=cite)
        .annotate(month=TruncMonth("starts_at", output_field=DateField()))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    months = [row for row in months if row["month"] < this_month or row["month"] == month]
    token = ical.feed_token(request.user, cite)
    feed_url = request.build_absolute_uri(reverse("governance:calendar_feed", args=[cite.anct_id]) + f"?jeton={token}")
    return render(
        request,
        "governance/calendar.html",
        {
            "title": f"Calendrier — {cite.name}",
            "cite": cite,
            "month": month,
            "meetings": shown,
            "page_obj": page,
            "past_months": months,
            "feed_url": feed_url,
            "can_manage": request.user.has_perm("governance.manage_meetings", cite),
        },
    )


@login_not_required
def calendar_feed(request, anct_id):
    """A person's private .ics feed of a cité's meetings, for calendar applications (which cannot sign in):
    the signed token names the person and the cité; both are checked again on every read."""
    cite = cite_or_404(anct_id)
    ids = ical.read_feed_token(request.GET.get("jeton", ""))
    if ids is None or ids[1] != cite.pk:
        raise PermissionDenied("Ce lien d'abonnement n'est pas valide.")
    user = User.objects.filter(pk=ids[0], is_active=True).first()
    if user is None or not user.has_perm("governance.view_meetings", cite):
        raise PermissionDenied("Ce lien d'abonnement n'est plus valide.")
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    meetings = (
        Meeting.objects.filter(cite=cite, starts_at__gte=since)
        .select_related("body")
        .prefetch_related("agenda_items")
        .order_by("starts_at")
    )
    response = ics_response(ical.feed_ics(meetings, name=f"Réunions — {cite.name}"), f"{cite.anct_id}.ics")
    response["Cache-Control"] = "private, max-age=900"
    return response
