"""A cité's action list: who sees which rows (a holder only its own organisations', the team no drafts), the
filters, the requested totals, pagination, the XLSX export and fixed query counts."""

import html
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from maillage.core.models import CITE_ROLES, FundingSource, Role, SpendingCategory, Theme
from maillage.programme.models import TEAM_ROLES, ActionStatus, BudgetLine, FundingRequest, NationalObjective
from tests.factories import ActionFactory, CallFactory, ObjectiveFactory, OrganisationFactory, holder_of
from tests.queries import count_queries


def page_text(response) -> str:
    """The page as a reader sees it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
MAX_QUERIES = {"action_list": 12}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ask(action, **amounts) -> None:
    for code, amount in amounts.items():
        FundingRequest.objects.create(action=action, source=FundingSource.objects.get(code=code), amount=amount)


@pytest.fixture
def programme(creteil):
    """Créteil's actions: two calls (2023, this year), two holders' organisations, statuses, objectives, themes."""
    this_year = timezone.localdate().year
    past = CallFactory(cite=creteil, year=2023, title="AAP 2023")
    current = CallFactory(cite=creteil, year=this_year, title=f"AAP {this_year}")
    ludotheque = OrganisationFactory(cites=[creteil], name="Ludothèque du Mont-Mesly")
    club = OrganisationFactory(cites=[creteil], name="Club d'échecs de Créteil")
    school_axis = ObjectiveFactory(cite=creteil, national_objective=NationalObjective.SCHOOL)
    horizons_axis = ObjectiveFactory(cite=creteil, national_objective=NationalObjective.HORIZONS)
    parentalite, culture = Theme.objects.get(code="parentalite"), Theme.objects.get(code="culture")

    cafe = ActionFactory(call=past, organisation=ludotheque, title="Café des parents", status=ActionStatus.CLOSED)
    cafe.objectives.add(school_axis, horizons_axis)  # two objectives: still one row
    cafe.themes.add(parentalite, culture)
    ask(cafe, p147="8000", commune="2000.50")
    chess = ActionFactory(call=current, organisation=club, title="Échecs à l'école", expected_beneficiaries=120)
    chess.objectives.add(school_axis)
    ask(chess, p147="3000")
    micro = ActionFactory(call=current, organisation=ludotheque, title="Micro-folie", status=ActionStatus.SELECTED)
    micro.objectives.add(horizons_axis)
    micro.themes.add(culture)
    draft = ActionFactory(call=current, organisation=club, title="Brouillon du club", status=ActionStatus.DRAFT)
    return {
        "cafe": cafe,
        "chess": chess,
        "micro": micro,
        "draft": draft,
        "ludotheque": ludotheque,
        "club": club,
        "past": past,
        "current": current,
        "culture": culture,
    }


def titles(response) -> list[str]:
    return [action.title for action in response.context["page_obj"]]


def list_url(anct_id="cite-021"):
    return reverse("programme:action_list", args=[anct_id])


def export_url(anct_id="cite-021"):
    return reverse("programme:action_export", args=[anct_id])


@pytest.mark.parametrize("role", [role.value for role in TEAM_ROLES] + [Role.NATIONAL.value, "admin"])
def test_the_team_sees_every_submitted_action_but_no_draft(client, user_in, creteil, programme, role):
    client.force_login(user_in(role, creteil))
    response = client.get(list_url())
    assert response.status_code == 200
    # This year's call first, then by title.
    assert titles(response) == ["Micro-folie", "Échecs à l'école", "Café des parents"]
    assert "Brouillon du club" not in page_text(response)
    export = client.get(export_url())
    assert export.status_code == 200 and export["Content-Type"] == XLSX


def test_a_holder_sees_only_its_own_organisations_actions_drafts_included(client, creteil, programme):
    client.force_login(holder_of(programme["club"], creteil))
    response = client.get(list_url())
    assert titles(response) == ["Brouillon du club", "Échecs à l'école"]
    assert [row[0] for row in read_export(client.get(export_url()))[1:]] == ["Brouillon du club", "Échecs à l'école"]
    client.force_login(holder_of(programme["ludotheque"], creteil))
    assert titles(client.get(list_url())) == ["Micro-folie", "Café des parents"]


def test_a_holder_without_an_organisation_sees_no_action(client, signed_in, programme):
    signed_in(Role.PROJECT_HOLDER)
    response = client.get(list_url())
    assert response.status_code == 200 and titles(response) == []


@pytest.mark.parametrize("role", [role.value for role in CITE_ROLES])
def test_another_cite_gets_neither_list_nor_export(client, user_in, other_cite, programme, role):
    client.force_login(user_in(role, other_cite))
    assert client.get(list_url()).status_code == 403
    assert client.get(export_url()).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, programme):
    for url in (list_url(), export_url()):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))


def test_an_unknown_cite_is_not_found(client, signed_in):
    signed_in("admin")
    assert client.get(list_url("cite-999")).status_code == 404


def test_the_rows_show_holder_year_status_requested_total_and_beneficiaries(client, signed_in, programme):
    signed_in(Role.COORDINATOR)
    text = page_text(client.get(list_url()))
    assert "3 actions" in text
    assert "Club d'échecs de Créteil" in text and "Ludothèque du Mont-Mesly" in text
    assert "10\u202f000,50\u00a0€" in text  # 8,000 + 2,000.50, summed once although two objectives and themes
    assert "3\u202f000,00\u00a0€" in text and "0,00\u00a0€" in text
    assert "120" in text and "Clôturée" in text and "Retenue" in text and "Déposée" in text


def test_the_requested_total_is_not_multiplied_by_joins(client, signed_in, programme):
    signed_in(Role.COORDINATOR)
    response = client.get(list_url(), {"national_objective": "school"})
    totals = {action.title: action.requested_total for action in response.context["page_obj"]}
    assert totals == {"Échecs à l'école": Decimal("3000.00"), "Café des parents": Decimal("10000.50")}


def test_filters(client, signed_in, programme):
    signed_in(Role.COORDINATOR)
    assert titles(client.get(list_url(), {"call": programme["past"].pk})) == ["Café des parents"]
    assert titles(client.get(list_url(), {"year": "2023"})) == ["Café des parents"]
    assert titles(client.get(list_url(), {"year": str(programme["current"].year)})) == [
        "Micro-folie",
        "Échecs à l'école",
    ]
    assert titles(client.get(list_url(), {"status": "selected"})) == ["Micro-folie"]
    assert titles(client.get(list_url(), {"national_objective": "horizons"})) == ["Micro-folie", "Café des parents"]
    assert titles(client.get(list_url(), {"national_objective": "continuity"})) == []
    assert titles(client.get(list_url(), {"theme": programme["culture"].pk})) == ["Micro-folie", "Café des parents"]
    assert titles(client.get(list_url(), {"organisation": "ECHECS"})) == ["Échecs à l'école"]  # accents, case
    assert titles(client.get(list_url(), {"organisation": "ludo", "status": "closed"})) == ["Café des parents"]
    assert titles(client.get(list_url(), {"status": "draft"})) == []  # the team never sees a draft


def test_bad_filters_are_ignored_not_an_error_page(client, signed_in, programme, other_cite):
    signed_in(Role.COORDINATOR)
    elsewhere = CallFactory(cite=other_cite)
    response = client.get(list_url(), {"call": elsewhere.pk, "year": "1990"})
    assert response.status_code == 200 and "call" in response.context["form"].errors
    assert len(titles(response)) == 3


def test_the_list_paginates_by_25(client, signed_in, creteil):
    signed_in(Role.COORDINATOR)
    ActionFactory.create_batch(30, call=CallFactory(cite=creteil))
    assert len(client.get(list_url()).context["page_obj"]) == 25
    second = client.get(list_url(), {"page": 2}).context["page_obj"]
    assert second.number == 2 and len(second) == 5


def test_a_holder_sees_the_open_calls_to_answer(client, creteil, programme):
    client.force_login(holder_of(programme["club"], creteil))
    text = page_text(client.get(list_url()))
    assert reverse("programme:action_create", args=[programme["current"].pk]) in text


def read_export(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook["Actions"].iter_rows(values_only=True))


def test_the_xlsx_export_lists_the_filtered_actions(client, signed_in, programme):
    signed_in(Role.COORDINATOR)
    cafe = programme["cafe"]
    cafe.starts_on, cafe.ends_on = date(2023, 1, 10), date(2023, 6, 30)
    cafe.save(update_fields=["starts_on", "ends_on"])
    BudgetLine.objects.create(action=cafe, category=SpendingCategory.objects.get(code="actions"), amount="10000.50")
    response = client.get(export_url())
    assert response["Content-Disposition"].startswith('attachment; filename="actions-cite-021-')
    rows = read_export(response)
    assert rows[0] == (
        "Intitulé",
        "Structure porteuse",
        "Appel à projets",
        "Exercice",
        "Statut",
        "Objectifs nationaux",
        "Thématiques",
        "Début",
        "Fin",
        "Bénéficiaires attendus",
        "Budget prévisionnel (€)",
        "Financement demandé (€)",
        "Déposée le",
    )
    by_title = {row[0]: row for row in rows[1:]}
    assert set(by_title) == {"Café des parents", "Échecs à l'école", "Micro-folie"}
    row = by_title["Café des parents"]
    assert row[1:5] == ("Ludothèque du Mont-Mesly", "AAP 2023", 2023, "clôturée")
    assert row[5] == "Conforter le rôle de l'école, Ouvrir le champ des possibles"
    assert row[6] == "Parentalité, Culture"
    assert row[7].date() == date(2023, 1, 10) and row[8].date() == date(2023, 6, 30)
    assert row[9] == 40 and Decimal(str(row[10])) == Decimal("10000.5") and Decimal(str(row[11])) == Decimal("10000.5")
    assert by_title["Échecs à l'école"][11] == 3000
    filtered = read_export(client.get(export_url(), {"status": "selected", "page": 4}))
    assert [row[0] for row in filtered[1:]] == ["Micro-folie"]


def test_the_export_is_empty_but_valid_without_actions(client, signed_in, creteil):
    signed_in(Role.COORDINATOR)
    assert len(read_export(client.get(export_url()))) == 1


def add_actions(cite, count: int) -> None:
    """`count` submitted actions with objectives, themes and funding requests, over two calls."""
    calls = [CallFactory(cite=cite), CallFactory(cite=cite, year=2022)]
    objective = ObjectiveFactory(cite=cite)
    theme = Theme.objects.get(code="culture")
    for number in range(count):
        action = ActionFactory(call=calls[number % 2])
        action.objectives.add(objective)
        action.themes.add(theme)
        ask(action, p147="1000", caf="250")


@pytest.mark.parametrize("role", [Role.COORDINATOR.value, Role.PROJECT_HOLDER.value, Role.NATIONAL.value])
def test_list_queries_do_not_grow_with_the_number_of_actions(
    client, user_in, creteil, role, django_assert_max_num_queries
):
    client.force_login(user_in(role, creteil))
    url = list_url() + "?national_objective=school&theme=" + str(Theme.objects.get(code="culture").pk)
    add_actions(creteil, 3)
    small = count_queries(client, url)
    add_actions(creteil, 30)
    large = count_queries(client, url)
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES["action_list"]):
        response = client.get(url)
    expected = 0 if role == Role.PROJECT_HOLDER else 33
    assert response.context["page_obj"].paginator.count == expected


def test_export_queries_do_not_grow_with_the_number_of_actions(client, signed_in, creteil):
    signed_in(Role.COORDINATOR)
    add_actions(creteil, 3)
    small = count_queries(client, export_url())
    add_actions(creteil, 30)
    assert count_queries(client, export_url()) == small
