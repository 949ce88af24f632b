"""A cité's grant list: rows and paid amounts, filters, pagination, the XLSX export, permissions, query counts."""

import io
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from maillage.core.models import Role
from maillage.funding.exports import GRANT_COLUMNS
from maillage.funding.models import GrantStatus
from tests.factories import CallFactory, source
from tests.funding.test_dashboard import EVERY_ROLE, YEAR, build_programme
from tests.queries import count_queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def list_url(anct_id="cite-021", **params) -> str:
    return reverse("funding:grant_list", args=[anct_id]) + (f"?{urlencode(params)}" if params else "")


def export_url(anct_id="cite-021", **params) -> str:
    return reverse("funding:grant_export", args=[anct_id]) + (f"?{urlencode(params)}" if params else "")


@pytest.fixture
def programme(creteil):
    return build_programme(creteil)


def rows_of(response) -> list[tuple[str, str, Decimal, Decimal]]:
    return [
        (grant.action.title, grant.envelope.source.code, grant.granted, grant.paid)
        for grant in response.context["page_obj"]
    ]


def workbook_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(values_only=True))


def test_the_list_shows_every_grant_of_the_cite_with_what_was_paid(client, signed_in, creteil, other_cite, programme):
    build_programme(other_cite)
    signed_in(Role.GRANT_OFFICER)
    response = client.get(list_url())
    assert response.status_code == 200
    # Sorted here: how "É" sorts against "M" depends on the database's collation.
    assert sorted(rows_of(response)) == [
        ("Café des parents au collège Laplace", "commune", Decimal("2000"), Decimal("0")),
        ("Café des parents au collège Laplace", "p147", Decimal("8000"), Decimal("8000")),
        ("Minibus", "p147", Decimal("0"), Decimal("0")),
        ("Échecs à l'école Victor-Hugo", "city_fund", Decimal("1000"), Decimal("0")),
        ("Échecs à l'école Victor-Hugo", "p147", Decimal("5000"), Decimal("0")),
    ]
    html = response.content.decode()
    a, a_state, _ = programme["a"][0]
    assert reverse("programme:action_detail", args=[a.pk]) in html
    assert reverse("funding:grant_detail", args=[a_state.pk]) in html
    assert reverse("funding:legal_act_detail", args=[a_state.legal_act_id]) in html
    assert "5 subventions" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"annee": YEAR}, 5),
        ({"annee": YEAR + 1}, 0),  # a year with a call, no grant yet
        ({"source": "p147"}, 3),
        ({"statut": GrantStatus.REFUSED}, 1),
        ({"statut": GrantStatus.GRANTED, "source": "commune"}, 1),
        ({"structure": "PARTENAIRES"}, 5),  # part of the name, any case
    ],
)
def test_filters(client, signed_in, creteil, programme, params, expected):
    CallFactory(cite=creteil, year=YEAR + 1)
    if "source" in params:
        params = {**params, "source": source(params["source"]).pk}
    signed_in(Role.COORDINATOR)
    assert client.get(list_url(**params)).context["page_obj"].paginator.count == expected


def test_search_by_siret(client, signed_in, programme):
    a, _, _ = programme["a"][0]
    signed_in(Role.COORDINATOR)
    response = client.get(list_url(structure=a.organisation.siret))
    assert {grant.action_id for grant in response.context["page_obj"]} == {a.pk}


def test_a_bad_filter_says_so_and_lists_everything(client, signed_in, programme):
    signed_in(Role.COORDINATOR)
    response = client.get(list_url(annee="1800"))
    assert response.context["page_obj"].paginator.count == 5
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_the_list_is_paginated(client, signed_in, creteil):
    build_programme(creteil, copies=6)  # 30 grants
    signed_in(Role.COORDINATOR)
    first = client.get(list_url())
    assert len(first.context["page_obj"]) == 25 and first.context["page_obj"].paginator.num_pages == 2
    assert len(client.get(list_url(page=2)).context["page_obj"]) == 5


def test_the_export_has_the_filtered_rows_with_french_headers_and_numbers(client, signed_in, programme):
    signed_in(Role.COORDINATOR)
    response = client.get(export_url(source=source("p147").pk))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    header, *rows = workbook_rows(response)
    assert list(header) == [column.title for column in GRANT_COLUMNS]
    rows.sort(key=lambda row: row[1])
    assert [(row[1], row[5], row[6], row[7], row[8]) for row in rows] == [
        ("Café des parents au collège Laplace", "attribuée", 10000, 8000, 8000),
        ("Minibus", "refusée", 3000, 0, 0),
        ("Échecs à l'école Victor-Hugo", "attribuée", 10000, 5000, 0),
    ]
    assert all(isinstance(row[column], int | float) for row in rows for column in (6, 7, 8))
    a, a_state, _ = programme["a"][0]
    assert rows[0][0] == YEAR and rows[0][3] == a.organisation.siret
    assert rows[0][9] == str(a_state.legal_act) and rows[0][10].date().isoformat() == f"{YEAR}-03-15"


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_permissions_of_the_list_and_its_export(client, user_in, creteil, programme, role):
    client.force_login(user_in(role, creteil))
    expected = 403 if role == Role.PROJECT_HOLDER.value else 200
    assert client.get(list_url()).status_code == expected
    assert client.get(export_url()).status_code == expected


def test_another_cite_and_anonymous_visitors_get_neither_list_nor_export(client, user_in, other_cite, programme):
    assert client.get(list_url()).status_code == 302
    assert client.get(export_url()).status_code == 302
    client.force_login(user_in(Role.COORDINATOR.value, other_cite))
    assert client.get(list_url()).status_code == 403
    assert client.get(export_url()).status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(client, signed_in, creteil):
    signed_in(Role.COORDINATOR)
    build_programme(creteil, copies=1)
    small = count_queries(client, list_url())
    build_programme(creteil, copies=4)
    large = count_queries(client, list_url())
    assert small == large
