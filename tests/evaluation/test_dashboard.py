"""The evaluation dashboard of a cité and its XLSX export: sections, the year chosen, the money equal to the funding
module's, permissions of every role, fixed query counts. The programme is tests/evaluation/builders.py's."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Role
from maillage.evaluation.figures import MASKED
from maillage.funding.dashboards import funding_dashboard
from maillage.territories.models import Indicator, IndicatorValue, ValueKind
from tests.evaluation.builders import YEAR, build_reports
from tests.factories import CallFactory, EnvelopeFactory
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]


@pytest.fixture
def programme(creteil):
    return build_reports(creteil)


def url(anct_id="cite-021", **params):
    query = "?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else ""
    return reverse("evaluation:dashboard", args=[anct_id]) + query


def export_url(anct_id="cite-021", **params):
    query = "?" + "&".join(f"{key}={value}" for key, value in params.items()) if params else ""
    return reverse("evaluation:dashboard_export", args=[anct_id]) + query


def test_the_page_shows_each_section_with_its_table(client, signed_in, programme):
    signed_in(Role.COORDINATOR)
    response = client.get(url())
    html = response.content.decode()
    assert response.context["year"] == YEAR
    for caption in (
        f"Bénéficiaires {YEAR} par tranche d'âge ou public et par sexe",
        f"Bénéficiaires {YEAR} par objectif national",
        f"Bénéficiaires {YEAR} par thématique",
        f"Enveloppes {YEAR} par source de financement",
        f"Indicateurs de la cité en {YEAR} : valeur, cible, évolution et références",
        "Établissements de la cité : IPS face au département et à la France, réussite au brevet",
    ):
        assert f"<caption>{caption}</caption>" in html
    assert html.count("<bar-chart") == 4  # each with its table
    assert "2 bilans déposés sur 4 attendus" in html
    assert "<dt>Bénéficiaires</dt><dd>41</dd>" in html
    assert "Part du cofinancement : 27,8\u00a0%" in html
    assert 'aria-current="page">Tableau de bord</a>' in html
    assert "fr-icon-arrow-right" not in html  # no earlier year: no trend


def test_the_money_section_equals_the_funding_dashboard(client, signed_in, creteil, programme):
    signed_in(Role.GRANT_OFFICER)
    dashboard = client.get(url()).context["dashboard"]
    funding = funding_dashboard(creteil, YEAR)
    assert dashboard.money.total == funding.total
    assert dashboard.money.total.granted == Decimal("18000")
    assert dashboard.money.co_funding.share == funding.co_funding.share
    indicators = {row.indicator.code: row.value for row in dashboard.indicators}
    assert indicators["granted_total"] == funding.total.granted
    assert indicators["paid_total"] == funding.total.paid
    assert indicators["cofunding_share"] == funding.co_funding.share


def test_the_default_year_is_the_latest_with_submitted_reports(client, signed_in, creteil, programme):
    CallFactory(cite=creteil, year=YEAR + 1)
    EnvelopeFactory(cite=creteil, year=YEAR + 1)  # the funding dashboard would open on YEAR + 1
    signed_in(Role.EVALUATOR)
    assert client.get(url()).context["year"] == YEAR
    later = client.get(url(annee=YEAR + 1))
    assert later.context["year"] == YEAR + 1
    assert later.context["dashboard"].reach.total == 0
    assert "0 bilan déposé sur 0 attendu" in later.content.decode()
    assert client.get(url(annee="deux mille")).context["year"] == YEAR


def test_without_reports_the_default_year_is_the_latest(client, signed_in, creteil):
    CallFactory(cite=creteil, year=YEAR)
    CallFactory(cite=creteil, year=YEAR + 2)
    signed_in(Role.COORDINATOR)
    assert client.get(url()).context["year"] == YEAR + 2


def test_a_cite_without_call_nor_envelope_says_so(client, signed_in):
    signed_in(Role.COORDINATOR)
    response = client.get(url())
    assert response.status_code == 200
    assert "Aucun appel à projets ni aucune enveloppe" in response.content.decode()
    assert client.get(export_url()).status_code == 404


def test_the_indicators_show_trend_target_and_references_of_the_schools(client, signed_in, creteil):
    build_reports(creteil, year=YEAR - 1, copies=2)
    build_reports(creteil)
    reach_total = Indicator.objects.get(code="reach_total")
    creteil.targets.create(indicator=reach_total, period=str(YEAR), value=Decimal("50"))
    signed_in(Role.TROIKA_CITY)
    html = client.get(url()).content.decode()
    assert "fr-icon-arrow-right-down-line" in html and "en baisse" in html  # 82 → 41
    assert "non atteinte" in html  # 41 < 50
    assert f"{YEAR - 1} : 82" in html
    ips = next(
        row for row in client.get(url()).context["dashboard"].indicators if row.indicator.code == "ips_colleges_cite"
    )
    assert ips.period == "2022-2023" and ips.value and ips.departement_reference and ips.national_reference


def test_the_export_holds_the_same_figures_masked(client, signed_in, creteil, programme):
    signed_in(Role.COORDINATOR)
    response = client.get(export_url(annee=YEAR))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="evaluation-{YEAR}-cite-021-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("Rubrique", "Ligne", "Colonne", "Valeur", "Unité")
    cells = {(section, line, column): value for section, line, column, value, _ in rows[1:]}
    reach = f"Bénéficiaires {YEAR}"
    assert cells[(reach, "11-14 ans", "Filles et femmes")] == 12
    assert cells[(reach, "Parents", "Filles et femmes")] == MASKED
    assert cells[(reach, "Total", "Total")] == 41
    assert cells[(reach, "Bilans déposés", None)] == 2
    assert cells[(f"Financements {YEAR}", "Total", "Attribué")] == funding_dashboard(creteil, YEAR).total.granted
    assert cells[(f"Financements {YEAR}", "Part du cofinancement", None)] == 27.8
    assert cells[("Indicateurs", "Bénéficiaires des actions", f"Valeur {YEAR}")] == 41
    assert cells[(f"Bénéficiaires {YEAR} par thématique", "Sport", "Bénéficiaires")] == 18


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_permissions_of_the_dashboard_and_its_export(client, user_in, creteil, programme, role):
    client.force_login(user_in(role, creteil))
    expected = 403 if role == Role.PROJECT_HOLDER.value else 200
    assert client.get(url()).status_code == expected
    assert client.get(export_url()).status_code == expected


def test_another_cite_and_anonymous_visitors_get_no_dashboard(client, user_in, other_cite, programme):
    assert client.get(url()).status_code == 302  # to the login page
    assert client.get(export_url()).status_code == 302
    client.force_login(user_in(Role.COORDINATOR.value, other_cite))
    assert client.get(url()).status_code == 403
    assert client.get(export_url()).status_code == 403
    assert client.get(url("cite-inconnue")).status_code == 404


def test_the_dashboard_runs_a_fixed_number_of_queries(client, signed_in, creteil):
    signed_in(Role.COORDINATOR)
    build_reports(creteil)
    small = count_queries(client, url())
    build_reports(creteil, copies=4)
    build_reports(creteil, year=YEAR - 1, copies=3)
    local = Indicator.objects.create(
        code="creteil-ateliers",
        label="Ateliers parents",
        unit="ateliers",
        source=Indicator.Source.MANUAL,
        level=Indicator.Level.CITE,
        period_kind="financial_year",
        decimals=0,
        cite=creteil,
    )
    for year in range(YEAR - 4, YEAR + 1):
        IndicatorValue.objects.create(
            indicator=local, cite=creteil, period=str(year), value=year - 2000, kind=ValueKind.MANUAL
        )
    large = count_queries(client, url())
    assert small == large
    assert client.get(url()).context["dashboard"].reach.total == 41 * 5
