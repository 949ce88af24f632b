"""Instruction and selection pages: the grant officer's eligibility opinion, a committee member's scores, a
call's ranking, and the coordinator's record of the committee's choice as a decision for the troïka."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.governance.models import Decision, DecisionStatus
from maillage.programme import ranking as rankings
from maillage.programme.forms.selection import InstructionForm, ScoreForm, SelectionForm
from maillage.programme.models import Action, CallForProjects, Score
from maillage.programme.services import scoring, selection

HISTORY_LENGTH = 20
ACTION_NOT_IN_PERIMETER = "Cette action n'est pas dans le périmètre de vos cités."


def get_action(request, pk) -> Action:
    """The action, if the user may read it."""
    action = get_object_or_404(
        Action.objects.select_related("cite", "call", "organisation", "selection_decision"), pk=pk
    )
    if not request.user.has_perm("programme.view_action", action):
        raise PermissionDenied(ACTION_NOT_IN_PERIMETER)
    return action


def get_call(request, pk, permission: str, refusal: str) -> CallForProjects:
    call = get_object_or_404(CallForProjects.objects.select_related("cite"), pk=pk)
    if not request.user.has_perm(permission, call):
        raise PermissionDenied(refusal)
    return call


def history_of(request, obj):
    return Event.objects.for_user(request.user).for_object(obj).select_related("actor")[:HISTORY_LENGTH]


def render_action_page(request, template: str, action: Action, **context):
    remember_cite(request, action.cite)
    return render(
        request,
        template,
        {
            "action": action,
            "funding_requests": action.funding_requests.select_related("source"),
            "events": history_of(request, action),
            **context,
        },
    )


def action_instruct(request, pk):
    action = get_action(request, pk)
    if not request.user.has_perm("programme.instruct_action", action):
        raise PermissionDenied("Seul le gestionnaire des subventions de la cité instruit les actions.")
    closed = selection.instruction_closed_reason(action)
    form = None
    if not closed:
        initial = {"note": action.eligibility_note}
        if action.is_eligible is not None:
            initial["is_eligible"] = "yes" if action.is_eligible else "no"
        form = InstructionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            selection.instruct_action(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "L'avis d'éligibilité est enregistré ; l'action est en instruction.")
            return redirect("programme:action_instruct", pk=action.pk)
    return render_action_page(
        request,
        "programme/action_instruct.html",
        action,
        title=f"Instruction — {action.title}",
        form=form,
        closed=closed,
        can_view_ranking=request.user.has_perm("programme.view_ranking", action.call),
    )


def action_score(request, pk):
    action = get_action(request, pk)
    if not scoring.sits_on_committee(request.user, action):
        raise PermissionDenied("Seuls les membres du comité de sélection de la cité notent les actions.")
    closed = scoring.scoring_closed_reason(action)
    criteria = list(action.call.criteria.all())
    mine = {score.criterion_id: score for score in Score.objects.filter(action=action, scorer=request.user)}
    form = None
    if not closed and criteria:
        initial = {}
        for criterion in criteria:
            if criterion.pk in mine:
                initial[scoring.value_field(criterion)] = mine[criterion.pk].value
                initial[scoring.comment_field(criterion)] = mine[criterion.pk].comment
        form = ScoreForm(request.POST if request.method == "POST" else None, criteria=criteria, initial=initial)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            scoring.score_action(actor=request.user, action=action, values=form.values(), comments=form.comments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Vos notes sur « {action.title} » sont enregistrées.")
            return redirect("programme:call_ranking", pk=action.call_id)
    return render_action_page(
        request,
        "programme/action_score.html",
        action,
        title=f"Notation — {action.title}",
        form=form,
        closed=closed,
        criteria=criteria,
        my_scores=[(criterion, mine.get(criterion.pk)) for criterion in criteria],
        has_scored=bool(mine),
    )


def pending_decisions(call: CallForProjects):
    """The selection decisions of the call still waiting for the troïka."""
    return Decision.objects.filter(actions__call=call, status=DecisionStatus.PENDING).distinct().order_by("number")


def call_ranking(request, pk):
    call = get_call(
        request,
        pk,
        "programme.view_ranking",
        "Le classement se lit par la coordination, l'instruction, le comité de sélection et la troïka de la cité.",
    )
    remember_cite(request, call.cite)
    can_score = scoring.sits_on_committee(request.user, call)
    rows = rankings.ranking(call, scorer=request.user if can_score else None)
    counted = [row for row in rows if row.counts_against_envelope]
    remaining = counted[-1].remaining if counted else call.envelope
    return render(
        request,
        "programme/call_ranking.html",
        {
            "title": f"Classement — {call.title}",
            "call": call,
            "rows": rows,
            "state_requested": call.envelope - remaining,
            "remaining": remaining,
            "beyond": sum(1 for row in counted if row.beyond_envelope),
            "ineligible": rankings.ineligible_actions(call),
            "awaiting_instruction": rankings.awaiting_instruction(call),
            "pending_decisions": pending_decisions(call),
            "can_score": can_score,
            "can_select": request.user.has_perm("programme.select_actions", call),
            "can_instruct": request.user.has_perm("programme.instruct_action", call),
        },
    )


def proposable_actions(call: CallForProjects):
    """The actions the selection form asks about, eligible first in ranking order, with their scores and
    amounts requested."""
    actions = rankings.with_scores(selection.proposable_actions(call), rankings.grid_maximum(call))
    return (
        actions.annotate(
            state_requested=rankings.requested(state_only=True),
            total_requested=rankings.requested(state_only=False),
        )
        .select_related("organisation")
        .order_by("-is_eligible", *rankings.RANKING_ORDER)
    )


def call_selection(request, pk):
    call = get_call(
        request,
        pk,
        "programme.select_actions",
        "Seule la coordination de la cité enregistre le choix du comité de sélection.",
    )
    remember_cite(request, call.cite)
    actions = list(proposable_actions(call))
    form = None
    if actions:
        form = SelectionForm(request.POST if request.method == "POST" else None, cite=call.cite, actions=actions)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            decision = selection.propose_selection(
                actor=request.user, call=call, meeting=form.cleaned_data["meeting"], outcomes=form.outcomes()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Le choix du comité est enregistré : la décision attend l'avis des trois piliers de la troïka."
            )
            return redirect(decision)
    return render(
        request,
        "programme/call_selection.html",
        {
            "title": f"Sélection — {call.title}",
            "call": call,
            "form": form,
            "pending_decisions": pending_decisions(call),
            "awaiting_instruction": rankings.awaiting_instruction(call),
            "events": history_of(request, call),
        },
    )
