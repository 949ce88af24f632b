"""The funding dashboard of a cité for one year, computed in SQL: each section is one aggregate query whatever
the number of actions, grants and payments (sums are correlated subqueries or filtered aggregates over
`IN (…)` subqueries, so joins never multiply rows).

The money of a year is that of the year's envelopes (their grants and payments); the actions of a year are
those of the year's calls for projects. "Granted" counts the grants in status `granted` only.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Sum, Value

from maillage.core.models import SpendingCategory, Theme
from maillage.core.queries import ZERO, count_of, sum_of
from maillage.funding.models import Envelope, Grant, GrantStatus, Payment
from maillage.programme.models import (
    FUNDED_STATUSES,
    Action,
    ActionStatus,
    BudgetLine,
    CallForProjects,
    NationalObjective,
    Objective,
)

ObjectiveLink = Objective.actions.through


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal; None when `whole` is zero."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def chart(labels: list[str], series: list[tuple[str, list]]) -> dict:
    """Attributes of a DSFR chart (`<bar-chart>`, `<pie-chart>`): x and y as lists of lists, and series names."""
    return {
        "x": json.dumps([labels] * len(series)),
        "y": json.dumps([[float(value) for value in values] for _, values in series]),
        "name": json.dumps([name for name, _ in series]),
    }


def dashboard_years(cite) -> tuple[list[int], int | None]:
    """The years the cité has an envelope or a call for, latest first, and the default year: the latest with an
    envelope, else the latest with a call (one query)."""
    envelopes = Envelope.objects.filter(cite=cite).order_by().values_list("year", Value(1))
    calls = CallForProjects.objects.filter(cite=cite).order_by().values_list("year", Value(0))
    rows = set(envelopes.union(calls))
    years = sorted({year for year, _ in rows}, reverse=True)
    with_envelope = [year for year, has_envelope in rows if has_envelope]
    return years, max(with_envelope) if with_envelope else (years[0] if years else None)


def granted_grants(cite, year):
    return Grant.objects.filter(cite=cite, envelope__year=year, status=GrantStatus.GRANTED)


# a) Envelope, granted, paid and remaining by funding source, and d) the co-funding share.
@dataclass
class SourceRow:
    label: str
    is_state: bool
    envelope: Decimal
    granted: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.envelope - self.granted

    @property
    def consumed(self) -> Decimal | None:
        """The share of the envelope granted, in percent."""
        return percent(self.granted, self.envelope)


def by_source(cite, year) -> list[SourceRow]:
    granted = Grant.objects.filter(envelope=OuterRef("pk"), status=GrantStatus.GRANTED)
    paid = Payment.objects.filter(grant__envelope=OuterRef("pk"))
    envelopes = (
        Envelope.objects.filter(cite=cite, year=year)
        .select_related("source")
        .annotate(
            granted_total=sum_of(granted, "envelope", "granted"),
            paid_total=sum_of(paid, "grant__envelope", "amount"),
        )
        .order_by("source__position", "source__label")
    )
    return [
        SourceRow(row.source.label, row.source.is_state, row.amount, row.granted_total, row.paid_total)
        for row in envelopes
    ]


def total_of(rows: list[SourceRow], label: str = "Total") -> SourceRow:
    return SourceRow(
        label,
        False,
        sum((row.envelope for row in rows), ZERO),
        sum((row.granted for row in rows), ZERO),
        sum((row.paid for row in rows), ZERO),
    )


@dataclass
class CoFunding:
    state: Decimal
    others: Decimal
    sources: list[SourceRow]  # the non-State sources with money granted

    @property
    def total(self) -> Decimal:
        return self.state + self.others

    @property
    def share(self) -> Decimal | None:
        """The co-funding share: granted from non-State sources over all granted, in percent."""
        return percent(self.others, self.total)


def co_funding(rows: list[SourceRow]) -> CoFunding:
    """From the rows by source (no query): what the State and the co-funders granted."""
    return CoFunding(
        state=sum((row.granted for row in rows if row.is_state), ZERO),
        others=sum((row.granted for row in rows if not row.is_state), ZERO),
        sources=[row for row in rows if not row.is_state and row.granted],
    )


# b) Planned budget of the funded actions by spending category.
def by_category(cite, year) -> list[tuple[str, Decimal]]:
    lines = BudgetLine.objects.filter(
        category=OuterRef("pk"), action__cite=cite, action__call__year=year, action__status__in=FUNDED_STATUSES
    )
    categories = SpendingCategory.objects.annotate(planned=sum_of(lines, "category", "amount")).order_by(
        "position", "label"
    )
    return [(category.label, category.planned) for category in categories]


# c) Granted by national objective and by theme (an action linked to two of them counts in both).
@dataclass
class LinkRow:
    label: str
    actions: int
    granted: Decimal


def by_national_objective(cite, year) -> list[LinkRow]:
    """One query over the year's granted grants: for each national objective, the actions linked to one of its
    nodes that were granted money, and the sum granted to them (an action counts once per national objective,
    however many of its nodes it serves). A last row gathers the actions linked to no objective."""
    linked = {
        code: ObjectiveLink.objects.filter(objective__national_objective=code).values("action_id")
        for code in NationalObjective.values
    }
    unlinked = ~Q(action_id__in=ObjectiveLink.objects.values("action_id"))
    filters = {code: Q(action_id__in=rows) for code, rows in linked.items()} | {"none": unlinked}
    aggregates = {}
    for key, condition in filters.items():
        aggregates[f"actions_{key}"] = Count("action", distinct=True, filter=condition)
        aggregates[f"granted_{key}"] = Sum("granted", filter=condition)
    row = granted_grants(cite, year).aggregate(**aggregates)
    labels = [*NationalObjective.choices, ("none", "Sans objectif renseigné")]
    return [LinkRow(label, row[f"actions_{key}"], row[f"granted_{key}"] or ZERO) for key, label in labels]


def by_theme(cite, year) -> list[LinkRow]:
    grants = granted_grants(cite, year).filter(action__themes=OuterRef("pk"))
    themes = Theme.objects.annotate(
        granted=sum_of(grants, "action__themes", "granted"),
        action_count=count_of(grants, "action__themes", "action", distinct=True),
    ).order_by("position", "label")
    return [LinkRow(theme.label, theme.action_count, theme.granted) for theme in themes]


# e) Actions by status.
def by_status(cite, year) -> list[tuple[str, int]]:
    """Every status in the order of the cycle, with its number of actions (zeros shown)."""
    counts = dict(
        Action.objects.filter(cite=cite, call__year=year)
        .order_by()
        .values("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    return [(status.label, counts.get(status.value, 0)) for status in ActionStatus]


@dataclass
class Dashboard:
    year: int
    sources: list[SourceRow]
    categories: list[tuple[str, Decimal]]
    objectives: list[LinkRow]
    themes: list[LinkRow]
    statuses: list[tuple[str, int]]

    @property
    def total(self) -> SourceRow:
        return total_of(self.sources)

    @property
    def co_funding(self) -> CoFunding:
        return co_funding(self.sources)

    @property
    def planned_total(self) -> Decimal:
        return sum((amount for _, amount in self.categories), ZERO)

    @property
    def action_total(self) -> int:
        return sum(count for _, count in self.statuses)

    def charts(self) -> dict[str, dict]:
        sources = [row.label for row in self.sources]
        cofunding = self.co_funding
        return {
            "sources": chart(
                sources,
                [
                    ("Enveloppe", [row.envelope for row in self.sources]),
                    ("Attribué", [row.granted for row in self.sources]),
                    ("Versé", [row.paid for row in self.sources]),
                ],
            ),
            "categories": chart(
                [label for label, _ in self.categories], [("Budget prévu", [amount for _, amount in self.categories])]
            ),
            "objectives": chart(
                [row.label for row in self.objectives], [("Attribué", [row.granted for row in self.objectives])]
            ),
            "themes": chart([row.label for row in self.themes], [("Attribué", [row.granted for row in self.themes])]),
            "co_funding": {  # a pie chart names its slices
                **chart(["État", "Cofinanceurs"], [("Attribué", [cofunding.state, cofunding.others])]),
                "name": json.dumps(["État", "Cofinanceurs"]),
            },
            "statuses": chart(
                [label for label, _ in self.statuses], [("Actions", [count for _, count in self.statuses])]
            ),
        }


def funding_dashboard(cite, year: int) -> Dashboard:
    """Every section of the dashboard: five queries, whatever the size of the programme."""
    return Dashboard(
        year=year,
        sources=by_source(cite, year),
        categories=by_category(cite, year),
        objectives=by_national_objective(cite, year),
        themes=by_theme(cite, year),
        statuses=by_status(cite, year),
    )
