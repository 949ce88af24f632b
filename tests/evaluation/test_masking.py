"""Small counts of people (1 to 4) are masked everywhere a small group could be identified: the reach table (and
the totals that would give a masked cell back by subtraction), by objective and theme, the indicators counting
people and the shares telling such a count, the national table and the XLSX export."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.template import Context, Template
from django.urls import reverse

from maillage.core.models import Role, Theme
from maillage.evaluation.figures import (
    MASKED,
    MASKED_SHARE,
    indicator_rows,
    mask,
    protected_cells,
    reach,
    share_is_secret,
)
from maillage.programme.models import ActionStatus
from tests.evaluation.builders import YEAR, build_reports, objective_of, report_on
from tests.factories import ActionFactory, CallFactory


@pytest.mark.parametrize(
    ("count", "shown"), [(0, 0), (1, MASKED), (2, MASKED), (4, MASKED), (5, 5), (120, 120), (None, None)]
)
def test_counts_from_1_to_4_are_masked_and_0_and_5_are_shown(count, shown):
    assert mask(count) == shown
    assert Template("{% load evaluation_figures %}{{ count|masked }}").render(Context({"count": count})) == (
        "&lt; 5" if shown == MASKED else str(shown)
    )


def test_the_total_of_a_row_with_a_single_masked_cell_is_masked():
    # girls, boys, total; the last row holds the columns' totals.
    hidden = protected_cells([[3, 10, 13], [20, 30, 50], [23, 40, 63]])
    assert hidden[0] == [True, False, True]  # 13 - 10 would give the 3 back
    assert hidden[1] == [False, False, False]
    # The girls' column has a single masked cell too: its total is masked; then the total row has one masked
    # cell, so the grand total is masked, which the total column also needed.
    assert hidden[2] == [True, False, True]


def test_two_masked_cells_of_a_row_leave_its_total_shown():
    hidden = protected_cells([[2, 3, 5], [2, 3, 5]])
    assert hidden == [[True, True, False], [True, True, False]]


def test_a_masked_total_alone_in_its_line_masks_a_second_cell():
    # A row total of 4 (masked) with cells 0 and 4: the boys' 4 is masked too, and the column sums follow.
    hidden = protected_cells([[0, 4, 4], [10, 20, 30], [10, 24, 34]])
    assert hidden[0] == [False, True, True]
    assert hidden[2][1] and hidden[2][2]  # the boys' and the grand totals would give the 4 back


def test_zeros_are_never_masked():
    assert protected_cells([[0, 0, 0], [0, 0, 0]]) == [[False] * 3, [False] * 3]


def test_the_reach_table_masks_small_cells_and_the_totals_that_give_them_back(creteil):
    build_reports(creteil)
    rows = {row.label: row for row in reach(creteil, YEAR).masked_rows()}
    assert (rows["Parents"].female, rows["Parents"].male, rows["Parents"].total) == (MASKED, 0, MASKED)
    assert (rows["6-10 ans"].female, rows["6-10 ans"].male, rows["6-10 ans"].total) == (MASKED, 6, MASKED)
    assert (rows["11-14 ans"].female, rows["11-14 ans"].total) == (12, 20)
    # Two girls' cells are masked: the girls' total (22) cannot give either back.
    assert (rows["Total"].female, rows["Total"].male, rows["Total"].total) == (22, 19, 41)


def test_shares_telling_a_small_count_are_secret():
    assert share_is_secret(2, 40)  # 5 % of 40: 2 people
    assert share_is_secret(38, 40)  # the 2 others
    assert share_is_secret(3, 3)
    assert not share_is_secret(10, 40)
    assert not share_is_secret(0, 40)


@pytest.fixture
def small_group(creteil):
    """One submitted report: 3 girls and 1 boy of 11-14, 2 of them living in a QPV; culture, school objective."""
    call = CallFactory(cite=creteil, year=YEAR)
    action = ActionFactory(call=call, status=ActionStatus.CLOSED)
    action.themes.set([Theme.objects.get(code="culture")])
    action.objectives.set([objective_of(creteil, "school")])
    report_on(action, {"11-14": (3, 1)}, qpv_residents=2, sessions=2, hours=Decimal("3"))
    return action


def test_indicators_counting_people_and_their_shares_are_masked(creteil, small_group):
    rows = {row.indicator.code: row for row in indicator_rows(creteil, YEAR)}
    assert rows["reach_total"].value == 4 and rows["reach_total"].masked_value == MASKED
    assert rows["reach_young"].masked_history[-1] == (str(YEAR), MASKED)
    assert rows["reach_female_share"].value == Decimal("75.0")
    assert rows["reach_female_share"].masked_value == MASKED_SHARE
    assert rows["reach_qpv_share"].masked_value == MASKED_SHARE
    assert rows["sessions"].masked_value == 2  # sessions are not people
    assert rows["reach_parents"].masked_value == 0


def test_the_dashboard_masks_the_small_group_everywhere(client, signed_in, small_group):
    signed_in(Role.EVALUATOR)
    response = client.get(reverse("evaluation:dashboard", args=["cite-021"]))
    html = response.content.decode()
    assert "<dt>Bénéficiaires</dt><dd>&lt; 5</dd>" in html
    assert '<th scope="row">Culture</th><td class="fr-cell--right">1</td><td class="fr-cell--right">&lt; 5</td>' in html
    assert (
        '>Conforter le rôle de l&#x27;école</th><td class="fr-cell--right">1</td><td class="fr-cell--right">&lt; 5</td>'
        in html
    )
    assert "secret statistique" in html
    assert ">3<" not in html.split('id="beneficiaires"')[1].split('id="financements"')[0]
    girls, boys = json.loads(response.context["dashboard"].charts()["bands"]["y"])
    assert girls[3] is boys[3] is None  # 11-14: no bar drawn for a masked count


def test_the_national_table_masks_the_small_group(client, user_in, small_group):
    client.force_login(user_in(Role.NATIONAL.value))
    response = client.get(reverse("evaluation:national"))
    row = next(row for row in response.context["rows"] if row.cite.anct_id == "cite-021")
    assert row.values["reach_total"] == MASKED
    assert row.values["reach_qpv_share"] == MASKED_SHARE
    cells = response.content.decode().split(">Créteil</a>")[1].split("</tr>")[0]
    assert "&lt; 5" in cells and "secret statistique" in cells


def test_the_export_masks_the_small_group(client, signed_in, small_group):
    signed_in(Role.COORDINATOR)
    response = client.get(reverse("evaluation:dashboard_export", args=["cite-021"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    cells = {(section, line, column): value for section, line, column, value, _ in rows}
    reach_section = f"Bénéficiaires {YEAR}"
    assert cells[(reach_section, "11-14 ans", "Filles et femmes")] == MASKED
    assert cells[(reach_section, "Total", "Total")] == MASKED
    assert cells[(reach_section, "Résidents d'un QPV", None)] == MASKED
    assert cells[(reach_section, "Part des résidents d'un QPV", None)] == MASKED_SHARE
    assert cells[(f"Bénéficiaires {YEAR} par thématique", "Culture", "Bénéficiaires")] == MASKED
    assert cells[("Indicateurs", "Bénéficiaires des actions", f"Valeur {YEAR}")] == MASKED
    assert cells[("Indicateurs", "Part des filles et des femmes parmi les bénéficiaires", f"Valeur {YEAR}")] == (
        MASKED_SHARE
    )
    assert {value for *_, value, unit in rows if unit == "personnes"} <= {0, MASKED, None}
