"""The national comparison of every cité: the table of shared indicators, the map, the year, permissions and a
fixed number of queries over all 208 cités."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Role
from maillage.evaluation.figures import national_rows
from maillage.territories.models import Cite
from tests.evaluation.builders import YEAR, build_reports
from tests.queries import count_queries

URL = reverse("evaluation:national")


@pytest.fixture
def programme(creteil):
    return build_reports(creteil)


def test_every_cite_is_in_the_table_with_its_indicators(client, user_in, creteil, other_cite, programme):
    client.force_login(user_in(Role.NATIONAL.value))
    response = client.get(URL)
    html = response.content.decode()
    assert response.context["year"] == YEAR
    rows = {row.cite.anct_id: row for row in response.context["rows"]}
    assert len(rows) == Cite.objects.count() == 208
    mine = rows["cite-021"]
    assert mine.departement == "Val-de-Marne (94)"
    assert mine.values["reach_total"] == 41
    assert mine.values["reach_qpv_share"] == Decimal("61.0")
    assert mine.values["actions_funded"] == 4
    assert (mine.values["granted_total"], mine.values["paid_total"]) == (Decimal("18000"), Decimal("6000"))
    assert mine.values["cofunding_share"] == Decimal("27.8")
    assert mine.values["ips_colleges_cite"] is not None  # Créteil's collèges have an IPS for 2022-2023
    assert all(value is None for value in rows["cite-001"].values.values())
    assert "<caption>Indicateurs partagés des 208 cités éducatives en 2023</caption>" in html
    assert f'href="{reverse("evaluation:dashboard", args=["cite-021"])}">Créteil</a>' in html
    assert "18\u202f000,00\u00a0€" in html
    allonnes = html[html.index(">Allonnes</a>") :].split("</tr>")[0]
    assert allonnes.count('<td class="fr-cell--right">—</td>') == 8  # no data: a dash in every figure


def test_the_map_has_one_point_per_located_cite_linking_to_its_dashboard(client, user_in, programme):
    client.force_login(user_in("admin"))
    html = client.get(URL).content.decode()
    points = json.loads(re.search(r'id="carte-cites-points"[^>]*>(.*?)</script>', html, re.S).group(1))
    located = Cite.objects.filter(latitude__isnull=False, longitude__isnull=False).count()
    assert len(points) == located > 150
    creteil = next(point for point in points if point["name"] == "Créteil")
    assert creteil["url"] == reverse("evaluation:dashboard", args=["cite-021"])
    assert 'data-points="carte-cites-points"' in html and "js/map.js" in html and "vendor/leaflet/leaflet.js" in html


def test_the_year_can_be_chosen(client, user_in, creteil, programme):
    build_reports(creteil, year=YEAR - 1, copies=2)
    client.force_login(user_in(Role.NATIONAL.value))
    assert client.get(URL).context["years"] == [YEAR, YEAR - 1]
    earlier = client.get(URL, {"annee": YEAR - 1})
    row = next(row for row in earlier.context["rows"] if row.cite == creteil)
    assert row.values["reach_total"] == 82
    assert client.get(URL, {"annee": "1900"}).context["year"] == YEAR


def test_without_any_call_the_page_says_so(client, user_in, reference_data):
    client.force_login(user_in(Role.NATIONAL.value))
    response = client.get(URL)
    assert response.status_code == 200
    assert "Aucune cité n'a encore d'appel à projets" in response.content.decode()


@pytest.mark.parametrize("role", [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"])
def test_permissions_of_the_national_comparison(client, user_in, creteil, role):
    client.force_login(user_in(role, creteil))
    expected = 200 if role in (Role.NATIONAL.value, "admin") else 403
    assert client.get(URL).status_code == expected


def test_anonymous_visitors_are_sent_to_the_login_page(client, reference_data):
    assert client.get(URL).status_code == 302


def test_the_comparison_runs_a_fixed_number_of_queries_over_every_cite(client, user_in, reference_data):
    client.force_login(user_in(Role.NATIONAL.value))
    cites = list(Cite.objects.order_by("pk")[:12])
    for cite in cites[:3]:
        build_reports(cite)
    small = count_queries(client, URL)
    for cite in cites[3:]:
        build_reports(cite, copies=2)
    build_reports(cites[0], year=YEAR - 1)
    large = count_queries(client, URL)
    assert small == large
    rows = national_rows(YEAR)
    assert len(rows) == 208
    assert sum(1 for row in rows if row.values["reach_total"] is not None) == 12
