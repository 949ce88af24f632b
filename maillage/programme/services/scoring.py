"""A selection-committee member scores an action on its call's grid: a whole number from 0 to each criterion's
maximum, with an optional comment. Members change their scores until the coordinator proposes the selection
to the troïka; the ranking (programme.ranking) shows the mean of the members' scores.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize

from maillage.core.events import record_event
from maillage.core.models import Role, Verb
from maillage.core.perimeter import perimeter_of
from maillage.programme.models import Action, ActionStatus, Criterion, Score


def sits_on_committee(user, obj) -> bool:
    """The user is a selection-committee member of the cité of `obj` (an action or a call). Checked on the role
    itself, as the troïka's answers are: a score counts in the mean, so an administrator does not score."""
    return perimeter_of(user).has_role(obj.cite_id, Role.COMMITTEE_MEMBER)


def value_field(criterion: Criterion) -> str:
    """The form field (and error key) of a criterion's score."""
    return f"value_{criterion.pk}"


def comment_field(criterion: Criterion) -> str:
    return f"comment_{criterion.pk}"


def scoring_closed_reason(action: Action) -> str | None:
    """Why the action cannot be scored now, in French; None when it can."""
    if action.status != ActionStatus.UNDER_REVIEW:
        return (
            f"Une action « {action.get_status_display()} » ne se note pas : seules les actions en instruction le sont."
        )
    if not action.is_eligible:
        return "Cette action n'est pas éligible : elle ne se note pas."
    if action.selection_decision_id is not None:
        return "La sélection a été proposée à la troïka : les notes ne peuvent plus changer."
    return None


def parse_value(raw, criterion: Criterion) -> int:
    """A score as a whole number within the criterion's range, or a French ValidationError."""
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= criterion.max_score:
        raise ValidationError(f"Donnez une note entière de 0 à {criterion.max_score} pour « {criterion.label} ».")
    return raw


@transaction.atomic
def score_action(*, actor, action: Action, values: dict[int, object], comments: dict[int, str] | None = None):
    """Record (or change) `actor`'s scores of `action`: `values` maps each criterion of the call's grid (by
    pk) to a whole number from 0 to its maximum; `comments` optionally maps criteria to a comment.

    Every criterion must be scored. Nothing is written when anything is wrong.
    """
    comments = comments or {}
    if not sits_on_committee(actor, action):
        raise ValidationError("Seuls les membres du comité de sélection de la cité notent les actions.")
    action = Action.objects.select_for_update().get(pk=action.pk)
    reason = scoring_closed_reason(action)
    if reason:
        raise ValidationError(reason)
    criteria = list(Criterion.objects.filter(call_id=action.call_id))
    if not criteria:
        raise ValidationError("La grille de notation de cet appel à projets est vide : ajoutez-y des critères.")
    known = {criterion.pk for criterion in criteria}
    if set(values) - known or set(comments) - known:
        raise ValidationError("Une note porte sur un critère qui n'est pas dans la grille de cet appel à projets.")

    errors, parsed = {}, {}
    for criterion in criteria:
        try:
            parsed[criterion.pk] = parse_value(values.get(criterion.pk), criterion)
        except ValidationError as error:
            errors[value_field(criterion)] = error.messages
    if errors:
        raise ValidationError(errors)

    existing = {score.criterion_id: score for score in Score.objects.filter(action=action, scorer=actor)}
    for criterion in criteria:
        comment = (comments.get(criterion.pk) or "").strip()
        score = existing.get(criterion.pk) or Score(action=action, criterion=criterion, scorer=actor)
        score.value, score.comment = parsed[criterion.pk], comment
        score.save()
    done = "modifiée" if existing else "enregistrée"
    record_event(
        actor=actor,
        verb=Verb.ACTION_SCORED,
        obj=action,
        summary=f"Notation {done} ({len(criteria)} critère{pluralize(len(criteria))})",
    )
    return action
