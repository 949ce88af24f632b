"""The figures of a cité's annual review (revue de projet), assembled from what the platform already holds.

Four sections, each computed in SQL with a fixed number of queries whatever the size of the programme:
governance (bodies, meetings held, attendance, decisions), operational deployment (actions by national
objective, theme and status; beneficiaries), finances (the funding module's dashboard, so that the totals are
the same) and evaluation (indicators against their targets, the schools). The page, the XLSX and the PDF all
read this one object; counts of people go through `figures.mask` wherever they are shown.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.template.defaultfilters import pluralize
from django.utils.formats import number_format

from maillage.core.queries import count_of, sum_of
from maillage.core.templatetags.ui import euros
from maillage.evaluation import charts, figures
from maillage.evaluation.models import AnnualReview, ReviewStatus
from maillage.funding.dashboards import Dashboard, funding_dashboard, percent
from maillage.funding.models import Envelope
from maillage.governance.models import (
    Attendance,
    Body,
    BodyKind,
    Decision,
    DecisionStatus,
    Invitation,
    Meeting,
    MeetingStatus,
)
from maillage.territories.models import Cite, Indicator

BODY_ORDER = {kind: position for position, kind in enumerate(BodyKind.values)}


@dataclass
class BodyRow:
    """One body of the cité's governance and its sittings of the year."""

    name: str
    kind: str
    is_active: bool
    meetings_held: int
    invited: int
    present: int

    @property
    def attendance(self) -> Decimal | None:
        """Present over invited at the meetings held, in percent (None when nobody was invited)."""
        return percent(Decimal(self.present), Decimal(self.invited))


@dataclass
class Governance:
    bodies: list[BodyRow]
    decisions: list[tuple[str, int]]  # every decision status, with the decisions proposed in the year

    @property
    def total(self) -> BodyRow:
        return BodyRow(
            "Total",
            "",
            True,
            sum(row.meetings_held for row in self.bodies),
            sum(row.invited for row in self.bodies),
            sum(row.present for row in self.bodies),
        )

    @property
    def decision_total(self) -> int:
        return sum(count for _, count in self.decisions)


def held_meetings(year: int):
    return Meeting.objects.filter(status=MeetingStatus.HELD, starts_at__year=year)


def held_invitations(year: int):
    """Who was invited to the meetings held in `year` (attendance: present, excused, absent or not recorded)."""
    return Invitation.objects.filter(meeting__status=MeetingStatus.HELD, meeting__starts_at__year=year)


def governance(cite, year: int) -> Governance:
    """Two queries: the bodies (the active ones, and any other that met in the year) with their meetings held
    in the year and the attendance at them; the decisions proposed in the year by status."""
    invitations = held_invitations(year).filter(meeting__body=OuterRef("pk"))
    bodies = (
        Body.objects.filter(cite=cite)
        .annotate(
            held=count_of(held_meetings(year).filter(body=OuterRef("pk")), "body"),
            invited=count_of(invitations, "meeting__body"),
            present=count_of(invitations.filter(attendance=Attendance.PRESENT), "meeting__body"),
        )
        .filter(Q(is_active=True) | Q(held__gt=0))
    )
    rows = [
        BodyRow(body.name, body.get_kind_display(), body.is_active, body.held, body.invited, body.present)
        for body in sorted(bodies, key=lambda body: (BODY_ORDER[body.kind], body.name))
    ]
    counts = dict(
        Decision.objects.filter(cite=cite, created_at__year=year)
        .order_by()
        .values("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    return Governance(rows, [(status.label, counts.get(status.value, 0)) for status in DecisionStatus])


def number_text(value, decimals: int = 0) -> str:
    """A figure as the page and the PDF show it: French digits, `decimals` decimals; a masked count or a hidden
    share as it is; "—" when there is no value."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    value = Decimal(value).quantize(Decimal(1).scaleb(-decimals))
    return number_format(value, decimal_pos=decimals, force_grouping=True)


TRENDS = {"hausse": "↗ en hausse", "baisse": "↘ en baisse", "stable": "→ stable"}
MET = {True: "atteinte", False: "non atteinte", None: "—"}


@dataclass
class IndicatorLine:
    """An indicator of the evaluation section as written in the page and the PDF (values masked)."""

    label: str
    unit: str
    period: str
    value: str
    target: str
    met: str
    trend: str
    departement_reference: str
    national_reference: str
    history: str


def indicator_line(row: figures.IndicatorRow) -> IndicatorLine:
    decimals = row.indicator.decimals
    return IndicatorLine(
        label=row.indicator.label,
        unit=row.indicator.unit,
        period=row.period,
        value=number_text(row.masked_value, decimals),
        target=number_text(row.target, decimals),
        met=MET[row.meets_target],
        trend=TRENDS.get(row.trend, "—"),
        departement_reference=number_text(row.departement_reference, decimals),
        national_reference=number_text(row.national_reference, decimals),
        history=" ; ".join(f"{period} : {number_text(value, decimals)}" for period, value in row.masked_history[:-1]),
    )


@dataclass
class ReviewFigures:
    cite: Cite
    year: int
    governance: Governance
    funding: Dashboard
    reach: figures.Reach
    reach_by_objective: list[figures.ReachRow]
    indicators: list[figures.IndicatorRow]
    schools: list[figures.SchoolRow]

    @property
    def bands(self) -> list[figures.MaskedRow]:
        """Beneficiaries by age band and sex, then their total, masked (`Reach.masked_rows`)."""
        return self.reach.masked_rows()

    @property
    def objectives_reach(self) -> list[tuple[str, int, int | str]]:
        """(national objective, actions with a report counted, beneficiaries masked)."""
        return [(row.label, row.actions, figures.mask(row.beneficiaries)) for row in self.reach_by_objective]

    @property
    def qpv_residents(self) -> int | str:
        """Shown unless it tells a small group: itself, or the beneficiaries living outside a QPV."""
        reach = self.reach
        return figures.MASKED if figures.share_is_secret(reach.qpv_residents, reach.total) else reach.qpv_residents

    @property
    def qpv_share(self) -> str:
        """The share of beneficiaries living in a QPV, as written (hidden when it tells a small group)."""
        share = self.reach.masked_qpv_share
        return number_text(share, 1) + ("" if share is None or isinstance(share, str) else " %")

    @property
    def indicator_lines(self) -> list[IndicatorLine]:
        return [indicator_line(row) for row in self.indicators]

    @property
    def targets_met(self) -> tuple[int, int]:
        """(indicators meeting their target, indicators with a target and a value to compare)."""
        compared = [row.meets_target for row in self.indicators if row.meets_target is not None]
        return sum(1 for met in compared if met), len(compared)

    def key_figures(self) -> list[tuple[str, str]]:
        """The review in four sentences, one per section (the decision's text, the cover of the PDF)."""
        governance, funding, reach = self.governance, self.funding, self.reach
        held = governance.total.meetings_held
        total = funding.total
        share = funding.co_funding.share
        met, compared = self.targets_met
        actions = funding.action_total
        beneficiaries = self.bands[-1].total
        return [
            (
                "Gouvernance",
                f"{held} réunion{pluralize(held)} tenue{pluralize(held)}, "
                f"{governance.decision_total} décision{pluralize(governance.decision_total)} proposée"
                f"{pluralize(governance.decision_total)} à la troïka.",
            ),
            (
                "Déploiement",
                f"{actions} action{pluralize(actions)} dans les appels à projets {self.year} ; "
                f"{reach.reports} bilan{pluralize(reach.reports)} déposé{pluralize(reach.reports)} "
                f"sur {reach.expected} attendu{pluralize(reach.expected)} ; "
                f"{number_text(beneficiaries)} bénéficiaires.",
            ),
            (
                "Finances",
                f"{euros(total.granted)} attribués sur {euros(total.envelope)} d'enveloppes, "
                f"{euros(total.paid)} versés ; part du cofinancement : "
                + ("—" if share is None else f"{number_text(share, 1)} %")
                + ".",
            ),
            (
                "Évaluation",
                f"Cible atteinte pour {met} indicateur{pluralize(met)} sur {compared} ayant une cible et une valeur.",
            ),
        ]

    def charts(self) -> dict[str, str]:
        """The PDF's charts (inline SVG): beneficiaries by age band, granted by source, actions by objective."""
        return {
            "bands": charts.bar_chart_svg(
                [band.label for band in self.bands[:-1]],
                [band.total for band in self.bands[:-1]],
                "Bénéficiaires par tranche d'âge ou public",
            ),
            "sources": charts.bar_chart_svg(
                [row.label for row in self.funding.sources],
                [row.granted for row in self.funding.sources],
                "Montant attribué par source de financement",
                value_text=euros,
            ),
            "objectives": charts.bar_chart_svg(
                [row.label for row in self.funding.objectives],
                [row.actions for row in self.funding.objectives],
                "Actions financées par objectif national",
            ),
        }


def assemble_review(cite, year: int) -> ReviewFigures:
    """Every figure of the review of `cite` for `year`, in a fixed number of queries."""
    return ReviewFigures(
        cite=cite,
        year=year,
        governance=governance(cite, year),
        funding=funding_dashboard(cite, year),
        reach=figures.reach(cite, year),
        reach_by_objective=figures.reach_by_objective(cite, year),
        indicators=figures.indicator_rows(cite, year),
        schools=figures.school_rows(cite, year),
    )


@dataclass
class NationalReviewRow:
    """A cité in the national consolidation of the reviews of a year."""

    cite: Cite
    departement: str
    status: str
    validated_at: object
    shared: dict[str, object]  # figures.NATIONAL_CODES → value, masked (figures.national_rows)
    computed: dict[str, object]  # CONSOLIDATED_CODES → value, masked
    governance: BodyRow
    bodies: int
    decisions: dict[str, int]  # DecisionStatus value → decisions proposed in the year
    envelope: Decimal


NOT_STARTED = "non commencée"
CONSOLIDATED_CODES = tuple(code for code in figures.COMPUTED_ORDER if code not in figures.PEOPLE_SHARES)
"""The computed indicators of the national consolidation. The shares of people are left out: their masking needs
the counts behind them, which `figures.computed_values` does not give (the QPV share comes, masked, with the key
figures of `figures.national_rows`)."""


@dataclass
class NationalReviews:
    year: int
    indicators: list[Indicator]  # the computed indicators of `NationalReviewRow.computed`, in order
    rows: list[NationalReviewRow]


def national_reviews(year: int) -> NationalReviews:
    """Every cité (by name) with its review's status and the key figures of each section of the year, in a fixed
    number of queries: the cités with their governance, envelopes and review (one query), the shared indicators
    (`figures.national_rows`) and the computed ones (`figures.computed_values`)."""
    invitations = held_invitations(year).filter(meeting__cite=OuterRef("pk"))
    reviews = AnnualReview.objects.filter(cite=OuterRef("pk"), year=year)
    decisions = Decision.objects.filter(cite=OuterRef("pk"), created_at__year=year)
    cites = Cite.objects.annotate(
        active_bodies=count_of(Body.objects.filter(cite=OuterRef("pk"), is_active=True), "cite"),
        held=count_of(held_meetings(year).filter(cite=OuterRef("pk")), "cite"),
        invited=count_of(invitations, "meeting__cite"),
        present=count_of(invitations.filter(attendance=Attendance.PRESENT), "meeting__cite"),
        envelope=sum_of(Envelope.objects.filter(cite=OuterRef("pk"), year=year), "cite", "amount"),
        review_status=Subquery(reviews.values("status")[:1]),
        review_validated_at=Subquery(reviews.values("validated_at")[:1]),
        **{
            f"decisions_{status}": count_of(decisions.filter(status=status), "cite") for status in DecisionStatus.values
        },
    )
    by_pk = {cite.pk: cite for cite in cites}
    indicators = Indicator.objects.in_bulk(CONSOLIDATED_CODES, field_name="code")
    people = [code for code, indicator in indicators.items() if indicator.unit == figures.PERSONS]
    computed = figures.computed_values(year)
    rows = []
    for shared in figures.national_rows(year):
        cite = by_pk[shared.cite.pk]
        values = {code: computed[code].get(cite.pk) for code in CONSOLIDATED_CODES}
        for code in people:
            values[code] = figures.mask(values[code])
        rows.append(
            NationalReviewRow(
                cite=shared.cite,
                departement=shared.departement,
                status=ReviewStatus(cite.review_status).label if cite.review_status else NOT_STARTED,
                validated_at=cite.review_validated_at,
                shared=shared.values,
                computed=values,
                governance=BodyRow("", "", True, cite.held, cite.invited, cite.present),
                bodies=cite.active_bodies,
                decisions={status: getattr(cite, f"decisions_{status}") for status in DecisionStatus.values},
                envelope=cite.envelope,
            )
        )
    return NationalReviews(year, [indicators[code] for code in CONSOLIDATED_CODES if code in indicators], rows)
