"""The evaluation figures against hand-computed numbers (tests/evaluation/builders.py describes the programme)."""

import importlib
from decimal import Decimal

import pytest

from maillage.core.models import User
from maillage.evaluation.figures import (
    COMPUTED_CODES,
    computed_values,
    indicator_rows,
    reach,
    reach_by_objective,
    reach_by_theme,
    school_rows,
)
from maillage.evaluation.models import REPORTING_STATUSES, ReportStatus, Target
from maillage.funding.dashboards import funding_dashboard
from maillage.programme.models import Action, ActionStatus, NationalObjective
from maillage.territories.models import Departement, Indicator, IndicatorValue, School, ValueKind
from tests.evaluation.builders import YEAR, build_reports
from tests.factories import CiteFactory, SchoolFactory

D = Decimal


@pytest.fixture
def programme(creteil):
    return build_reports(creteil)


def test_the_computed_codes_are_the_seeded_national_indicators():
    seed = importlib.import_module("maillage.evaluation.migrations.0002_seed_national_indicators")
    assert set(seed.NATIONAL_INDICATORS) == COMPUTED_CODES


def test_reach_counts_the_submitted_reports_of_the_year_by_age_band_and_sex(creteil, programme):
    figures = reach(creteil, YEAR)
    bands = {band.label: (band.female, band.male) for band in figures.bands}
    assert list(bands)[:3] == ["0-2 ans", "3-5 ans", "6-10 ans"]  # every band, in position order
    assert bands["6-10 ans"] == (2, 6)  # the draft's 100 girls are not counted
    assert bands["11-14 ans"] == (12, 8)
    assert bands["15-17 ans"] == (5, 5)
    assert bands["Parents"] == (3, 0)
    assert bands["0-2 ans"] == bands["Professionnels"] == (0, 0)
    assert (figures.total, figures.female, figures.male) == (41, 22, 19)
    assert (figures.qpv_residents, figures.qpv_share) == (25, D("61.0"))
    assert (figures.sessions, figures.hours) == (14, D("28.5"))
    assert (figures.reports, figures.expected) == (2, 4)


def test_reach_by_national_objective_and_by_theme(creteil, programme):
    objectives = {row.label: (row.actions, row.beneficiaries) for row in reach_by_objective(creteil, YEAR)}
    assert objectives == {
        NationalObjective.SCHOOL.label: (1, 23),
        NationalObjective.CONTINUITY.label: (0, 0),  # R3 serves it, but its report is a draft
        NationalObjective.HORIZONS.label: (1, 18),
        "Sans objectif renseigné": (0, 0),
    }
    themes = {row.label: (row.actions, row.beneficiaries) for row in reach_by_theme(creteil, YEAR)}
    assert themes["Culture"] == (2, 41)
    assert themes["Sport"] == (1, 18)
    assert themes["Numérique"] == (0, 0)
    assert len(themes) == 14


def test_another_year_and_another_cite_are_not_counted(creteil, other_cite, programme):
    build_reports(other_cite, copies=2)
    build_reports(creteil, year=YEAR - 1)
    assert reach(creteil, YEAR).total == 41
    assert reach(other_cite, YEAR).total == 82
    assert reach(creteil, YEAR - 1).reports == 2


def test_computed_values_of_every_code(creteil, other_cite, programme):
    build_reports(other_cite, copies=3)
    values = computed_values(YEAR, [creteil.pk, other_cite.pk])
    assert set(values) == COMPUTED_CODES
    mine = {code: by_cite[creteil.pk] for code, by_cite in values.items()}
    assert mine | {"ips_colleges_cite": None, "dnb_success_cite": None} == {
        "reach_total": 41,
        "reach_young": 38,
        "reach_parents": 3,
        "reach_female_share": D("53.7"),
        "reach_qpv_share": D("61.0"),
        "sessions": 14,
        "hours": D("28.5"),
        "actions_funded": 4,
        "actions_share_school": D("50.0"),
        "actions_share_continuity": D("25.0"),
        "actions_share_horizons": D("25.0"),
        "granted_total": D("18000"),
        "paid_total": D("6000"),
        "cofunding_share": D("27.8"),
        "ips_colleges_cite": None,
        "dnb_success_cite": None,
    }
    assert values["reach_total"][other_cite.pk] == 123
    assert values["granted_total"][other_cite.pk] == D("54000")
    assert values["reach_female_share"][other_cite.pk] == D("53.7")


def test_computed_money_equals_the_funding_dashboard(creteil, programme):
    dashboard = funding_dashboard(creteil, YEAR)
    values = computed_values(YEAR, [creteil.pk])
    assert values["granted_total"][creteil.pk] == dashboard.total.granted
    assert values["paid_total"][creteil.pk] == dashboard.total.paid
    assert values["cofunding_share"][creteil.pk] == dashboard.co_funding.share


def test_a_cite_without_data_has_none_and_every_cite_is_listed(creteil, other_cite, programme):
    values = computed_values(YEAR)
    assert values["reach_total"][other_cite.pk] is None
    assert values["granted_total"][other_cite.pk] is None
    assert values["reach_total"][creteil.pk] == 41
    assert len(values["reach_total"]) == 208


def college(cite, ips: dict[str, str], dnb: dict[str, tuple[int, int]] | None = None) -> School:
    """A collège of `cite` (Val-de-Marne) with its IPS by school year and its brevet (admitted, present)."""
    school = SchoolFactory(kind=School.Kind.COLLEGE, commune=cite.communes.first())
    cite.schools.add(school)
    codes = {code: Indicator.objects.get(code=code) for code in ("ips_college", "dnb_admis", "dnb_presents")}
    for period, value in ips.items():
        IndicatorValue.objects.create(indicator=codes["ips_college"], school=school, period=period, value=D(value))
    for period, (admitted, present) in (dnb or {}).items():
        IndicatorValue.objects.create(indicator=codes["dnb_admis"], school=school, period=period, value=admitted)
        IndicatorValue.objects.create(indicator=codes["dnb_presents"], school=school, period=period, value=present)
    return school


@pytest.fixture
def schooled(reference_data):
    """A cité of the Val-de-Marne with two collèges of known IPS and brevet, and a primary school."""
    cite = CiteFactory(territory=(1, 0, 0))
    college(cite, {"2021-2022": "80", "2022-2023": "85.5"}, {"2020-2021": (60, 80)})
    college(cite, {"2022-2023": "100.2", "2023-2024": "120"}, {"2020-2021": (30, 40)})
    SchoolFactory(commune=cite.communes.first()).cites.add(cite)
    return cite


def test_school_indicators_of_the_cite(schooled):
    values = computed_values(YEAR, [schooled.pk])
    assert values["ips_colleges_cite"][schooled.pk] == D("92.9")  # (85.5 + 100.2) / 2; not 2023-2024
    assert values["dnb_success_cite"][schooled.pk] == D("75.0")  # 90 admitted of 120, latest session up to 2023
    assert computed_values(YEAR - 1, [schooled.pk])["ips_colleges_cite"][schooled.pk] == D("80.0")
    assert computed_values(YEAR + 1, [schooled.pk])["ips_colleges_cite"][schooled.pk] == D("120.0")
    assert computed_values(2020, [schooled.pk])["ips_colleges_cite"][schooled.pk] is None


def test_indicator_rows_with_targets_history_trend_and_references(schooled):
    val_de_marne = Departement.objects.get(code="94")
    reference = IndicatorValue.objects.get(indicator__code="ips_college", departement=val_de_marne, period="2022-2023")
    national = IndicatorValue.objects.get(
        indicator__code="ips_college", departement=None, school=None, cite=None, period="2022-2023"
    )
    dnb = Indicator.objects.get(code="dnb_success_cite")
    Target.objects.create(cite=schooled, indicator=dnb, period="2020-2021", value=D("80"))
    rows = {row.indicator.code: row for row in indicator_rows(schooled, YEAR)}
    ips = rows["ips_colleges_cite"]
    assert (ips.period, ips.value) == ("2022-2023", D("92.9"))
    assert ips.history == [("2021-2022", D("80.0")), ("2022-2023", D("92.9"))]
    assert ips.trend == "hausse"
    assert ips.meets_target is None  # no target, and the IPS has no good direction
    assert (ips.departement_reference, ips.national_reference) == (reference.value, national.value)
    brevet = rows["dnb_success_cite"]
    assert (brevet.period, brevet.value, brevet.target) == ("2020-2021", D("75.0"), D("80"))
    assert brevet.meets_target is False
    assert brevet.trend is None  # no earlier session
    assert list(rows)[:3] == ["reach_total", "reach_young", "reach_parents"]
    assert rows["reach_total"].value is None and rows["reach_total"].history == [("2023", None)]


def test_indicator_rows_of_the_reports_over_five_years(creteil):
    for year, copies in ((YEAR - 5, 1), (YEAR - 2, 1), (YEAR - 1, 2), (YEAR, 1)):
        build_reports(creteil, year=year, copies=copies)
    reach_total = Indicator.objects.get(code="reach_total")
    Target.objects.create(cite=creteil, indicator=reach_total, period=str(YEAR), value=D("40"))
    row = next(row for row in indicator_rows(creteil, YEAR) if row.indicator == reach_total)
    assert row.history == [("2021", D("41")), ("2022", D("82")), ("2023", D("41"))]  # 2018 is too old
    assert (row.target, row.meets_target) == (D("40"), True)
    # Reports of 2023 are still awaited: the figure will grow, so it shows no trend yet.
    assert (row.provisional, row.trend) == (True, None)
    awaited = Action.objects.filter(cite=creteil, call__year=YEAR, status__in=REPORTING_STATUSES).exclude(
        report__status=ReportStatus.SUBMITTED
    )
    assert awaited.exists()
    awaited.update(status=ActionStatus.REJECTED)
    row = next(row for row in indicator_rows(creteil, YEAR) if row.indicator == reach_total)
    assert (row.provisional, row.trend) == (False, "baisse")


def test_stored_local_indicator_values_and_their_masking(creteil):
    coordinator = User.objects.create(email="cpo@exemple.fr")
    local = Indicator.objects.create(
        code="creteil-mentors",
        label="Jeunes suivis par un mentor",
        unit="personnes",
        direction=Indicator.Direction.UP,
        source=Indicator.Source.MANUAL,
        level=Indicator.Level.CITE,
        period_kind="financial_year",
        decimals=0,
        cite=creteil,
    )
    for period, value in (("2022", 12), ("2023", 3)):
        IndicatorValue.objects.create(
            indicator=local, cite=creteil, period=period, value=value, kind=ValueKind.MANUAL, entered_by=coordinator
        )
    row = next(row for row in indicator_rows(creteil, YEAR) if row.indicator == local)
    assert row.history == [("2022", D("12")), ("2023", D("3"))]
    assert row.masked_value == "< 5"
    assert row.masked_history == [("2022", D("12")), ("2023", "< 5")]
    assert row.trend == "baisse"
    assert row == indicator_rows(creteil, YEAR)[-1]  # local indicators come after the national ones


def test_school_rows_show_ips_and_brevet_against_the_references(schooled):
    val_de_marne = Departement.objects.get(code="94")
    rows = school_rows(schooled, YEAR)
    assert [row.school.kind for row in rows] == [School.Kind.COLLEGE, School.Kind.COLLEGE, School.Kind.PRIMARY]
    first = next(row for row in rows if row.ips == D("85.5"))
    reference = IndicatorValue.objects.get(indicator__code="ips_college", departement=val_de_marne, period="2022-2023")
    assert (first.ips_period, first.ips_departement) == ("2022-2023", reference.value)
    assert first.ips_gap == D("85.5") - reference.value
    assert first.ips_national is not None
    assert first.dnb_period is None  # the test collèges have no success rate stored
    assert rows[2].ips is None


def test_school_rows_of_creteil_use_the_real_open_data(creteil):
    rows = school_rows(creteil, YEAR)
    colleges = [row for row in rows if row.school.kind == School.Kind.COLLEGE]
    assert colleges and all(row.ips_period == "2022-2023" and row.ips_departement for row in colleges)
    assert any(row.dnb_period == "2020-2021" and row.dnb_rate and row.dnb_departement for row in colleges)
