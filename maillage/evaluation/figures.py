"""The figures of the evaluation, computed in SQL from what the platform holds: the partners' submitted reports
(reach, sessions, hours), the actions and the money of the year, the schools' open data, the values typed by
hand, the targets. Nothing here is stored: every function runs a fixed number of queries whatever the data size
(grouped aggregates, never a query per cité, per action or per report).

"Year" is a financial year. The actions of a year are those of the cité's calls for projects of that year; the
reports counted are the SUBMITTED reports of those actions; the money is that of the year's envelopes (as in
`maillage.funding.dashboards`, whose totals these equal). School-year indicators of a year use the school year
ending in it (2023 → "2022-2023"), or else the latest school year before it that has values.

Counts of people from 1 to 4 are masked ("< 5") wherever a small group could identify people; see `mask`,
`protected_cells` and `share_is_secret`.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from maillage.core.models import AgeBand, Theme
from maillage.core.queries import ZERO, count_of
from maillage.evaluation.models import (
    REPORTING_STATUSES,
    ActionReport,
    ReachLine,
    ReportStatus,
    Target,
    school_year_ending_in,
)
from maillage.funding.dashboards import Dashboard, funding_dashboard, percent
from maillage.funding.models import Envelope, Grant, GrantStatus, Payment
from maillage.programme.models import (
    FUNDED_STATUSES,
    Action,
    ActionStatus,
    CallForProjects,
    NationalObjective,
    Objective,
)
from maillage.territories.models import Cite, Commune, Indicator, IndicatorValue, PeriodKind, School

SMALL_COUNT = 5
"""Counts of people from 1 to SMALL_COUNT - 1 are masked."""
MASKED = "< 5"
MASKED_SHARE = "secret statistique"
"""What a share of people shows when it would tell a count under 5 (see `share_is_secret`)."""
PERSONS = "personnes"
"""The unit of the indicators that count people (their values are masked)."""
HISTORY_LENGTH = 5
NO_OBJECTIVE = "Sans objectif renseigné"

COMPUTED_ORDER = (
    "reach_total",
    "reach_young",
    "reach_parents",
    "reach_female_share",
    "reach_qpv_share",
    "sessions",
    "hours",
    "actions_funded",
    *(f"actions_share_{code}" for code in NationalObjective.values),
    "granted_total",
    "paid_total",
    "cofunding_share",
    "ips_colleges_cite",
    "dnb_success_cite",
)
"""The national indicators seeded by evaluation/migrations/0002, in the order the pages list them."""
COMPUTED_CODES = frozenset(COMPUTED_ORDER)
"""Their values are computed here, never typed."""

PEOPLE_SHARES = {"reach_female_share": "reach_female", "reach_qpv_share": "qpv_residents"}
"""Shares of people → the count they are the share of (out of `reach_total`), to mask small groups."""
SCHOOL_REFERENCES = {"ips_colleges_cite": "ips_college", "dnb_success_cite": "dnb_taux_reussite"}
"""Cité-level school indicators → the school indicator whose département and national values are their references."""
PARENTS = "parents"
"""The code of the parents' audience among the age bands (core/migrations/0003)."""


# Masking small counts.
def is_small(count) -> bool:
    return count is not None and not isinstance(count, str) and 0 < count < SMALL_COUNT


def mask(count):
    """0 and counts from 5 unchanged; 1 to 4 → MASKED; None stays None."""
    return MASKED if is_small(count) else count


def share_is_secret(part, whole) -> bool:
    """A share of people tells three counts: the part, the whole, and the rest. It is hidden when one of them is
    small (e.g. 2 girls out of 40 → 5 %: the 2 girls are found again by multiplying)."""
    if part is None or whole is None:
        return False
    return is_small(part) or is_small(whole) or is_small(whole - part)


def masked_share(share, part, whole):
    return MASKED_SHARE if share is not None and share_is_secret(part, whole) else share


def protected_cells(table: list[list[int]]) -> list[list[bool]]:
    """Which cells of a table of counts to hide. The last cell of each row is the row's total, the last row holds
    the columns' totals.

    Masking small counts is not enough: when one cell of a line (a row, or a column, with its total) is hidden and
    the others are shown, subtraction gives it back (girls 3 hidden, boys 10, total 13 → 3). So whenever a line has
    exactly one hidden cell, a second one is hidden: its total; or, when the total is the one hidden cell, the
    smallest non-zero count of the line. Repeated until every line has no hidden cell or at least two."""
    if not table:
        return []
    height, width = len(table), len(table[0])
    hidden = [[is_small(value) for value in row] for row in table]
    lines = [[(r, c) for c in range(width)] for r in range(height)]
    lines += [[(r, c) for r in range(height)] for c in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            masked = [cell for cell in line if hidden[cell[0]][cell[1]]]
            if len(masked) != 1:
                continue
            *parts, total = line
            if masked[0] != total:
                second = total
            else:
                candidates = [cell for cell in parts if table[cell[0]][cell[1]] > 0]
                if not candidates:
                    continue
                second = min(candidates, key=lambda cell: table[cell[0]][cell[1]])
            hidden[second[0]][second[1]] = True
            changed = True
    return hidden


# Reach of the submitted reports.
def submitted_reports(year: int, cite=None):
    reports = ActionReport.objects.filter(status=ReportStatus.SUBMITTED, action__call__year=year)
    return reports.filter(cite=cite) if cite is not None else reports


BENEFICIARIES = F("female") + F("male")


@dataclass
class BandReach:
    """The people one age band (or audience: parents, professionals) counts, by sex."""

    label: str
    female: int
    male: int

    @property
    def total(self) -> int:
        return self.female + self.male


@dataclass
class MaskedRow:
    """A row of the reach table as shown: counts, or MASKED."""

    label: str
    female: int | str
    male: int | str
    total: int | str


@dataclass
class Reach:
    bands: list[BandReach]
    qpv_residents: int
    sessions: int
    hours: Decimal
    reports: int
    expected: int

    @property
    def total(self) -> int:
        return sum(band.total for band in self.bands)

    @property
    def female(self) -> int:
        return sum(band.female for band in self.bands)

    @property
    def male(self) -> int:
        return sum(band.male for band in self.bands)

    @property
    def qpv_share(self) -> Decimal | None:
        return percent(Decimal(self.qpv_residents), Decimal(self.total))

    @property
    def masked_qpv_share(self):
        return masked_share(self.qpv_share, self.qpv_residents, self.total)

    def masked_rows(self) -> list[MaskedRow]:
        """The bands then a "Total" row, masked with `protected_cells` (no count under 5 can be found again by
        subtracting what is shown)."""
        rows = [(band.label, band.female, band.male, band.total) for band in self.bands]
        rows.append(("Total", self.female, self.male, self.total))
        hidden = protected_cells([list(counts) for _, *counts in rows])
        return [
            MaskedRow(label, *(MASKED if hide else count for count, hide in zip(counts, masks, strict=True)))
            for (label, *counts), masks in zip(rows, hidden, strict=True)
        ]


def reach(cite, year: int) -> Reach:
    """Two queries: the age bands with their people, and the reports' totals over the actions of the year."""
    reports = submitted_reports(year, cite)
    lines = ReachLine.objects.filter(age_band=OuterRef("pk"), report__in=reports)
    bands = AgeBand.objects.order_by("position", "label").annotate(
        female_total=people_of(lines, "age_band", F("female")),
        male_total=people_of(lines, "age_band", F("male")),
    )
    submitted = Q(report__status=ReportStatus.SUBMITTED)
    totals = Action.objects.filter(cite=cite, call__year=year).aggregate(
        expected=Count("pk", filter=Q(status__in=[*REPORTING_STATUSES, ActionStatus.CLOSED])),
        reports=Count("report", filter=submitted),
        qpv=Sum("report__qpv_residents", filter=submitted),
        sessions=Sum("report__sessions", filter=submitted),
        hours=Sum("report__hours", filter=submitted),
    )
    return Reach(
        bands=[BandReach(band.label, band.female_total, band.male_total) for band in bands],
        qpv_residents=totals["qpv"] or 0,
        sessions=totals["sessions"] or 0,
        hours=totals["hours"] or ZERO,
        reports=totals["reports"],
        expected=totals["expected"],
    )


def people_of(lines, owner: str, counted=BENEFICIARIES):
    """Correlated SUM of people over reach `lines` filtered on `OuterRef(...)` through `owner`; 0 when none."""
    summed = lines.order_by().values(owner).annotate(total=Sum(counted)).values("total")
    return Coalesce(Subquery(summed, output_field=IntegerField()), Value(0))


@dataclass
class ReachRow:
    """Beneficiaries of the actions linked to a national objective or a theme. `actions` counts the actions whose
    submitted report is counted (an action linked to two of them counts in both)."""

    label: str
    actions: int
    beneficiaries: int


def objective_filters(action_path: str) -> dict[str, Q]:
    """For each national objective, the rows whose action (at `action_path`) is linked to one of its nodes; and
    "none": the rows whose action is linked to no objective."""
    links = Objective.actions.through.objects
    filters = {
        code: Q(**{f"{action_path}__in": links.filter(objective__national_objective=code).values("action_id")})
        for code in NationalObjective.values
    }
    filters["none"] = ~Q(**{f"{action_path}__in": links.values("action_id")})
    return filters


def reach_by_objective(cite, year: int) -> list[ReachRow]:
    """One query: the 3 national objectives, then the actions linked to none."""
    aggregates = {}
    for key, condition in objective_filters("action_id").items():
        aggregates[f"actions_{key}"] = Count("pk", distinct=True, filter=condition)
        aggregates[f"people_{key}"] = Sum(F("reach_lines__female") + F("reach_lines__male"), filter=condition)
    row = submitted_reports(year, cite).aggregate(**aggregates)
    labels = [*NationalObjective.choices, ("none", NO_OBJECTIVE)]
    return [ReachRow(label, row[f"actions_{key}"], row[f"people_{key}"] or 0) for key, label in labels]


def reach_by_theme(cite, year: int) -> list[ReachRow]:
    """One query: every theme in position order."""
    reports = submitted_reports(year, cite)
    themed_reports = reports.filter(action__themes=OuterRef("pk"))
    lines = ReachLine.objects.filter(report__in=reports, report__action__themes=OuterRef("pk"))
    themes = Theme.objects.order_by("position", "label").annotate(
        report_count=count_of(themed_reports, "action__themes", "pk", distinct=True),
        people=people_of(lines, "report__action__themes"),
    )
    return [ReachRow(theme.label, theme.report_count, theme.people) for theme in themes]


# The computed national indicators, for many cités and years at once (grouped by cité and year).
Key = tuple[int, int]  # (cité id, year)


def _scoped(rows, cite_path: str, cite_ids):
    return rows if cite_ids is None else rows.filter(**{f"{cite_path}__in": cite_ids})


def _report_figures(years, cite_ids) -> dict[str, dict[Key, Decimal | None]]:
    """Reach, sessions and hours of the submitted reports: two grouped queries."""
    reports = _scoped(
        ActionReport.objects.filter(status=ReportStatus.SUBMITTED, action__call__year__in=years), "cite_id", cite_ids
    )
    totals = (
        reports.order_by()
        .values("cite_id", "action__call__year")
        .annotate(count=Count("pk"), qpv=Sum("qpv_residents"), sessions=Sum("sessions"), hours=Sum("hours"))
    )
    people = (
        ReachLine.objects.filter(report__in=reports)
        .order_by()
        .values("report__cite_id", "report__action__call__year")
        .annotate(
            total=Sum(BENEFICIARIES),
            girls=Sum("female"),
            young=Sum(BENEFICIARIES, filter=Q(age_band__min_age__isnull=False)),
            parents=Sum(BENEFICIARIES, filter=Q(age_band__code=PARENTS)),
        )
    )
    counted = {(row["report__cite_id"], row["report__action__call__year"]): row for row in people}
    values = defaultdict(dict)
    for row in totals:
        key = (row["cite_id"], row["action__call__year"])
        lines = counted.get(key, {})
        total, female, qpv = lines.get("total") or 0, lines.get("girls") or 0, row["qpv"] or 0
        values["reach_total"][key] = Decimal(total)
        values["reach_young"][key] = Decimal(lines.get("young") or 0)
        values["reach_parents"][key] = Decimal(lines.get("parents") or 0)
        values["reach_female"][key] = Decimal(female)
        values["qpv_residents"][key] = Decimal(qpv)
        values["reach_female_share"][key] = percent(Decimal(female), Decimal(total))
        values["reach_qpv_share"][key] = percent(Decimal(qpv), Decimal(total))
        values["sessions"][key] = Decimal(row["sessions"] or 0)
        values["hours"][key] = row["hours"] or ZERO
    return values


def _action_figures(years, cite_ids) -> dict[str, dict[Key, Decimal | None]]:
    """Funded actions and their share per national objective: one grouped query."""
    funded = Q(status__in=FUNDED_STATUSES)
    objectives = objective_filters("pk")
    counts = (
        _scoped(Action.objects.filter(call__year__in=years), "cite_id", cite_ids)
        .order_by()
        .values("cite_id", "call__year")
        .annotate(
            funded=Count("pk", filter=funded),
            **{code: Count("pk", filter=funded & objectives[code]) for code in NationalObjective.values},
        )
    )
    values = defaultdict(dict)
    for row in counts:
        key = (row["cite_id"], row["call__year"])
        values["actions_funded"][key] = Decimal(row["funded"])
        for code in NationalObjective.values:
            values[f"actions_share_{code}"][key] = percent(Decimal(row[code]), Decimal(row["funded"]))
    return values


def _money_figures(years, cite_ids) -> dict[str, dict[Key, Decimal | None]]:
    """Granted, paid and the co-funding share of the year's envelopes, as `funding_dashboard` counts them: granted
    sums the grants in status granted, paid every payment on the envelopes' grants. Three grouped queries."""
    envelopes = _scoped(Envelope.objects.filter(year__in=years), "cite_id", cite_ids)
    granted_grants = Grant.objects.filter(envelope__year__in=years, status=GrantStatus.GRANTED)
    grants = (
        _scoped(granted_grants, "envelope__cite_id", cite_ids)
        .order_by()
        .values("envelope__cite_id", "envelope__year")
        .annotate(granted_sum=Sum("granted"), state=Sum("granted", filter=Q(envelope__source__is_state=True)))
    )
    payments = (
        _scoped(Payment.objects.filter(grant__envelope__year__in=years), "grant__envelope__cite_id", cite_ids)
        .order_by()
        .values("grant__envelope__cite_id", "grant__envelope__year")
        .annotate(paid=Sum("amount"))
    )
    granted = {(row["envelope__cite_id"], row["envelope__year"]): row for row in grants}
    paid = {(row["grant__envelope__cite_id"], row["grant__envelope__year"]): row["paid"] for row in payments}
    values = defaultdict(dict)
    for key in set(envelopes.order_by().values_list("cite_id", "year")):
        row = granted.get(key, {})
        total, state = row.get("granted_sum") or ZERO, row.get("state") or ZERO
        values["granted_total"][key] = total
        values["paid_total"][key] = paid.get(key) or ZERO
        values["cofunding_share"][key] = percent(total - state, total)
    return values


SchoolSeries = dict[str, dict[int, dict[str, Decimal]]]
"""code → cité id → period → value."""


def _school_series(cite_ids, up_to: str) -> SchoolSeries:
    """The cité-level school indicators for every school year up to `up_to`: the simple mean of the collèges' IPS,
    and the brevet success rate (admitted over present candidates of every collège). One grouped query."""
    values = IndicatorValue.objects.filter(
        indicator__code__in=["ips_college", "dnb_admis", "dnb_presents"], period__lte=up_to
    )
    if cite_ids is None:
        values = values.filter(school__cites__isnull=False)
    else:
        values = values.filter(school__cites__in=cite_ids)
    rows = (
        values.order_by()
        .values("school__cites", "indicator__code", "period")
        .annotate(total=Sum("value"), schools=Count("pk"))
    )
    sums: dict[tuple[int, str], dict[str, tuple[Decimal, int]]] = defaultdict(dict)
    for row in rows:
        sums[(row["school__cites"], row["period"])][row["indicator__code"]] = (row["total"], row["schools"])
    series: SchoolSeries = {"ips_colleges_cite": defaultdict(dict), "dnb_success_cite": defaultdict(dict)}
    for (cite_id, period), codes in sums.items():
        if "ips_college" in codes:
            total, schools = codes["ips_college"]
            series["ips_colleges_cite"][cite_id][period] = (total / schools).quantize(Decimal("0.1"), ROUND_HALF_UP)
        presents = codes.get("dnb_presents", (ZERO, 0))[0]
        if presents:
            admitted = codes.get("dnb_admis", (ZERO, 0))[0]
            series["dnb_success_cite"][cite_id][period] = percent(admitted, presents)
    return series


def latest(series: dict[str, Decimal], period: str) -> tuple[str, Decimal | None]:
    """The value of `period`, or else of the latest period before it that has one; (`period`, None) if none."""
    known = [known for known in series if known <= period]
    if not known:
        return period, None
    found = max(known)
    return found, series[found]


def _platform_figures(years: list[int], cite_ids) -> dict[str, dict[Key, Decimal | None]]:
    """The indicators of the reports, the actions and the money (and the counts behind the shares of people) for
    `years` and the cités of `cite_ids` (None: every cité): code → {(cité id, year): value}; a cité without the
    data has no key."""
    values = defaultdict(dict)
    for part in (_report_figures, _action_figures, _money_figures):
        values.update(part(years, cite_ids))
    return values


def _figures(years: list[int], cite_ids) -> dict[str, dict[Key, Decimal | None]]:
    """`_platform_figures` and the school indicators of each year (the latest school year up to it)."""
    values = _platform_figures(years, cite_ids)
    for code, by_cite in _school_series(cite_ids, school_year_ending_in(max(years))).items():
        for cite_id, periods in by_cite.items():
            for year in years:
                _, value = latest(periods, school_year_ending_in(year))
                if value is not None:
                    values[code][(cite_id, year)] = value
    return values


def computed_values(year: int, cite_ids: list[int] | None = None) -> dict[str, dict[int, Decimal | None]]:
    """code → {cité id: value} for every code of COMPUTED_CODES and every cité asked (None: every cité); None
    where the cité has no such data (no submitted report, no action, no envelope, no school value)."""
    if cite_ids is None:
        cite_ids = list(Cite.objects.order_by().values_list("pk", flat=True))
    values = _figures([year], cite_ids)
    return {code: {cite_id: values[code].get((cite_id, year)) for cite_id in cite_ids} for code in COMPUTED_ORDER}


# The indicators of a cité.
@dataclass
class IndicatorRow:
    indicator: Indicator
    period: str
    value: Decimal | None
    target: Decimal | None
    history: list[tuple[str, Decimal | None]]
    departement_reference: Decimal | None = None
    national_reference: Decimal | None = None
    bases: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    """For a share of people, period → (the count it is the share of, the total): to hide small groups."""
    provisional: bool = False
    """A figure of the holders' reports while some of the year's reports are still awaited: it will grow, so no
    trend is drawn from it."""

    @property
    def trend(self) -> str | None:
        """Against the previous period of the history: "hausse", "baisse" or "stable" (none while provisional)."""
        if self.provisional or len(self.history) < 2 or self.value is None or self.history[-2][1] is None:
            return None
        previous = self.history[-2][1]
        if self.value > previous:
            return "hausse"
        return "baisse" if self.value < previous else "stable"

    @property
    def meets_target(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        if self.indicator.direction == Indicator.Direction.UP:
            return self.value >= self.target
        if self.indicator.direction == Indicator.Direction.DOWN:
            return self.value <= self.target
        return None

    def masked(self, period: str, value):
        """`value` as shown: a count of people under 5 masked, a share of people hidden when it tells one."""
        if self.indicator.unit == PERSONS:
            return mask(value)
        if period in self.bases:
            return masked_share(value, *self.bases[period])
        return value

    @property
    def masked_value(self):
        return self.masked(self.period, self.value)

    @property
    def masked_history(self) -> list[tuple[str, object]]:
        return [(period, self.masked(period, value)) for period, value in self.history]


def main_departement(cite_ref, column: str = "departement_id"):
    """`column` of the département of most of the cité's communes, as a subquery (`cite_ref`: a cité or an
    OuterRef). A cité lies in one département but for a few; those are shown under their main one."""
    return Subquery(
        Commune.objects.filter(cites=cite_ref)
        .order_by()
        .values("departement_id")
        .annotate(communes=Count("pk"))
        .order_by("-communes", "departement_id")
        .values(column)[:1]
    )


def indicator_rows(cite, year: int) -> list[IndicatorRow]:
    """Every active cité-level indicator available in the cité (the national ones first, in COMPUTED_ORDER, then
    the others by label): its value of the year, its target, its last periods and its references. Computed values
    come from `_figures`; the others are the values stored for the cité. A school-year indicator shows the school
    year ending in the year or, failing that, the latest before it: the target and the references are those of
    the period shown. Fixed number of queries."""
    indicators = list(Indicator.objects.available_in(cite.pk).filter(level=Indicator.Level.CITE))
    order = {code: position for position, code in enumerate(COMPUTED_ORDER)}
    indicators.sort(key=lambda indicator: (order.get(indicator.code, len(order)), indicator.is_local, indicator.label))
    stored_ids = [indicator.pk for indicator in indicators if indicator.code not in COMPUTED_CODES]
    stored: dict[int, dict[str, Decimal]] = defaultdict(dict)
    # Every value stored for the cité (filtering on `stored_ids` would skip the query when it is empty, and the
    # page's query count would then depend on the data).
    for value in IndicatorValue.objects.filter(cite=cite).exclude(indicator__code__in=COMPUTED_CODES).order_by():
        stored[value.indicator_id][value.period] = value.value
    targets = {
        (target.indicator_id, target.period): target.value for target in Target.objects.filter(cite=cite).order_by()
    }
    references = _references(cite, stored_ids)
    years = list(range(year - HISTORY_LENGTH + 1, year + 1))
    computed = _platform_figures(years, [cite.pk])
    schools = _school_series([cite.pk], school_year_ending_in(year))
    awaited = (
        Action.objects.filter(cite=cite, call__year=year, status__in=REPORTING_STATUSES)
        .exclude(report__status=ReportStatus.SUBMITTED)
        .exists()
    )
    rows = []
    for indicator in indicators:
        if indicator.code in schools:
            series = schools[indicator.code].get(cite.pk, {})
        elif indicator.code in COMPUTED_CODES:
            series = {
                str(y): computed[indicator.code][(cite.pk, y)]
                for y in years
                if (cite.pk, y) in computed[indicator.code]
            }
        else:
            series = stored[indicator.pk]
        row = _indicator_row(indicator, year, series, targets, references)
        row.provisional = awaited and indicator.source == Indicator.Source.PARTNER_REPORT
        if indicator.code in PEOPLE_SHARES:
            part, whole = computed[PEOPLE_SHARES[indicator.code]], computed["reach_total"]
            row.bases = {str(y): (part[(cite.pk, y)], whole[(cite.pk, y)]) for y in years if (cite.pk, y) in whole}
        rows.append(row)
    return rows


def _indicator_row(indicator, year: int, series: dict[str, Decimal], targets, references) -> IndicatorRow:
    if indicator.period_kind == PeriodKind.SCHOOL_YEAR:
        period, value = latest(series, school_year_ending_in(year))
    else:
        period = str(year)
        value = series.get(period)
    earlier = sorted(known for known in series if known < period)[-(HISTORY_LENGTH - 1) :]
    code = SCHOOL_REFERENCES.get(indicator.code, indicator.code)
    return IndicatorRow(
        indicator=indicator,
        period=period,
        value=value,
        target=targets.get((indicator.pk, period)),
        history=[*((known, series[known]) for known in earlier), (period, value)],
        departement_reference=references.get((code, "departement", period)),
        national_reference=references.get((code, "national", period)),
    )


def _references(cite, indicator_ids) -> dict[tuple[str, str, str], Decimal]:
    """(code, "departement" | "national", period) → value: the references of the school indicators and of the
    stored indicators, for the cité's main département and for France. One query."""
    values = IndicatorValue.objects.filter(
        Q(indicator__code__in=SCHOOL_REFERENCES.values()) | Q(indicator_id__in=indicator_ids),
        Q(departement_id=main_departement(cite)) | Q(departement__isnull=True),
        school__isnull=True,
        cite__isnull=True,
    ).values_list("indicator__code", "departement_id", "period", "value")
    return {
        (code, "departement" if departement_id else "national", period): value
        for code, departement_id, period, value in values
    }


# The schools of a cité.
@dataclass
class SchoolRow:
    """A school of the cité: its latest IPS (up to the year) against the département and France, and its latest
    brevet success rate against the département's (collèges)."""

    school: School
    ips_period: str | None = None
    ips: Decimal | None = None
    ips_departement: Decimal | None = None
    ips_national: Decimal | None = None
    dnb_period: str | None = None
    dnb_rate: Decimal | None = None
    dnb_departement: Decimal | None = None

    @property
    def ips_gap(self) -> Decimal | None:
        """The school's IPS minus the département's (negative: a more disadvantaged intake)."""
        if self.ips is None or self.ips_departement is None:
            return None
        return self.ips - self.ips_departement


SCHOOL_CODES = ("ips_college", "ips_ecole", "dnb_taux_reussite")


def school_rows(cite, year: int) -> list[SchoolRow]:
    """The cité's schools, collèges first then by name. Three queries."""
    up_to = school_year_ending_in(year)
    schools = sorted(
        cite.schools.select_related("commune"),
        key=lambda school: (school.kind != School.Kind.COLLEGE, school.name),
    )
    values: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(dict)
    for school_id, code, period, value in IndicatorValue.objects.filter(
        school__cites=cite, indicator__code__in=SCHOOL_CODES, period__lte=up_to
    ).values_list("school_id", "indicator__code", "period", "value"):
        values[(school_id, code)][period] = value
    references: dict[tuple[str, int | None, str], Decimal] = {}
    for code, departement_id, period, value in IndicatorValue.objects.filter(
        Q(departement_id__in=Commune.objects.filter(schools__cites=cite).values("departement_id"))
        | Q(departement__isnull=True),
        indicator__code__in=SCHOOL_CODES,
        school__isnull=True,
        cite__isnull=True,
    ).values_list("indicator__code", "departement_id", "period", "value"):
        references[(code, departement_id, period)] = value
    rows = []
    for school in schools:
        departement = school.commune.departement_id
        ips_code = "ips_college" if school.kind == School.Kind.COLLEGE else "ips_ecole"
        row = SchoolRow(school)
        if ips_values := values.get((school.pk, ips_code)):
            row.ips_period, row.ips = latest(ips_values, up_to)
            row.ips_departement = references.get((ips_code, departement, row.ips_period))
            row.ips_national = references.get((ips_code, None, row.ips_period))
        if dnb_values := values.get((school.pk, "dnb_taux_reussite")):
            row.dnb_period, row.dnb_rate = latest(dnb_values, up_to)
            row.dnb_departement = references.get(("dnb_taux_reussite", departement, row.dnb_period))
        rows.append(row)
    return rows


# The pages: the dashboard of a cité and the national comparison.
def dashboard_default_year(cite, years: list[int]) -> int | None:
    """The latest of `years` with submitted reports, else the latest of `years` (one query)."""
    reported = set(
        ActionReport.objects.filter(cite=cite, status=ReportStatus.SUBMITTED, action__call__year__in=years)
        .order_by()
        .values_list("action__call__year", flat=True)
        .distinct()
    )
    return max(reported) if reported else (years[0] if years else None)


def national_years() -> tuple[list[int], int | None]:
    """The years any cité has a call or an envelope for, latest first, and the default one: the latest with
    submitted reports, else the latest. Two queries."""
    calls = CallForProjects.objects.order_by().values_list("year", flat=True)
    years = sorted(set(calls.union(Envelope.objects.order_by().values_list("year", flat=True))), reverse=True)
    reported = ActionReport.objects.filter(status=ReportStatus.SUBMITTED).aggregate(year=Max("action__call__year"))
    default = reported["year"] if reported["year"] in years else (years[0] if years else None)
    return years, default


def people_chart(labels: list[str], series: list[tuple[str, list]]) -> dict:
    """A DSFR chart of counts of people: a masked count draws no bar (the table says "< 5")."""
    return {
        "x": json.dumps([labels] * len(series)),
        "y": json.dumps([[None if mask(value) == MASKED else value for value in values] for _, values in series]),
        "name": json.dumps([name for name, _ in series]),
    }


@dataclass
class CiteDashboard:
    """Everything the evaluation dashboard of a cité shows (and its XLSX export holds) for one year."""

    year: int
    reach: Reach
    objectives: list[ReachRow]
    themes: list[ReachRow]
    money: Dashboard
    indicators: list[IndicatorRow]
    schools: list[SchoolRow]

    def charts(self) -> dict[str, dict]:
        bands = self.reach.masked_rows()[:-1]  # without the total
        return {
            "bands": people_chart(
                [row.label for row in bands],
                [
                    ("Filles et femmes", [row.female for row in bands]),
                    ("Garçons et hommes", [row.male for row in bands]),
                ],
            ),
            "objectives": people_chart(
                [row.label for row in self.objectives],
                [("Bénéficiaires", [row.beneficiaries for row in self.objectives])],
            ),
            "themes": people_chart(
                [row.label for row in self.themes], [("Bénéficiaires", [row.beneficiaries for row in self.themes])]
            ),
            "sources": self.money.charts()["sources"],
        }


def cite_dashboard(cite, year: int) -> CiteDashboard:
    return CiteDashboard(
        year=year,
        reach=reach(cite, year),
        objectives=reach_by_objective(cite, year),
        themes=reach_by_theme(cite, year),
        money=funding_dashboard(cite, year),
        indicators=indicator_rows(cite, year),
        schools=school_rows(cite, year),
    )


NATIONAL_CODES = (
    "reach_total",
    "reach_qpv_share",
    "actions_funded",
    "granted_total",
    "paid_total",
    "cofunding_share",
    "ips_colleges_cite",
    "dnb_success_cite",
)
"""The shared indicators of the national comparison, in the order of its columns."""


@dataclass
class NationalRow:
    cite: Cite
    departement: str
    values: dict[str, Decimal | None]
    """NATIONAL_CODES → value, masked: a count of people under 5 and a share telling one are hidden."""

    @property
    def cells(self) -> list:
        return [self.values[code] for code in NATIONAL_CODES]


def national_rows(year: int) -> list[NationalRow]:
    """Every cité (by name) with its main département and the shared indicators of the year. A fixed number of
    queries: the cités, then the grouped figures of `_figures`."""
    cites = Cite.objects.order_by("name").annotate(
        departement_name=main_departement(OuterRef("pk"), "departement__name"),
        departement_code=main_departement(OuterRef("pk"), "departement__code"),
    )
    values = _figures([year], None)
    rows = []
    for cite in cites:
        key = (cite.pk, year)
        shown = {code: values[code].get(key) for code in NATIONAL_CODES}
        shown["reach_total"] = mask(shown["reach_total"])
        shown["reach_qpv_share"] = masked_share(
            shown["reach_qpv_share"], values["qpv_residents"].get(key), values["reach_total"].get(key)
        )
        label = f"{cite.departement_name} ({cite.departement_code})" if cite.departement_code else ""
        rows.append(NationalRow(cite, label, shown))
    return rows
