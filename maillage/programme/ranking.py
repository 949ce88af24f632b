"""The ranking of a call's actions by the committee's scores, with the running total of what they ask from the
State against the call's envelope. Everything is computed in SQL: a page of the ranking costs the same
number of queries whatever the number of actions, scores and funding requests.

An action's score is the mean, over the members who scored it, of their weighted grid total as a share of
the grid's weighted maximum, out of 100:

    score = sum(value * weight) * 100 / (number of scorers * sum(max_score * weight))

Each member scores every criterion (see services.scoring), so this is the mean of each member's /100 score.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import Cast, Coalesce

from maillage.core.queries import MONEY, ZERO, sum_of
from maillage.programme.models import (
    FUNDED_STATUSES,
    Action,
    ActionStatus,
    CallForProjects,
    Criterion,
    FundingRequest,
    Score,
)

NO_MONEY = Value(ZERO, output_field=MONEY)

RANKED_STATUSES = (ActionStatus.UNDER_REVIEW, ActionStatus.REJECTED, *FUNDED_STATUSES)
"""Eligible actions in the ranking: those under review, and those the troïka already selected or rejected."""

RANKING_ORDER = (F("score").desc(nulls_last=True), F("title").asc(), F("pk").asc())
"""Best score first; ties (and actions nobody scored yet) by title."""


def grid_maximum(call: CallForProjects) -> int:
    """sum(max_score * weight) over the call's grid: a member giving every criterion its maximum scores 100."""
    total = Criterion.objects.filter(call=call).aggregate(total=Sum(F("max_score") * F("weight")))["total"]
    return total or 0


def requested(state_only: bool):
    """What the action asks in its funding plan (from State sources only, or from every source)."""
    rows = FundingRequest.objects.filter(action=OuterRef("pk"))
    if state_only:
        rows = rows.filter(source__is_state=True)
    return sum_of(rows, "action", "amount")


def scores_of_action(aggregate):
    """A correlated aggregate over the action's scores (weighted total, or number of scorers)."""
    rows = Score.objects.filter(action=OuterRef("pk")).order_by().values("action").annotate(result=aggregate)
    return Coalesce(Subquery(rows.values("result"), output_field=IntegerField()), Value(0))


def with_scores(actions: QuerySet, grid_max: int) -> QuerySet:
    """`actions` with `weighted` (sum of value * weight), `scorers`, and `score` (/100, None when unscored)."""
    actions = actions.annotate(
        weighted=scores_of_action(Sum(F("value") * F("criterion__weight"))),
        scorers=scores_of_action(Count("scorer", distinct=True)),
    )
    if not grid_max:
        return actions.annotate(score=Value(None, output_field=FloatField()))
    return actions.annotate(
        score=Case(
            When(
                scorers__gt=0,
                then=Cast(F("weighted"), FloatField()) * Value(100.0) / (F("scorers") * Value(grid_max)),
            ),
            default=None,
            output_field=FloatField(),
        )
    )


def ranked_actions(call: CallForProjects, *, scorer=None) -> QuerySet:
    """The call's eligible actions in ranking order, each with its score, its number of scorers, what it asks
    from the State (`state_requested`) and from every source (`total_requested`), and `running_total`: the
    State money asked by this action and those ranked above it, rejected ones left out. With `scorer`, also
    `scored_by_me`."""
    actions = Action.objects.filter(call=call, is_eligible=True, status__in=RANKED_STATUSES)
    actions = with_scores(actions, grid_maximum(call)).annotate(
        state_requested=requested(state_only=True),
        total_requested=requested(state_only=False),
    )
    counted = Case(When(status=ActionStatus.REJECTED, then=NO_MONEY), default=F("state_requested"), output_field=MONEY)
    actions = actions.annotate(
        running_total=Window(Sum(counted), order_by=list(RANKING_ORDER), frame=RowRange(start=None, end=0))
    )
    if scorer is not None:
        actions = actions.annotate(scored_by_me=Exists(Score.objects.filter(action=OuterRef("pk"), scorer=scorer)))
    return actions.select_related("organisation").order_by(*RANKING_ORDER)


@dataclass(frozen=True)
class RankingRow:
    action: Action
    rank: int
    remaining: Decimal
    """What is left of the envelope after this action and those above it (negative: beyond the envelope)."""

    @property
    def beyond_envelope(self) -> bool:
        """The envelope is spent before this action's State request (an action asking nothing is never beyond)."""
        return self.counts_against_envelope and self.remaining < 0 and self.action.state_requested > 0

    @property
    def counts_against_envelope(self) -> bool:
        return self.action.status != ActionStatus.REJECTED

    @property
    def is_scorable(self) -> bool:
        """Committee members still score it: under review and not yet proposed to the troïka."""
        return self.action.status == ActionStatus.UNDER_REVIEW and self.action.selection_decision_id is None

    @property
    def selection_label(self) -> str:
        action = self.action
        if action.status in FUNDED_STATUSES:
            return "Retenue"
        if action.status == ActionStatus.REJECTED:
            return "Non retenue"
        if action.selection_decision_id is not None:
            return f"Proposée {action.get_proposed_outcome_display()}, en attente de la troïka"
        return "En instruction"

    @property
    def selection_badge(self) -> str:
        """The DSFR badge variant; the label always says the same in words."""
        if self.action.status in FUNDED_STATUSES:
            return "success"
        if self.action.status == ActionStatus.REJECTED:
            return "error"
        return "info" if self.action.selection_decision_id is not None else "new"


def ranking(call: CallForProjects, *, scorer=None) -> list[RankingRow]:
    """The rows of the ranking page: each ranked action with its rank and the envelope left after it."""
    envelope = call.envelope
    return [
        RankingRow(action=action, rank=rank, remaining=envelope - action.running_total)
        for rank, action in enumerate(ranked_actions(call, scorer=scorer), start=1)
    ]


def ineligible_actions(call: CallForProjects) -> QuerySet:
    """The call's actions the grant officer found ineligible, with their note."""
    return (
        Action.objects.filter(call=call, is_eligible=False)
        .exclude(status__in=(ActionStatus.DRAFT, ActionStatus.SUBMITTED))
        .select_related("organisation")
        .order_by("title", "pk")
    )


def awaiting_instruction(call: CallForProjects) -> int:
    """How many of the call's submitted actions the grant officer has not instructed yet."""
    return Action.objects.filter(call=call, status=ActionStatus.SUBMITTED).count()
