"""Instruction and selection of a call's actions.

1. The grant officer instructs a submitted action: eligible or not (with a note when not); it goes under review.
2. Committee members score the eligible ones (services.scoring); the ranking shows their mean.
3. The coordinator records the committee's choice (retenue / non retenue for each action under review) as a
   governance decision, pending the troïka's validation.
4. When the three pillars validate that decision, its actions become `selected` or `rejected` (the holders
   are e-mailed); when a pillar rejects it, its actions stay under review and can be proposed again.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.core.templatetags.ui import euros
from maillage.governance.models import Decision, DecisionStatus, Meeting, MeetingStatus, Verdict
from maillage.governance.services.decisions import propose_decision
from maillage.programme.models import Action, ActionStatus, CallForProjects, Outcome
from maillage.programme.ranking import requested
from maillage.programme.services.transitions import move_action

NOTE_REQUIRED = "Expliquez pourquoi l'action n'est pas éligible : la note est obligatoire."


def outcome_field(action: Action) -> str:
    """The form field (and error key) of an action's outcome in the selection."""
    return f"outcome_{action.pk}"


def instruction_closed_reason(action: Action) -> str | None:
    """Why the action's eligibility cannot be given (or changed) now, in French; None when it can."""
    if action.status == ActionStatus.SUBMITTED:
        return None
    if action.status != ActionStatus.UNDER_REVIEW:
        return f"Une action « {action.get_status_display()} » ne s'instruit pas."
    if action.selection_decision_id is not None:
        return "La sélection a été proposée à la troïka : l'éligibilité ne peut plus changer."
    return None


def eligibility_label(is_eligible: bool) -> str:
    return "éligible" if is_eligible else "non éligible"


@transaction.atomic
def instruct_action(*, actor, action: Action, is_eligible: bool, note: str = "") -> Action:
    """The grant officer's eligibility opinion. A submitted action goes under review; the opinion of an action
    under review can be corrected until the selection is proposed."""
    note = (note or "").strip()
    if not actor.has_perm("programme.instruct_action", action):
        raise ValidationError("Seul le gestionnaire des subventions de la cité instruit les actions.")
    if is_eligible not in (True, False):
        raise ValidationError({"is_eligible": "Indiquez si l'action est éligible."})
    if not is_eligible and not note:
        raise ValidationError({"note": NOTE_REQUIRED})
    action = (
        Action.objects.select_for_update(of=("self",)).select_related("organisation", "call", "cite").get(pk=action.pk)
    )
    reason = instruction_closed_reason(action)
    if reason:
        raise ValidationError(reason)

    before = {"éligibilité": eligibility_label(action.is_eligible) if action.is_eligible is not None else None}
    action.is_eligible, action.eligibility_note = is_eligible, note
    verdict = f"action {eligibility_label(is_eligible)}" + (f" : {note}" if note else "")
    if action.status == ActionStatus.SUBMITTED:
        return move_action(
            actor=actor, action=action, transition="review", note=verdict, fields=("is_eligible", "eligibility_note")
        )
    action.save(update_fields=["is_eligible", "eligibility_note", "updated_at"])
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=action,
        summary=f"Avis d'éligibilité modifié : {verdict}",
        before=before,
        after={"éligibilité": eligibility_label(is_eligible), "note": note},
    )
    return action


def proposable_actions(call: CallForProjects):
    """The call's actions under review that are not already in a selection pending before the troïka."""
    return Action.objects.filter(call=call, status=ActionStatus.UNDER_REVIEW, selection_decision__isnull=True)


def selection_meetings(cite_id: int):
    """Meetings where a selection can be recorded: the cité's planned or held ones (selection committees are
    listed first by the form)."""
    return Meeting.objects.filter(cite_id=cite_id, status__in=(MeetingStatus.PLANNED, MeetingStatus.HELD))


def decision_text(call: CallForProjects, actions: list[Action], outcomes: dict[int, str]) -> str:
    """The text of the selection decision: the retained actions, then the others, with holder and amounts."""

    def line(action: Action) -> str:
        return (
            f"- « {action.title} » ({action.organisation.name}) : {euros(action.total_requested)} demandés, "
            f"dont {euros(action.state_requested)} à l'État"
        )

    retained = [action for action in actions if outcomes[action.pk] == Outcome.SELECTED]
    others = [action for action in actions if outcomes[action.pk] == Outcome.REJECTED]
    state_total = sum((action.state_requested for action in retained), start=Decimal("0"))
    paragraphs = [
        f"Le comité de sélection propose, pour l'appel à projets « {call.title} » ({call.year}), "
        f"de retenir {len(retained)} action{pluralize(len(retained))} "
        f"et de ne pas en retenir {len(others)}."
    ]
    paragraphs.append(
        f"Actions retenues ({len(retained)}) :\n" + ("\n".join(line(action) for action in retained) or "aucune")
    )
    paragraphs.append(
        f"Actions non retenues ({len(others)}) :\n" + ("\n".join(line(action) for action in others) or "aucune")
    )
    paragraphs.append(
        f"Montant demandé à l'État pour les actions retenues : {euros(state_total)} "
        f"(enveloppe de l'appel : {euros(call.envelope)})."
    )
    return "\n\n".join(paragraphs)


@transaction.atomic
def propose_selection(*, actor, call: CallForProjects, meeting: Meeting, outcomes: dict[int, str]) -> Decision:
    """Record the committee's choice for every proposable action of `call` (`outcomes` maps action pk to
    `Outcome`) as a decision of `meeting`, pending the troïka's validation. Nothing is written on error."""
    if not actor.has_perm("programme.select_actions", call):
        raise ValidationError("Seule la coordination de la cité enregistre le choix du comité de sélection.")
    errors = {}
    if meeting is None or not selection_meetings(call.cite_id).filter(pk=meeting.pk).exists():
        errors["meeting"] = "Choisissez une réunion prévue ou tenue de la cité."
    actions = list(
        proposable_actions(call)
        .select_for_update(of=("self",))
        .select_related("organisation")
        .annotate(state_requested=requested(state_only=True), total_requested=requested(state_only=False))
        .order_by("title", "pk")
    )
    if not actions:
        raise ValidationError("Aucune action en instruction n'attend de proposition pour cet appel à projets.")
    outcomes = {int(pk): value for pk, value in outcomes.items()}
    unknown = set(outcomes) - {action.pk for action in actions}
    if unknown:
        raise ValidationError(
            "Certaines actions ne font pas partie des actions à proposer : rechargez la page et recommencez."
        )
    for action in actions:
        outcome = outcomes.get(action.pk)
        if outcome not in Outcome.values:
            errors[outcome_field(action)] = f"Indiquez si l'action « {action.title} » est retenue ou non."
        elif outcome == Outcome.SELECTED and not action.is_eligible:
            errors[outcome_field(action)] = (
                f"L'action « {action.title} » n'est pas éligible : elle ne peut être retenue."
            )
    if errors:
        raise ValidationError(errors)

    decision = propose_decision(
        actor=actor,
        meeting=meeting,
        title=f"Sélection des actions — {call.title}",
        text=decision_text(call, actions, outcomes),
    )
    now = timezone.now()
    for outcome in Outcome:
        chosen = [action.pk for action in actions if outcomes[action.pk] == outcome]
        Action.objects.filter(pk__in=chosen).update(
            selection_decision=decision, proposed_outcome=outcome, updated_at=now
        )
    for action in actions:
        label = Outcome(outcomes[action.pk]).label
        record_event(
            actor=actor,
            verb=Verb.SELECTION_PROPOSED,
            obj=action,
            summary=f"Proposée « {label} » à la troïka (décision n° {decision.number})",
            after={"proposition du comité": label, "décision": decision.number},
        )
    retained = sum(1 for action in actions if outcomes[action.pk] == Outcome.SELECTED)
    record_event(
        actor=actor,
        verb=Verb.SELECTION_PROPOSED,
        obj=call,
        summary=(
            f"Sélection proposée à la troïka (décision n° {decision.number}) : {retained} action{pluralize(retained)} "
            f"retenue{pluralize(retained)} sur {len(actions)}"
        ),
    )
    return decision


def apply_selection(*, decision: Decision, actor) -> None:
    """Follow the troïka's answer on a selection decision (called inside the answering transaction): validated,
    each action becomes selected or rejected as proposed; rejected, the actions go back to proposable."""
    actions = list(
        Action.objects.filter(selection_decision=decision, status=ActionStatus.UNDER_REVIEW)
        .select_related("organisation", "call", "cite", "created_by")
        .order_by("title", "pk")
    )
    if not actions:
        return
    if decision.status == DecisionStatus.VALIDATED:
        for action in actions:
            transition = "select" if action.proposed_outcome == Outcome.SELECTED else "reject"
            move_action(
                actor=actor,
                action=action,
                transition=transition,
                note=f"décision n° {decision.number} validée par la troïka",
            )
    elif decision.status == DecisionStatus.REJECTED:
        rejection = decision.approvals.filter(verdict=Verdict.REJECTED).first()
        reason = f" : {rejection.reason}" if rejection and rejection.reason else ""
        Action.objects.filter(pk__in=[action.pk for action in actions]).update(
            selection_decision=None, proposed_outcome="", updated_at=timezone.now()
        )
        for action in actions:
            record_event(
                actor=actor,
                verb=Verb.UPDATED,
                obj=action,
                summary=(
                    f"La troïka a rejeté la décision n° {decision.number}{reason}. "
                    "L'action reste en instruction et pourra être proposée à nouveau."
                ),
                before={"proposition du comité": action.get_proposed_outcome_display()},
                after={"proposition du comité": None},
            )
