"""The administrator's screens: invite people and give them their roles; read the event log."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from dsfr.models import DsfrConfig

from maillage.core import services
from maillage.core.forms import InviteForm, MembershipForm
from maillage.core.models import AgeBand, Event, FundingSource, Membership, SpendingCategory, Theme, TimeOfDay, User

# Roles are memberships, not Django groups; the DSFR settings model of django-dsfr is not used.
admin.site.unregister(Group)
admin.site.unregister(DsfrConfig)
admin.site.site_header = "Administration de Maillage"
admin.site.site_title = "Maillage"
admin.site.index_title = "Administration de la plateforme"


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 1
    autocomplete_fields = ["cite"]
    fields = ["cite", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Adding a user invites them: no password is typed here, the person chooses it from the e-mail."""

    add_form = InviteForm
    add_form_template = None
    list_display = ["email", "first_name", "last_name", "job_title", "roles", "is_active", "last_login"]
    list_filter = ["is_active", "is_superuser", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["last_name", "first_name"]
    inlines = [MembershipInline]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "first_name", "last_name", "job_title"]}),
        ("Droits", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "first_name", "last_name", "job_title", "is_admin"]})]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user).prefetch_related("memberships__cite")

    @admin.display(description="rôles")
    def roles(self, user):
        return ", ".join(str(membership) for membership in user.memberships.all()) or "—"

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        invited = services.invite_user(
            actor=request.user,
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            job_title=form.cleaned_data["job_title"],
            is_admin=form.cleaned_data["is_admin"],
            base_url=settings.PLATFORM_URL,
        )
        obj.pk = invited.pk
        messages.info(request, f"Une invitation a été envoyée à {invited.email}. Donnez-lui maintenant ses rôles.")

    def save_formset(self, request, form, formset, change):
        """Roles are given and taken back through the services, so that each change is in the log."""
        new, changed, deleted = [], [], []
        for membership_form in formset.forms:
            if not membership_form.has_changed():
                continue
            data = membership_form.cleaned_data
            existing = membership_form.instance if membership_form.instance.pk else None
            if existing:
                services.revoke_membership(actor=request.user, membership=existing)
                if data.get("DELETE"):
                    deleted.append(existing)
                    continue
            membership = services.grant_membership(
                actor=request.user, user=form.instance, cite=data.get("cite"), role=data["role"]
            )
            if existing:
                changed.append((membership, membership_form.changed_data))
            else:
                new.append(membership)
        # What Django's admin reads to write its own change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = new, changed, deleted


class ReadOnlyAdmin(admin.ModelAdmin):
    """Screens that only show: data written by imports or by the services, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "verb", "summary", "actor", "cite"]
    list_filter = ["verb"]
    search_fields = ["summary", "object_repr"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "cite"]


@admin.register(Theme, TimeOfDay, SpendingCategory)
class VocabularyAdmin(admin.ModelAdmin):
    """Administrators extend the themes of DOMAIN.md; codes stay stable once used."""

    list_display = ["label", "code", "position"]
    list_editable = ["position"]
    search_fields = ["label", "code"]


@admin.register(AgeBand)
class AgeBandAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "min_age", "max_age", "position"]
    list_editable = ["position"]


@admin.register(FundingSource)
class FundingSourceAdmin(admin.ModelAdmin):
    """`is_state` decides what counts as co-funding on the dashboards."""

    list_display = ["label", "code", "is_state", "position"]
    list_editable = ["position"]
