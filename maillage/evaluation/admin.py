"""Administration of the evaluation: targets, action reports (with their reach and spending lines) and annual
reviews, for the administrator's reading only. Every change goes through a service (values checked against the
indicator, a submitted report closing its action, the troïka validating a review) and is logged; the indicator
catalogue's own screen is in territories/admin.py."""

from django.contrib import admin

from maillage.core.admin import ReadOnlyAdmin
from maillage.evaluation.models import ActionReport, AnnualReview, ReachLine, SpendingLine, Target


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["cite", "indicator", "period", "value", "set_by", "updated_at"]
    list_filter = ["indicator", "period"]
    search_fields = ["cite__name", "cite__anct_id", "indicator__code", "indicator__label"]
    list_select_related = ["cite", "indicator", "set_by"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReachLineInline(ReadOnlyInline):
    model = ReachLine
    fields = ["age_band", "female", "male"]


class SpendingLineInline(ReadOnlyInline):
    model = SpendingLine
    fields = ["category", "amount"]


@admin.register(ActionReport)
class ActionReportAdmin(ReadOnlyAdmin):
    list_display = ["action", "cite", "status", "submitted_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["action__title", "action__organisation__name", "cite__name", "cite__anct_id"]
    list_select_related = ["action", "cite"]
    inlines = [ReachLineInline, SpendingLineInline]


@admin.register(AnnualReview)
class AnnualReviewAdmin(ReadOnlyAdmin):
    list_display = ["cite", "year", "status", "validated_at", "updated_at"]
    list_filter = ["status", "year"]
    search_fields = ["cite__name", "cite__anct_id"]
    list_select_related = ["cite"]
