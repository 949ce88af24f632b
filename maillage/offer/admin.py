"""Administration of the public offer, for reading and small corrections: holders and coordinators work in the
application, where every change goes through a service (checked, moderated and logged)."""

from django.contrib import admin

from maillage.offer.models import Activity, ActivitySlot


class SlotInline(admin.TabularInline):
    model = ActivitySlot
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "cite", "status", "updated_at"]
    list_filter = ["status", "period", "is_free"]
    search_fields = ["title", "slug", "organisation__name", "cite__name"]
    list_select_related = ["organisation", "cite"]
    readonly_fields = ["status", "moderation_note", "published_at", "created_by", "created_at", "updated_at"]
    raw_id_fields = ["organisation", "action", "commune", "qpv", "school"]
    inlines = [SlotInline]
