"""Funding follow-up of a cité: the yearly dashboard, the grant list and its XLSX export, and the open-data
(SCDL) CSV export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from maillage.core.exports import xlsx_download
from maillage.core.middleware import remember_cite
from maillage.core.queries import sum_of
from maillage.funding.dashboards import dashboard_years, funding_dashboard
from maillage.funding.exports import grant_workbook
from maillage.funding.forms.dashboards import GrantFilterForm, YearForm
from maillage.funding.models import Grant, Payment
from maillage.funding.opendata import skipped_warning, write_scdl
from maillage.territories.models import Cite

GRANTS_PER_PAGE = 25
NOT_IN_PERIMETER = "Les financements de cette cité ne sont pas dans votre périmètre."


def funding_cite(request, anct_id) -> Cite:
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("funding.view_funding", cite):
        raise PermissionDenied(NOT_IN_PERIMETER)
    return cite


def dashboard(request, anct_id):
    cite = funding_cite(request, anct_id)
    remember_cite(request, cite)
    years, default = dashboard_years(cite)
    form = YearForm(request.GET or None, years=years)
    year = form.year(default)
    return render(
        request,
        "funding/dashboard.html",
        {
            "title": f"Financements {year} — {cite.name}" if year else f"Financements — {cite.name}",
            "cite": cite,
            "form": form,
            "years": years,
            "year": year,
            "dashboard": funding_dashboard(cite, year) if year else None,
        },
    )


def filtered_grants(request, anct_id) -> tuple[Cite, GrantFilterForm, object]:
    """The cité, the filter form and the filtered grants the user may see, for the list and its export."""
    cite = funding_cite(request, anct_id)
    years, _ = dashboard_years(cite)
    form = GrantFilterForm(request.GET or None, years=years)
    paid = Payment.objects.filter(grant=OuterRef("pk"))
    grants = (
        form.filter(Grant.objects.for_user(request.user).filter(cite=cite))
        .select_related("action__organisation", "envelope__source", "legal_act")
        .annotate(paid=sum_of(paid, "grant", "amount"))
        .order_by("-envelope__year", "action__title", "envelope__source__position", "pk")
    )
    return cite, form, grants


def grant_list(request, anct_id):
    cite, form, grants = filtered_grants(request, anct_id)
    remember_cite(request, cite)
    page = Paginator(grants, GRANTS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "funding/grant_list.html",
        {
            "title": f"Subventions — {cite.name}",
            "cite": cite,
            "form": form,
            "page_obj": page,
            "export_query": params.urlencode(),
        },
    )


def grant_export(request, anct_id):
    cite, _, grants = filtered_grants(request, anct_id)
    return xlsx_download(grant_workbook(grants), "subventions", cite)


def requested_year(request) -> int | None:
    """The `?annee=` of an export: any year (a year without grants gives an empty file), or None for all."""
    value = request.GET.get("annee", "").strip()
    if not value:
        return None
    if not (value.isdigit() and len(value) == 4):
        raise Http404("Exercice inconnu : donnez une année sur quatre chiffres.")
    return int(value)


def scdl_export(request, anct_id):
    """The cité's published grants as SCDL CSV (`?annee=` for one year); what is left out is told as a message,
    shown on the next page."""
    cite = funding_cite(request, anct_id)
    year = requested_year(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    skipped = write_scdl(response, cite=cite, year=year)
    suffix = f"-{year}" if year else ""
    response["Content-Disposition"] = f'attachment; filename="subventions-scdl-{cite.anct_id}{suffix}.csv"'
    if warning := skipped_warning(skipped):
        messages.warning(request, f"Export des données ouvertes : {warning}")
    return response
