"""The programme's home page of a cité, and its objective tree (read by the cité, edited by the coordinator)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.programme.forms.objectives import AxisForm, OperationalObjectiveForm, RenameForm
from maillage.programme.models import AccountRequest, AccountRequestStatus, Objective
from maillage.programme.services import objectives as services
from maillage.programme.services.calls import call_status, calls_seen_by
from maillage.territories.models import Cite

NOT_IN_PERIMETER = "Cette cité n'est pas dans votre périmètre."
CANNOT_MANAGE = "Seule la coordination de la cité modifie l'arborescence des objectifs."
HISTORY_LENGTH = 20
CALLS_ON_HOME = 10


def cite_for(request, anct_id, permission: str, refusal: str) -> Cite:
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm(permission, cite):
        raise PermissionDenied(refusal)
    return cite


def cite_programme(request, anct_id):
    cite = cite_for(request, anct_id, "programme.view_programme", NOT_IN_PERIMETER)
    remember_cite(request, cite)
    calls = list(calls_seen_by(request.user, cite).order_by("-year", "-opens_at")[:CALLS_ON_HOME])
    for call in calls:
        call.status_label = call_status(call)
    can_review = request.user.has_perm("programme.review_account_requests", cite)
    pending = (
        AccountRequest.objects.filter(cite=cite, status=AccountRequestStatus.PENDING).count() if can_review else None
    )
    return render(
        request,
        "programme/cite_programme.html",
        {
            "title": f"Programme — {cite.name}",
            "cite": cite,
            "tree": services.objective_tree(cite, active_only=True),
            "calls": calls,
            "can_manage": request.user.has_perm("programme.manage_programme", cite),
            "can_review": can_review,
            "pending_requests": pending,
            "can_view_funding": request.user.has_perm("funding.view_funding", cite),
        },
    )


def objectives(request, anct_id, axis_form=None, operational_form=None):
    cite = cite_for(request, anct_id, "programme.view_programme", NOT_IN_PERIMETER)
    remember_cite(request, cite)
    can_manage = request.user.has_perm("programme.manage_programme", cite)
    context = {
        "title": f"Objectifs — {cite.name}",
        "cite": cite,
        "tree": services.objective_tree(cite),
        "can_manage": can_manage,
    }
    if can_manage:
        context["axis_form"] = axis_form or AxisForm(prefix="axe")
        context["operational_form"] = operational_form or OperationalObjectiveForm(cite=cite, prefix="objectif")
    return render(request, "programme/objective_tree.html", context)


@require_POST
def objective_create(request, anct_id):
    cite = cite_for(request, anct_id, "programme.manage_programme", CANNOT_MANAGE)
    is_axis = request.POST.get("kind") == "axis"
    form = (
        AxisForm(request.POST, prefix="axe")
        if is_axis
        else OperationalObjectiveForm(request.POST, cite=cite, prefix="objectif")
    )
    if form.is_valid():
        try:
            objective = services.add_objective(actor=request.user, cite=cite, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            kind = "L'axe local" if objective.is_axis else "L'objectif opérationnel"
            messages.success(request, f"{kind} « {objective.title} » est ajouté.")
            return redirect(reverse("programme:objectives", args=[cite.anct_id]) + f"#objectif-{objective.pk}")
    if is_axis:
        return objectives(request, anct_id, axis_form=form)
    return objectives(request, anct_id, operational_form=form)


def objective_for(request, pk) -> Objective:
    objective = get_object_or_404(Objective.objects.select_related("cite", "parent"), pk=pk)
    if not request.user.has_perm("programme.manage_programme", objective):
        raise PermissionDenied(CANNOT_MANAGE)
    return objective


def tree_url(objective: Objective) -> str:
    return reverse("programme:objectives", args=[objective.cite.anct_id]) + f"#objectif-{objective.pk}"


def objective_update(request, pk):
    objective = objective_for(request, pk)
    remember_cite(request, objective.cite)
    form = RenameForm(request.POST if request.method == "POST" else None, initial={"title": objective.title})
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.rename_objective(actor=request.user, objective=objective, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changed:
                messages.success(request, f"L'objectif s'intitule désormais « {objective.title} ».")
            return redirect(tree_url(objective))
    events = Event.objects.for_user(request.user).for_object(objective).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "programme/objective_form.html",
        {"title": f"Renommer — {objective.title}", "objective": objective, "form": form, "events": events},
    )


@require_POST
def objective_move(request, pk):
    objective = objective_for(request, pk)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if step is None:
        messages.error(request, "Un objectif monte ou descend d'un rang à la fois.")
    else:
        services.move_objective(actor=request.user, objective=objective, step=step)
    return redirect(tree_url(objective))


@require_POST
def objective_set_active(request, pk):
    objective = objective_for(request, pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        services.set_objective_active(actor=request.user, objective=objective, is_active=is_active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if is_active:
            messages.success(request, f"« {objective.title} » est de nouveau en vigueur.")
        else:
            messages.success(
                request,
                f"« {objective.title} » n'est plus en vigueur : il reste sur les actions qui le servent, "
                "mais n'est plus proposé aux nouvelles fiches.",
            )
    return redirect(tree_url(objective))
