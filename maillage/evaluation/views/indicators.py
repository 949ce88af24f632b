"""The indicator catalogue of a cité (national then local indicators), each indicator's page with its targets and
values, and the coordinator's forms to add or change a local indicator, set a target, type or remove a value."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.evaluation import figures
from maillage.evaluation.forms.indicators import LocalIndicatorForm, TargetForm, ValueForm, value_help
from maillage.evaluation.models import Target, school_year_ending_in
from maillage.evaluation.services import indicators as services
from maillage.territories.models import Cite, Indicator, IndicatorValue, PeriodKind, french_number

VIEW, MANAGE = "evaluation.view_evaluation", services.MANAGE
NOT_IN_PERIMETER = "L'évaluation de cette cité n'est pas dans votre périmètre."
VALUES_PER_PAGE = 25
COMPUTED_YEARS = 5

SOURCE_GROUPS = (
    ("Données ouvertes", (Indicator.Source.OPEN_DATA,)),
    ("Bilans des partenaires", (Indicator.Source.PARTNER_REPORT,)),
    ("Calculés par la plateforme", (Indicator.Source.PLATFORM,)),
    ("Saisis par la cité ou les établissements", services.TYPED_SOURCES),
)
"""The catalogue's sections, by where the values come from."""


@dataclass
class CatalogueGroup:
    title: str
    indicators: list[Indicator]


def cite_for(request, anct_id, permission: str = VIEW, refusal: str = NOT_IN_PERIMETER) -> Cite:
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm(permission, cite):
        raise PermissionDenied(refusal)
    return cite


def catalogue_of(request, cite: Cite):
    """The indicators a cité's page shows: the active national ones and every local one of the cité (a
    deactivated local indicator stays listed, so that its coordinator can find it again)."""
    return Indicator.objects.for_user(request.user).filter(Q(cite__isnull=True, is_active=True) | Q(cite=cite))


def grouped(indicators: list[Indicator]) -> list[CatalogueGroup]:
    groups = [
        CatalogueGroup(title, [indicator for indicator in indicators if indicator.source in sources])
        for title, sources in SOURCE_GROUPS
    ]
    return [group for group in groups if group.indicators]


def indicator_list(request, anct_id):
    cite = cite_for(request, anct_id)
    remember_cite(request, cite)
    indicators = list(catalogue_of(request, cite).order_by("label"))
    return render(
        request,
        "evaluation/indicator_list.html",
        {
            "title": f"Indicateurs et cibles — {cite.name}",
            "cite": cite,
            "national_groups": grouped([indicator for indicator in indicators if not indicator.is_local]),
            "local_indicators": [indicator for indicator in indicators if indicator.is_local],
            "can_manage": request.user.has_perm(MANAGE, cite),
        },
    )


def indicator_form_page(request, cite: Cite, form, indicator: Indicator | None = None):
    return render(
        request,
        "evaluation/indicator_form.html",
        {
            "title": f"{'Modifier' if indicator else 'Nouvel'} indicateur local — {cite.name}",
            "cite": cite,
            "form": form,
            "indicator": indicator,
        },
    )


def indicator_create(request, anct_id):
    cite = cite_for(request, anct_id, MANAGE, services.CANNOT_MANAGE)
    remember_cite(request, cite)
    form = LocalIndicatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.create_local_indicator(actor=request.user, cite=cite, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"L'indicateur local « {indicator.label} » est ajouté au catalogue de la cité.")
            return redirect("evaluation:indicator_detail", cite.anct_id, indicator.code)
    return indicator_form_page(request, cite, form)


def indicator_update(request, anct_id, code):
    cite = cite_for(request, anct_id, MANAGE, services.CANNOT_MANAGE)
    indicator = get_object_or_404(catalogue_of(request, cite), code=code)
    if not indicator.is_local:
        raise PermissionDenied(services.NATIONAL_READ_ONLY)
    remember_cite(request, cite)
    form = LocalIndicatorForm(request.POST if request.method == "POST" else None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_local_indicator(actor=request.user, indicator=indicator, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            indicator.refresh_from_db(fields=["code", "label"])
            if changed:
                messages.success(request, f"L'indicateur local « {indicator.label} » est enregistré.")
            return redirect("evaluation:indicator_detail", cite.anct_id, indicator.code)
    return indicator_form_page(request, cite, form, indicator)


def indicator_detail(request, anct_id, code):
    cite = cite_for(request, anct_id)
    indicator = get_object_or_404(catalogue_of(request, cite).select_related("cite"), code=code)
    remember_cite(request, cite)
    can_manage = request.user.has_perm(MANAGE, cite)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(services.CANNOT_MANAGE)
    accepts_values = services.accepts_typed_values(indicator)
    writable = can_manage and indicator.is_active
    target_form = (
        TargetForm(indicator=indicator, prefix="cible") if writable and services.takes_targets(indicator) else None
    )
    value_form = ValueForm(indicator=indicator, cite=cite, prefix="valeur") if writable and accepts_values else None

    if request.method == "POST":
        posted = request.POST.get("form")
        if posted == "target" and target_form:
            target_form = TargetForm(request.POST, indicator=indicator, prefix="cible")
            if saved := save_target(request, cite, indicator, target_form):
                return saved
        elif posted == "value" and value_form:
            value_form = ValueForm(request.POST, indicator=indicator, cite=cite, prefix="valeur")
            if saved := save_value(request, cite, indicator, value_form):
                return saved
        elif posted == "delete" and writable and accepts_values:
            return remove_value(request, cite, indicator)
        else:
            messages.error(request, "Cette opération n'est pas possible pour cet indicateur.")
            return redirect(detail_url(cite, indicator))

    targets = Target.objects.filter(cite=cite, indicator=indicator).select_related("set_by").order_by("-period")
    context = {
        "title": f"{indicator.label} — {cite.name}",
        "cite": cite,
        "indicator": indicator,
        "can_manage": can_manage,
        "accepts_values": accepts_values,
        "accepted": value_help(indicator),
        "refusal": services.typed_value_refusal(indicator),
        "targets": targets,
        "target_form": target_form,
        "value_form": value_form,
    }
    if accepts_values:
        values = services.typed_values_of(cite, indicator).select_related("school", "entered_by")
        context["masks_people"] = indicator.unit == figures.PERSONS and not can_manage
        context["page_obj"] = Paginator(values.order_by("-period", "school__name"), VALUES_PER_PAGE).get_page(
            request.GET.get("page")
        )
    elif indicator.code in figures.COMPUTED_CODES:
        context["computed"] = computed_history(cite, indicator, {target.period: target.value for target in targets})
        context["masks_people"] = indicator.unit == figures.PERSONS or indicator.code in figures.PEOPLE_SHARES
    elif indicator.source == Indicator.Source.OPEN_DATA and indicator.level == Indicator.Level.SCHOOL:
        context["school_values"] = latest_school_values(cite, indicator)
    return render(request, "evaluation/indicator_detail.html", context)


def detail_url(cite: Cite, indicator: Indicator, anchor: str = "") -> str:
    return reverse("evaluation:indicator_detail", args=[cite.anct_id, indicator.code]) + anchor


def save_target(request, cite, indicator, form):
    """The redirect after a target is set, or None when the form is shown again with its errors."""
    if not form.is_valid():
        return None
    try:
        target = services.set_target(actor=request.user, cite=cite, indicator=indicator, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, f"La cible {target.period} est fixée à {french_number(target.value)} {indicator.unit}.")
    return redirect(detail_url(cite, indicator, "#cibles"))


def save_value(request, cite, indicator, form):
    """The redirect after a value is recorded, or None when the form is shown again with its errors."""
    if not form.is_valid():
        return None
    try:
        value = services.record_value(actor=request.user, cite=cite, indicator=indicator, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(
        request, f"La valeur {value.period} est enregistrée : {french_number(value.value)} {indicator.unit}."
    )
    return redirect(detail_url(cite, indicator, "#valeurs"))


def remove_value(request, cite, indicator):
    value = get_object_or_404(services.typed_values_of(cite, indicator), pk=request.POST.get("value", "0") or "0")
    try:
        services.delete_value(actor=request.user, value=value)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"La valeur {value.period} est supprimée.")
    return redirect(detail_url(cite, indicator, "#valeurs"))


@dataclass
class ComputedValue:
    period: str
    value: object  # Decimal, None, or the text shown instead of a small group of people
    target: object


def computed_history(cite: Cite, indicator: Indicator, targets: dict) -> list[ComputedValue]:
    """The cité's values of a computed indicator for each period of the last COMPUTED_YEARS years, latest first,
    masked as on the dashboard: a small count of people, or a share of people that would tell one.
    `figures.indicator_rows` computes every indicator's recent history in a fixed number of queries, with what
    the masking of shares needs."""
    this_year = timezone.localdate().year
    row = next((row for row in figures.indicator_rows(cite, this_year) if row.indicator.pk == indicator.pk), None)
    known = dict(row.masked_history) if row else {}
    periods = [
        school_year_ending_in(year) if indicator.period_kind == PeriodKind.SCHOOL_YEAR else str(year)
        for year in range(this_year, this_year - COMPUTED_YEARS, -1)
    ]
    return [ComputedValue(period, known.get(period), targets.get(period)) for period in periods]


def latest_school_values(cite: Cite, indicator: Indicator):
    """Each of the cité's schools that has a value of this open-data indicator, with its latest one."""
    latest = (
        IndicatorValue.objects.filter(indicator=indicator, school=OuterRef("school"))
        .order_by("-period")
        .values("period")[:1]
    )
    return (
        IndicatorValue.objects.filter(indicator=indicator, school__in=cite.schools.all(), period=Subquery(latest))
        .select_related("school")
        .order_by("school__name")
    )
