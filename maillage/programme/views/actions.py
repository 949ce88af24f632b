"""Action sheet pages: writing and submitting a sheet (project holder), the action page and its follow-up, a
cité's action list with its XLSX export, and the holder's own actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core.exports import xlsx_download
from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event, Role
from maillage.core.perimeter import perimeter_of
from maillage.partners.models import Organisation
from maillage.programme.exports import action_workbook
from maillage.programme.forms.actions import ActionFilterForm, ActionForm, FollowForm
from maillage.programme.models import (
    FUNDED_STATUSES,
    Action,
    ActionStatus,
    CallForProjects,
    Objective,
    holder_organisations,
)
from maillage.programme.services import actions as services
from maillage.territories.models import Cite

ACTIONS_PER_PAGE = 25
HISTORY_LENGTH = 20
NOT_IN_PERIMETER = "Cette action n'est pas dans votre périmètre."


def action_create(request, pk):
    call = get_object_or_404(CallForProjects.objects.select_related("cite"), pk=pk)
    if not request.user.has_perm("programme.write_action", call.cite):
        raise PermissionDenied("Seuls les porteurs de projet de la cité déposent une action à cet appel à projets.")
    organisations = services.organisations_for(request.user, call.cite)
    if not organisations:
        raise PermissionDenied(
            "Votre compte n'est relié à aucune structure qui intervient dans cette cité : demandez à la "
            "coordination de la cité de vous rattacher à votre structure."
        )
    if not call.is_open():
        messages.error(request, f"L'appel à projets « {call.title} » n'est pas ouvert : il ne reçoit pas d'action.")
        return redirect("programme:my_actions")
    form = ActionForm(request.POST if request.method == "POST" else None, cite=call.cite, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.create_action(
                actor=request.user, call=call, organisation=form.chosen_organisation(), **form.sheet()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Le brouillon est enregistré. Complétez-le puis déposez-le avant la clôture.")
            return redirect(action)
    remember_cite(request, call.cite)
    return render(
        request,
        "programme/action_form.html",
        {"title": f"Nouvelle action — {call.title}", "call": call, "cite": call.cite, "form": form},
    )


def action_update(request, pk):
    action = get_action(request, pk)
    if not request.user.has_perm("programme.change_action", action):
        raise PermissionDenied("Seul le porteur de l'action modifie sa fiche, tant qu'elle est un brouillon.")
    form = ActionForm(request.POST if request.method == "POST" else None, cite=action.cite, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action(actor=request.user, action=action, **form.sheet())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Le brouillon est enregistré.")
            return redirect(action)
    remember_cite(request, action.cite)
    return render(
        request,
        "programme/action_form.html",
        {
            "title": f"Modifier — {action.title}",
            "call": action.call,
            "cite": action.cite,
            "form": form,
            "action": action,
        },
    )


@require_POST
def action_submit(request, pk):
    action = get_action(request, pk)
    if not request.user.has_perm("programme.change_action", action):
        raise PermissionDenied("Seul le porteur de l'action dépose sa fiche, tant qu'elle est un brouillon.")
    try:
        services.submit_action(actor=request.user, action=action)
    except ValidationError as error:
        return render_action(request, get_action(request, pk), submit_errors=error.messages)
    messages.success(request, "L'action est déposée : la cité l'instruira après la clôture de l'appel à projets.")
    return redirect(action)


def action_detail(request, pk):
    return render_action(request, get_action(request, pk))


@require_POST
def action_follow(request, pk):
    action = get_action(request, pk)
    if not request.user.has_perm("programme.follow_action", action):
        raise PermissionDenied("Seuls la coordination de la cité et le porteur de l'action en suivent la réalisation.")
    form = FollowForm(request.POST, transitions=services.follow_transitions(action))
    if form.is_valid():
        transition = form.cleaned_data["transition"]
        try:
            services.follow_action(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, services.FOLLOW_MESSAGES[transition])
            return redirect(action)
    return render_action(request, get_action(request, pk), follow_form=form)


def get_action(request, pk) -> Action:
    """The action with everything its page shows, in a fixed number of queries; 403 outside the perimeter."""
    action = get_object_or_404(
        Action.objects.select_related(
            "cite", "call", "organisation", "created_by", "selection_decision"
        ).prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.select_related("parent")),
            "themes",
            "age_bands",
            "times_of_day",
            "schools",
            "qpvs",
            "budget_lines__category",
            "funding_requests__source",
        ),
        pk=pk,
    )
    if not request.user.has_perm("programme.view_action", action):
        raise PermissionDenied(NOT_IN_PERIMETER)
    return action


def render_action(request, action, *, follow_form=None, submit_errors=None):
    remember_cite(request, action.cite)
    user = request.user
    can_change = user.has_perm("programme.change_action", action)
    if follow_form is None and user.has_perm("programme.follow_action", action):
        transitions = services.follow_transitions(action)
        follow_form = FollowForm(transitions=transitions) if transitions else None
    events = Event.objects.for_user(user).for_object(action).select_related("actor")[:HISTORY_LENGTH]
    budget_lines, funding_requests = list(action.budget_lines.all()), list(action.funding_requests.all())
    return render(
        request,
        "programme/action_detail.html",
        {
            "title": action.title,
            "action": action,
            "cite": action.cite,
            "budget_lines": budget_lines,
            "budget_total": sum(line.amount for line in budget_lines),
            "funding_requests": funding_requests,
            "funding_total": sum(request.amount for request in funding_requests),
            "can_change": can_change,
            "call_closed": timezone.now() >= action.call.closes_at,
            "missing": list(services.missing_for_submission(action).values()) if can_change else [],
            "submit_errors": submit_errors,
            "can_instruct": action.status == ActionStatus.SUBMITTED
            and user.has_perm("programme.instruct_action", action),
            "can_score": action.status == ActionStatus.UNDER_REVIEW and user.has_perm("programme.score_action", action),
            "can_view_organisation": user.has_perm("partners.view_organisation", action.organisation),
            "can_view_decision": action.selection_decision_id is not None
            and user.has_perm("governance.view_decisions", action.selection_decision),
            "is_funded": action.status in FUNDED_STATUSES,
            "follow_form": follow_form,
            "events": events,
        },
    )


def cite_actions(request, anct_id) -> tuple[Cite, ActionFilterForm, object]:
    """The cité, the filter form and the filtered actions the user may see, for the list and its export."""
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("programme.view_programme", cite):
        raise PermissionDenied("Cette cité n'est pas dans votre périmètre.")
    form = ActionFilterForm(request.GET or None, cite=cite)
    actions = form.filter(Action.objects.for_user(request.user).filter(cite=cite))
    actions = services.with_totals(actions).select_related("organisation", "call")
    return cite, form, actions.order_by("-call__year", "title", "pk")


def action_list(request, anct_id):
    cite, form, actions = cite_actions(request, anct_id)
    remember_cite(request, cite)
    page = Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    open_calls = []
    if request.user.has_perm("programme.write_action", cite):
        open_calls = CallForProjects.objects.open_at().filter(cite=cite).order_by("closes_at")
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "programme/action_list.html",
        {
            "title": f"Actions — {cite.name}",
            "cite": cite,
            "form": form,
            "page_obj": page,
            "open_calls": open_calls,
            "export_query": params.urlencode(),
        },
    )


def action_export(request, anct_id):
    cite, _, actions = cite_actions(request, anct_id)
    return xlsx_download(action_workbook(actions.prefetch_related("objectives", "themes")), "actions", cite)


def my_actions(request):
    """The holder's actions in every cité, with their status, and the open calls they may answer."""
    user = request.user
    mine = Action.objects.for_user(user).filter(organisation_id__in=holder_organisations(user))
    actions = services.with_totals(mine).select_related("cite", "call", "organisation")
    page = Paginator(actions.order_by("-call__year", "title", "pk"), ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    works_there = Organisation.cites.through.objects.filter(
        cite_id=OuterRef("cite_id"), organisation_id__in=holder_organisations(user)
    )
    holder_cites = perimeter_of(user).cite_ids_with(Role.PROJECT_HOLDER)
    open_calls = (
        CallForProjects.objects.open_at()
        .filter(cite_id__in=holder_cites)
        .filter(Exists(works_there))
        .select_related("cite")
        .order_by("closes_at")
    )
    return render(
        request,
        "programme/my_actions.html",
        {"title": "Mes actions", "page_obj": page, "open_calls": open_calls, "is_holder": bool(holder_cites)},
    )
