"""Administration of governance: bodies, meetings (with their agenda, invitations and attachments),
decisions (with the pillars' answers, read-only: they are given in the application) and follow-up tasks.

People work in the application, where every change goes through a service and is logged; these screens
are for the administrator's corrections.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from maillage.governance.models import AgendaItem, Approval, Attachment, Body, Decision, Invitation, Meeting, Task
from maillage.governance.services.meetings import sanitise_minutes


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cite", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "cite__name", "cite__anct_id"]
    list_select_related = ["cite"]
    autocomplete_fields = ["cite"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["position", "title", "presenter"]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["contact", "attendance", "sent_at"]
    readonly_fields = ["sent_at"]
    autocomplete_fields = ["contact"]


class AttachmentInline(admin.TabularInline):
    """Attachments are added in the application (type and size checked) and downloaded after a perimeter
    check: never through a public /media/ address."""

    model = Attachment
    extra = 0
    fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="fichier")
    def download(self, attachment):
        return format_html(
            '<a href="{}">{}</a>', reverse("governance:attachment_download", args=[attachment.pk]), attachment.name
        )


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "body", "cite", "status"]
    list_filter = ["status", "body__kind"]
    search_fields = ["title", "place", "cite__name", "body__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["body", "cite"]
    autocomplete_fields = ["cite", "body"]
    readonly_fields = ["sequence", "invitations_sent_at", "minutes_updated_at", "created_by", "created_at"]
    inlines = [AgendaItemInline, InvitationInline, AttachmentInline]

    def save_model(self, request, obj, form, change):
        obj.minutes = sanitise_minutes(obj.minutes)  # the same allowlist as in the application
        super().save_model(request, obj, form, change)


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0
    fields = ["pillar", "verdict", "reason", "user", "given_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """The status moves only through the troïka's answers in the application (a state machine)."""

    list_display = ["title", "cite", "meeting", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "text", "cite__name"]
    list_select_related = ["cite", "meeting"]
    autocomplete_fields = ["cite", "meeting", "organisation"]
    readonly_fields = ["status", "proposed_by", "created_at", "closed_at"]
    inlines = [ApprovalInline]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "cite", "owner", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["title", "description", "cite__name"]
    date_hierarchy = "due_on"
    list_select_related = ["cite", "owner"]
    autocomplete_fields = ["cite", "meeting", "owner"]
    readonly_fields = ["created_by", "created_at", "done_at"]
