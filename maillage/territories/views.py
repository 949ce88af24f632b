"""Territory pages: the list of cités, a cité, a school; switching cité; editing a cité's perimeter."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.core.queries import count_of
from maillage.territories import services
from maillage.territories.forms import CiteFilterForm, CitePerimeterForm
from maillage.territories.models import Cite, Commune, IndicatorValue, School
from maillage.territories.presenters import cite_map_points, school_indicator_tables

CITES_PER_PAGE = 20
HISTORY_LENGTH = 10


def links_of(relation):
    """How many rows a many-to-many relation of the cité holds, for each cité of the list."""
    return count_of(relation.through.objects.filter(cite_id=OuterRef("pk")), "cite_id")


def cite_list(request):
    form = CiteFilterForm(request.GET or None)
    cites = Cite.objects.for_user(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            words = data["q"].strip()
            cites = cites.filter(
                Q(name__icontains=words) | Q(anct_id__iexact=words) | Q(communes__name__icontains=words)
            )
        if data["region"]:
            cites = cites.filter(communes__departement__region=data["region"])
        if data["departement"]:
            cites = cites.filter(communes__departement=data["departement"])
        if data["wave"]:
            cites = cites.filter(wave=data["wave"])
    cites = (
        Cite.objects.filter(pk__in=cites.values("pk"))
        .annotate(
            commune_count=links_of(Cite.communes),
            qpv_count=links_of(Cite.qpvs),
            school_count=links_of(Cite.schools),
        )
        .prefetch_related(Prefetch("communes", queryset=Commune.objects.select_related("departement").order_by("name")))
        .order_by("name")
    )
    page = Paginator(cites, CITES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"title": "Cités éducatives", "form": form, "page_obj": page}
    template = "territories/_cite_results.html" if request.htmx else "territories/cite_list.html"
    return render(request, template, context)


def cite_detail(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("territories.view_cite", cite):
        raise PermissionDenied("Cette cité n'est pas dans votre périmètre.")
    remember_cite(request, cite)
    communes = cite.communes.select_related("departement__region", "epci", "ept").order_by("name")
    qpvs = cite.qpvs.prefetch_related(Prefetch("communes", queryset=Commune.objects.order_by("name")))
    schools = cite.schools.select_related("commune").with_latest_ips().order_by("-kind", "name")
    schools = list(schools)
    events = Event.objects.for_user(request.user).filter(cite=cite).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "territories/cite_detail.html",
        {
            "title": str(cite),
            "cite": cite,
            "communes": communes,
            "qpvs": qpvs,
            "schools": schools,
            "map_points": cite_map_points(schools),
            "events": events,
            "can_edit_perimeter": request.user.has_perm("territories.change_cite_perimeter", cite),
        },
    )


def cite_perimeter(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("territories.change_cite_perimeter", cite):
        raise PermissionDenied("Seul le chef de projet de la cité peut modifier son périmètre.")
    form = CitePerimeterForm(request.POST if request.method == "POST" else None, cite=cite)
    if request.method == "POST" and form.is_valid():
        services.update_cite_perimeter(
            actor=request.user,
            cite=cite,
            qpvs=form.cleaned_data["qpvs"],
            schools=form.cleaned_data["schools"],
        )
        messages.success(request, "Le périmètre de la cité est enregistré.")
        return redirect("territories:cite_detail", cite.anct_id)
    return render(
        request,
        "territories/cite_perimeter.html",
        {"title": f"Périmètre — {cite}", "cite": cite, "form": form},
    )


def school_detail(request, uai):
    school = get_object_or_404(School.objects.select_related("commune__departement"), uai=uai)
    if not request.user.has_perm("territories.view_school", school):
        raise PermissionDenied("Cet établissement n'est pas dans le périmètre de vos cités.")
    values = (
        IndicatorValue.objects.for_user(request.user)
        .filter(
            Q(school=school)
            | Q(departement=school.commune.departement_id)
            | Q(school__isnull=True, departement__isnull=True, cite__isnull=True)
        )
        .filter(indicator__code__in=school_indicator_codes(school))
        .select_related("indicator")
        .order_by("period")
    )
    cites = Cite.objects.for_user(request.user).filter(schools=school).order_by("name")
    events = Event.objects.for_user(request.user).for_object(school).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "territories/school_detail.html",
        {
            "title": school.name,
            "school": school,
            "cites": cites,
            "indicators": school_indicator_tables(school, list(values)),
            "map_points": cite_map_points([school]),
            "events": events,
        },
    )


def school_indicator_codes(school: School) -> list[str]:
    if school.kind == School.Kind.COLLEGE:
        return ["ips_college", "dnb_presents", "dnb_admis", "dnb_admis_mention", "dnb_taux_reussite"]
    return ["ips_ecole"]


@require_POST
def switch_cite(request):
    """The header's cité switcher: work in another of one's cités."""
    cite = Cite.objects.for_user(request.user).filter(anct_id=request.POST.get("cite", "")).first()
    if cite is None:
        messages.error(request, "Cette cité n'est pas dans votre périmètre.")
        return redirect("core:home")
    remember_cite(request, cite)
    return redirect("territories:cite_detail", cite.anct_id)
