"""Calls for projects: a cité's list, the staff page of a call with its scoring grid, the coordinator's forms,
and the public pages (no login) where partners read the open calls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.core.queries import count_of
from maillage.programme.forms.calls import CallForm, CriterionForm
from maillage.programme.models import Action, ActionStatus, CallForProjects, Criterion
from maillage.programme.rules import holds_in_cite
from maillage.programme.services import calls as services
from maillage.programme.views.objectives import NOT_IN_PERIMETER, cite_for

CALLS_PER_PAGE = 20
PUBLIC_CALLS_PER_PAGE = 20
HISTORY_LENGTH = 20
CANNOT_MANAGE = "Seule la coordination de la cité prépare les appels à projets et leur grille de notation."


def call_list(request, anct_id):
    cite = cite_for(request, anct_id, "programme.view_programme", NOT_IN_PERIMETER)
    remember_cite(request, cite)
    actions = Action.objects.for_user(request.user).filter(call=OuterRef("pk"))
    calls = (
        services.calls_seen_by(request.user, cite)
        .annotate(action_count=count_of(actions, "call"))
        .order_by("-year", "-opens_at", "pk")
    )
    page = Paginator(calls, CALLS_PER_PAGE).get_page(request.GET.get("page"))
    for call in page:
        call.status_label = services.call_status(call)
    return render(
        request,
        "programme/call_list.html",
        {
            "title": f"Appels à projets — {cite.name}",
            "cite": cite,
            "page_obj": page,
            "can_manage": request.user.has_perm("programme.manage_programme", cite),
        },
    )


def call_create(request, anct_id):
    cite = cite_for(request, anct_id, "programme.manage_programme", CANNOT_MANAGE)
    remember_cite(request, cite)
    form = CallForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.create_call(actor=request.user, cite=cite, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "L'appel à projets est créé : composez maintenant sa grille de notation.")
            return redirect(call)
    return render(request, "programme/call_form.html", {"title": "Nouvel appel à projets", "cite": cite, "form": form})


def call_for(request, pk, permission: str = "programme.view_programme", refusal: str = NOT_IN_PERIMETER):
    """The call, when the user may read it (a project holder reads published calls only) and has `permission`."""
    call = get_object_or_404(CallForProjects.objects.select_related("cite"), pk=pk)
    if not request.user.has_perm(permission, call):
        raise PermissionDenied(refusal)
    if not call.is_published and not services.sees_unpublished_calls(request.user, call.cite_id):
        raise Http404("Cet appel à projets n'est pas publié.")
    return call


def call_update(request, pk):
    call = call_for(request, pk, "programme.manage_programme", CANNOT_MANAGE)
    remember_cite(request, call.cite)
    form = CallForm(request.POST if request.method == "POST" else None, initial=CallForm.initial_of(call))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_call(actor=request.user, call=call, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "L'appel à projets est modifié." if changed else "Rien n'a changé.")
            return redirect(call)
    return render(
        request,
        "programme/call_form.html",
        {"title": f"Modifier — {call.title}", "cite": call.cite, "call": call, "form": form},
    )


def status_counts(user, call) -> list[tuple[str, int]]:
    """(status label, number of actions) of the call's actions the user sees, in one aggregate query."""
    rows = Action.objects.for_user(user).filter(call=call).order_by().values_list("status").annotate(total=Count("pk"))
    counts = dict(rows)
    return [(status.label, counts[status]) for status in ActionStatus if counts.get(status)]


def call_detail(request, pk, criterion_form=None):
    call = call_for(request, pk)
    remember_cite(request, call.cite)
    can_manage = request.user.has_perm("programme.manage_programme", call)
    grid_locked = services.grid_is_locked(call)
    grid_editable = can_manage and not grid_locked
    counts = status_counts(request.user, call)
    events = Event.objects.for_user(request.user).for_object(call).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "programme/call_detail.html",
        {
            "title": call.title,
            "call": call,
            "cite": call.cite,
            "status_label": services.call_status(call),
            "criteria": call.criteria.all(),
            "themes": call.themes.all(),
            "status_counts": counts,
            "action_total": sum(total for _, total in counts),
            "can_manage": can_manage,
            "grid_locked": grid_locked,
            "grid_editable": grid_editable,
            "criterion_form": (criterion_form or CriterionForm(prefix="critere")) if grid_editable else None,
            "can_view_ranking": request.user.has_perm("programme.view_ranking", call),
            "can_submit": call.is_open() and holds_in_cite(request.user, call),
            "events": events,
        },
    )


# --- The scoring grid -----------------------------------------------------------------------------------------


@require_POST
def criterion_create(request, pk):
    call = call_for(request, pk, "programme.manage_programme", CANNOT_MANAGE)
    form = CriterionForm(request.POST, prefix="critere")
    if form.is_valid():
        try:
            criterion = services.add_criterion(actor=request.user, call=call, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Le critère « {criterion.label} » est ajouté à la grille.")
            return redirect(reverse("programme:call_detail", args=[call.pk]) + "#grille")
    if services.grid_is_locked(call):
        messages.error(request, services.GRID_LOCKED)
        return redirect(call)
    return call_detail(request, pk, criterion_form=form)


def criterion_for(request, pk) -> Criterion:
    criterion = get_object_or_404(Criterion.objects.select_related("call__cite"), pk=pk)
    if not request.user.has_perm("programme.manage_programme", criterion.call):
        raise PermissionDenied(CANNOT_MANAGE)
    return criterion


def criterion_update(request, pk):
    criterion = criterion_for(request, pk)
    call = criterion.call
    remember_cite(request, call.cite)
    if services.grid_is_locked(call):
        messages.error(request, services.GRID_LOCKED)
        return redirect(call)
    form = CriterionForm(
        request.POST if request.method == "POST" else None, initial=CriterionForm.initial_of(criterion)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_criterion(actor=request.user, criterion=criterion, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Le critère est modifié." if changed else "Rien n'a changé.")
            return redirect(reverse("programme:call_detail", args=[call.pk]) + "#grille")
    return render(
        request,
        "programme/call_criterion_form.html",
        {"title": f"Modifier le critère — {criterion.label}", "call": call, "criterion": criterion, "form": form},
    )


@require_POST
def criterion_delete(request, pk):
    criterion = criterion_for(request, pk)
    call = criterion.call
    try:
        services.remove_criterion(actor=request.user, criterion=criterion)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Le critère « {criterion.label} » est retiré de la grille.")
    return redirect(reverse("programme:call_detail", args=[call.pk]) + "#grille")


# --- Public pages (no login) ----------------------------------------------------------------------------------


@login_not_required
def public_calls(request):
    calls = CallForProjects.objects.open_at().select_related("cite").order_by("closes_at", "pk")
    page = Paginator(calls, PUBLIC_CALLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "programme/public_calls.html",
        {"title": "Appels à projets ouverts", "page_obj": page},
    )


@login_not_required
def call_public(request, pk):
    call = get_object_or_404(CallForProjects.objects.published().select_related("cite"), pk=pk)
    is_open = call.is_open()
    return render(
        request,
        "programme/call_public.html",
        {
            "title": call.title,
            "call": call,
            "status_label": services.call_status(call),
            "is_open": is_open,
            "criteria": call.criteria.all(),
            "themes": call.themes.all(),
            "can_submit": is_open and holds_in_cite(request.user, call),
            "login_url": reverse("core:login") + "?" + urlencode({"next": request.path}),
        },
    )
