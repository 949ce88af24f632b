"""The evaluation dashboard of a cité (reach, money, indicators, schools) and its XLSX export; the national
comparison of every cité on the shared indicators, with a map. Every figure comes from
`maillage.evaluation.figures`, with small counts of people masked."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from maillage.core.exports import xlsx_download
from maillage.core.middleware import remember_cite
from maillage.evaluation import figures
from maillage.evaluation.exports.dashboard import dashboard_workbook
from maillage.evaluation.forms.dashboards import YearForm
from maillage.funding.dashboards import dashboard_years
from maillage.territories.models import Cite

NOT_IN_PERIMETER = "L'évaluation de cette cité n'est pas dans votre périmètre."
NATIONAL_ONLY = "La comparaison des cités est réservée au niveau national."


def evaluation_cite(request, anct_id) -> Cite:
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("evaluation.view_evaluation", cite):
        raise PermissionDenied(NOT_IN_PERIMETER)
    return cite


def chosen_year(request, cite) -> tuple[YearForm, list[int], int | None]:
    """The year asked (`?annee=`) among the cité's years, else the latest with submitted reports, else the latest."""
    years, _ = dashboard_years(cite)
    form = YearForm(request.GET or None, years=years)
    return form, years, form.year(figures.dashboard_default_year(cite, years))


def dashboard(request, anct_id):
    cite = evaluation_cite(request, anct_id)
    remember_cite(request, cite)
    form, years, year = chosen_year(request, cite)
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "title": f"Évaluation {year} — {cite.name}" if year else f"Évaluation — {cite.name}",
            "cite": cite,
            "form": form,
            "years": years,
            "year": year,
            "dashboard": figures.cite_dashboard(cite, year) if year else None,
        },
    )


def dashboard_export(request, anct_id):
    cite = evaluation_cite(request, anct_id)
    _, _, year = chosen_year(request, cite)
    if year is None:
        raise Http404("Aucun exercice n'est encore enregistré pour cette cité.")
    return xlsx_download(dashboard_workbook(figures.cite_dashboard(cite, year)), f"evaluation-{year}", cite)


def cite_points(rows: list[figures.NationalRow]) -> list[dict]:
    """The cités that have coordinates, as the map script reads them (json_script)."""
    return [
        {
            "name": row.cite.name,
            "lat": row.cite.latitude,
            "lon": row.cite.longitude,
            "network": "",
            "url": reverse("evaluation:dashboard", args=[row.cite.anct_id]),
        }
        for row in rows
        if row.cite.latitude is not None and row.cite.longitude is not None
    ]


def national(request):
    if not request.user.has_perm("evaluation.view_national"):
        raise PermissionDenied(NATIONAL_ONLY)
    years, default = figures.national_years()
    form = YearForm(request.GET or None, years=years)
    year = form.year(default)
    rows = figures.national_rows(year) if year else []
    return render(
        request,
        "evaluation/national.html",
        {
            "title": f"Comparaison des cités {year}" if year else "Comparaison des cités",
            "form": form,
            "years": years,
            "year": year,
            "rows": rows,
            "map_points": cite_points(rows),
        },
    )
