"""A year of programme with submitted reports whose figures are known, for the evaluation tests (not a test module).

`build_reports(cite, year=YEAR, copies=1)` gives `cite`, `copies` times, the five actions below, created directly
in their status (the report service is tested elsewhere). Every count and amount is `copies` times the one
below; shares do not change.

- R1, closed, objective "school", theme culture: report submitted with 11-14 ans 12 F + 8 H and parents 3 F;
  15 QPV residents, 10 sessions, 20,5 hours. P147 grants 10 000 € (6 000 € paid).
- R2, closed, objective "horizons", themes culture and sport: report submitted with 6-10 ans 2 F + 6 H and
  15-17 ans 5 F + 5 H; 10 QPV residents, 4 sessions, 8 hours. The commune grants 5 000 €, P147 3 000 €.
- R3, done, objectives "school" and "continuity": a draft report (100 girls of 6-10 ans, never counted).
- R4, agreed: no report yet.
- R5, rejected: P147 refused 2 000 €.

So, per copy: 41 beneficiaries (22 F, 19 H: 38 young people of 0-25, 3 parents), 25 QPV residents (61,0 %),
girls 53,7 %, 14 sessions, 28,5 hours; 2 reports submitted out of 4 expected (R1 to R4); 4 funded actions, of which
school 50 %, continuity 25 %, horizons 25 %; granted 18 000 € (State 13 000 €: co-funding 27,8 %), paid 6 000 €.
By national objective: school 1 action, 23 people; horizons 1 action, 18 people. By theme: culture 2 actions,
41 people; sport 1 action, 18 people. Envelopes: P147 100 000 €, commune 20 000 €.
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from maillage.core.models import AgeBand, Theme
from maillage.evaluation.models import ActionReport, ReachLine, ReportStatus
from maillage.funding.models import Envelope, GrantStatus, Payment, PaymentKind
from maillage.programme.models import ActionStatus, NationalObjective, Objective
from tests.factories import ActionFactory, CallFactory, GrantFactory, source

YEAR = 2023


def objective_of(cite, national_objective: str) -> Objective:
    """A local axis of `cite` under `national_objective`."""
    return Objective.objects.get_or_create(
        cite=cite,
        parent=None,
        title=f"Axe {NationalObjective(national_objective).label}",
        defaults={"national_objective": national_objective},
    )[0]


def envelope_of(cite, code: str, amount: str, year: int = YEAR) -> Envelope:
    return Envelope.objects.get_or_create(cite=cite, year=year, source=source(code), defaults={"amount": amount})[0]


def report_on(action, lines: dict[str, tuple[int, int]], *, status=ReportStatus.SUBMITTED, **fields) -> ActionReport:
    """A report on `action` with `lines` ({age band code: (female, male)})."""
    report = ActionReport.objects.create(
        action=action,
        cite=action.cite,
        status=status,
        submitted_at=timezone.make_aware(datetime(action.call.year + 1, 2, 1)) if status == "submitted" else None,
        **fields,
    )
    for code, (female, male) in lines.items():
        ReachLine.objects.create(report=report, age_band=AgeBand.objects.get(code=code), female=female, male=male)
    return report


def granted(action, envelope, amount: str, paid: str | None = None):
    grant = GrantFactory(
        action=action, envelope=envelope, requested=Decimal(amount), granted=Decimal(amount), status=GrantStatus.GRANTED
    )
    if paid:
        Payment.objects.create(
            cite=action.cite,
            grant=grant,
            kind=PaymentKind.ADVANCE,
            amount=Decimal(paid),
            paid_on=date(envelope.year, 4, 1),
        )
    return grant


def build_reports(cite, *, year: int = YEAR, copies: int = 1) -> dict:
    """See the module's docstring. Returns the call and the actions by name (lists of `copies`)."""
    call = CallFactory(cite=cite, year=year)
    p147, commune = envelope_of(cite, "p147", "100000", year), envelope_of(cite, "commune", "20000", year)
    school, continuity, horizons = (
        objective_of(cite, code)
        for code in (NationalObjective.SCHOOL, NationalObjective.CONTINUITY, NationalObjective.HORIZONS)
    )
    culture, sport = Theme.objects.get(code="culture"), Theme.objects.get(code="sport")
    made = {"call": call, "r1": [], "r2": [], "r3": [], "r4": [], "r5": []}
    for _ in range(copies):
        r1 = ActionFactory(call=call, status=ActionStatus.CLOSED, title="Club lecture au collège")
        r1.objectives.set([school])
        r1.themes.set([culture])
        report_on(r1, {"11-14": (12, 8), "parents": (3, 0)}, qpv_residents=15, sessions=10, hours=Decimal("20.5"))
        granted(r1, p147, "10000", paid="6000")

        r2 = ActionFactory(call=call, status=ActionStatus.CLOSED, title="Sport et théâtre en famille")
        r2.objectives.set([horizons])
        r2.themes.set([culture, sport])
        report_on(r2, {"6-10": (2, 6), "15-17": (5, 5)}, qpv_residents=10, sessions=4, hours=Decimal("8"))
        granted(r2, commune, "5000")
        granted(r2, p147, "3000")

        r3 = ActionFactory(call=call, status=ActionStatus.DONE, title="Devoirs faits")
        r3.objectives.set([school, continuity])
        report_on(r3, {"6-10": (100, 0)}, status=ReportStatus.DRAFT)

        r4 = ActionFactory(call=call, status=ActionStatus.AGREED, title="Découverte des métiers")
        r5 = ActionFactory(call=call, status=ActionStatus.REJECTED, title="Minibus")
        GrantFactory(action=r5, envelope=p147, requested=Decimal("2000"), status=GrantStatus.REFUSED)
        for name, action in zip(("r1", "r2", "r3", "r4", "r5"), (r1, r2, r3, r4, r5), strict=True):
            made[name].append(action)
    return made
