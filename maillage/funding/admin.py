"""Administration of the money: envelopes, grants (with their payments), legal acts.

People work in the application, where every change goes through a service (envelope limit, payments never
above the grant, the €23,000 rule, the version check) and is logged; these screens are for the
administrator's reading and small corrections, so the amounts and statuses that the rules protect are
read-only here.
"""

from django.contrib import admin

from maillage.funding.models import Envelope, Grant, LegalAct, Payment


@admin.register(Envelope)
class EnvelopeAdmin(admin.ModelAdmin):
    list_display = ["cite", "year", "source", "amount", "funder"]
    list_filter = ["year", "source"]
    search_fields = ["cite__name", "cite__anct_id", "funder__name"]
    list_select_related = ["cite", "source", "funder"]
    readonly_fields = ["cite", "year", "source", "amount"]
    autocomplete_fields = ["funder"]

    def has_add_permission(self, request):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ["kind", "amount", "paid_on", "reference", "recorded_by", "recorded_at"]
    readonly_fields = ["kind", "amount", "paid_on", "recorded_by", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ["action", "envelope", "status", "requested", "granted", "legal_act"]
    list_filter = ["status", "envelope__year", "envelope__source"]
    search_fields = ["action__title", "action__organisation__name", "cite__anct_id"]
    list_select_related = ["action", "envelope__source", "legal_act"]
    fields = [
        "cite",
        "action",
        "envelope",
        "status",
        "requested",
        "granted",
        "override_reason",
        "legal_act",
        "decided_on",
        "decided_by",
        "version",
        "updated_at",
    ]
    readonly_fields = [name for name in fields if name != "requested"]
    inlines = [PaymentInline]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        """A correction here is a change too: a form opened before it is then told (see `Grant.version`)."""
        obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(LegalAct)
class LegalActAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "organisation", "source", "year", "signed_on"]
    list_filter = ["kind", "year", "source"]
    search_fields = ["reference", "organisation__name", "cite__anct_id"]
    list_select_related = ["organisation", "source"]
    readonly_fields = ["cite", "organisation", "source", "year", "kind", "reference", "signed_on", "signed_by"]

    def has_add_permission(self, request):
        return False
