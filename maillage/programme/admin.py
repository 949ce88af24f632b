"""Administration of the programme, for reading and small corrections: people work in the application, where
every change of an action goes through a service (statuses through `move_action`) and is logged."""

from django.contrib import admin

from maillage.programme.models import AccountRequest, Action, CallForProjects, Criterion, Objective


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "cite", "national_objective", "parent", "is_active"]
    list_filter = ["national_objective", "is_active"]
    search_fields = ["title", "cite__name"]
    list_select_related = ["cite", "parent"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(CallForProjects)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title", "cite", "year", "opens_at", "closes_at", "is_published"]
    list_filter = ["year", "is_published"]
    search_fields = ["title", "cite__name"]
    list_select_related = ["cite"]
    inlines = [CriterionInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "cite", "call", "status"]
    list_filter = ["status", "call__year"]
    search_fields = ["title", "organisation__name", "cite__name"]
    list_select_related = ["organisation", "cite", "call"]
    readonly_fields = ["status", "submitted_at", "selection_decision", "proposed_outcome"]
    raw_id_fields = ["organisation", "call", "schools", "qpvs"]


@admin.register(AccountRequest)
class AccountRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cite", "email", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["organisation_name", "last_name", "email"]
    readonly_fields = ["status", "answered_by", "answered_at"]
