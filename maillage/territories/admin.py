"""Administration of the territory: reference data is read-only (it comes from the import); a cité's
dates can be corrected here."""

from django.contrib import admin

from maillage.core.admin import ReadOnlyAdmin
from maillage.territories import services
from maillage.territories.models import Cite, Commune, Indicator, Qpv, School


@admin.register(Cite)
class CiteAdmin(admin.ModelAdmin):
    list_display = ["anct_id", "name", "wave", "label_date"]
    list_filter = ["wave"]
    search_fields = ["anct_id", "name", "communes__name"]
    fields = [
        "anct_id",
        "name",
        "wave",
        "label_date",
        "convention_start",
        "convention_end",
        "perimeter_edited_at",
    ]
    readonly_fields = ["anct_id", "name", "wave", "perimeter_edited_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.update_cite_identity(
            actor=request.user,
            cite=obj,
            **{name: form.cleaned_data[name] for name in services.IDENTITY_FIELDS},
        )


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = ["insee_code", "name", "departement", "population"]
    search_fields = ["insee_code", "name"]
    list_select_related = ["departement"]


@admin.register(Qpv)
class QpvAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "departement"]
    search_fields = ["code", "name"]
    list_select_related = ["departement"]


@admin.register(School)
class SchoolAdmin(ReadOnlyAdmin):
    list_display = ["uai", "name", "kind", "priority_network", "commune"]
    list_filter = ["kind", "priority_network", "sector"]
    search_fields = ["uai", "name"]
    list_select_related = ["commune"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "unit", "source", "level", "period_kind"]
