"""The envelopes of a cité: the list by year and source, with what is granted and what remains, and the grant
officer's form to set one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.templatetags.ui import euros
from maillage.funding.forms.envelopes import EnvelopeFilterForm, EnvelopeForm
from maillage.funding.models import Envelope
from maillage.funding.services import envelopes as services
from maillage.territories.models import Cite

ENVELOPES_PER_PAGE = 30


def envelopes(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("funding.view_funding", cite):
        raise PermissionDenied("Les financements de cette cité ne sont pas dans votre périmètre.")
    remember_cite(request, cite)
    can_manage = request.user.has_perm("funding.manage_envelopes", cite)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied("Seul le gestionnaire des subventions de la cité fixe les enveloppes.")
    form = None
    if can_manage:
        form = EnvelopeForm(request.POST if request.method == "POST" else None, cite=cite)
        if request.method == "POST" and form.is_valid():
            try:
                envelope = services.set_envelope(actor=request.user, cite=cite, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"L'enveloppe {envelope.source} {envelope.year} est fixée à {euros(envelope.amount)}."
                )
                return redirect("funding:envelopes", cite.anct_id)

    filters = EnvelopeFilterForm(request.GET or None, years=services.years_of(cite))
    rows = filters.filter(services.with_totals(Envelope.objects.filter(cite=cite))).select_related("source", "funder")
    page = Paginator(rows.order_by("-year", "source__position"), ENVELOPES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/envelope_list.html",
        {
            "title": f"Enveloppes — {cite.name}",
            "cite": cite,
            "filters": filters,
            "page_obj": page,
            "form": form,
        },
    )
