"""Each territory view, for each role, inside and outside the perimeter."""

import csv

import pytest
from django.conf import settings
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Event, Role, Verb
from maillage.territories.models import Cite, School

ALL_CITE_ROLES = [role.value for role in CITE_ROLES]
EVERY_ROLE = [*ALL_CITE_ROLES, Role.NATIONAL.value, "admin"]
CRETEIL_SCHOOL = "0940535W"  # École élémentaire Albert Camus, Créteil
FRESNES_SCHOOL = "0940176F"  # École élémentaire Robert Doisneau, Fresnes: in no cité of the tests


@pytest.mark.parametrize(
    "url",
    [
        reverse("territories:cite_list"),
        reverse("territories:cite_detail", args=["cite-021"]),
        reverse("territories:cite_perimeter", args=["cite-021"]),
        reverse("territories:school_detail", args=[CRETEIL_SCHOOL]),
        reverse("core:home"),
        reverse("core:account"),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, reference_data, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_role_reads_its_own_cite(client, signed_in, role):
    signed_in(role)
    response = client.get(reverse("territories:cite_detail", args=["cite-021"]))
    assert response.status_code == 200
    assert "Mont Mesly - La Habette - Coteaux Du Sud" in response.text
    assert "Collège Laplace" in response.text


@pytest.mark.parametrize("role", ALL_CITE_ROLES)
def test_a_member_of_one_cite_cannot_read_another(client, signed_in, other_cite, role):
    signed_in(role)
    response = client.get(reverse("territories:cite_detail", args=[other_cite.anct_id]))
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.NATIONAL.value, "admin"])
def test_the_national_level_and_admins_read_every_cite(client, signed_in, other_cite, role):
    signed_in(role)
    response = client.get(reverse("territories:cite_detail", args=[other_cite.anct_id]))
    assert response.status_code == 200
    assert other_cite.name in response.text


def test_an_account_without_membership_reads_no_cite(client, user_in, creteil):
    client.force_login(user_in(None))
    assert client.get(reverse("territories:cite_detail", args=["cite-021"])).status_code == 403
    assert client.get(reverse("territories:school_detail", args=[CRETEIL_SCHOOL])).status_code == 403
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert "aucune cité" in response.text
    assert client.get(reverse("territories:cite_list")).context["page_obj"].paginator.count == 0


def test_unknown_cite_and_school_are_not_found(client, signed_in):
    signed_in(Role.NATIONAL.value)
    assert client.get(reverse("territories:cite_detail", args=["cite-999"])).status_code == 404
    assert client.get(reverse("territories:school_detail", args=["0000000A"])).status_code == 404


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_cite_list_shows_only_the_perimeter(client, signed_in, role):
    signed_in(role)
    response = client.get(reverse("territories:cite_list"))
    assert response.status_code == 200
    expected = 208 if role in (Role.NATIONAL, "admin") else 1
    assert response.context["page_obj"].paginator.count == expected


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_school_page_inside_and_outside_the_perimeter(client, signed_in, role):
    signed_in(role)
    inside = client.get(reverse("territories:school_detail", args=[CRETEIL_SCHOOL]))
    outside = client.get(reverse("territories:school_detail", args=[FRESNES_SCHOOL]))
    assert inside.status_code == 200
    assert "Ecole élémentaire Albert Camus" in inside.text
    assert outside.status_code == (200 if role in (Role.NATIONAL, "admin") else 403)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_the_coordinator_and_admins_edit_the_perimeter(client, signed_in, creteil, role):
    signed_in(role)
    url = reverse("territories:cite_perimeter", args=["cite-021"])
    allowed = role in (Role.COORDINATOR, "admin")
    assert client.get(url).status_code == (200 if allowed else 403)
    before = set(creteil.qpvs.values_list("code", flat=True))
    response = client.post(url, {"qpvs": [creteil.qpvs.first().pk]})
    assert response.status_code == (302 if allowed else 403)
    after = set(Cite.objects.get(pk=creteil.pk).qpvs.values_list("code", flat=True))
    assert (after != before) == allowed


def test_a_coordinator_cannot_edit_another_cite(client, signed_in, other_cite):
    signed_in(Role.COORDINATOR.value)
    assert client.get(reverse("territories:cite_perimeter", args=[other_cite.anct_id])).status_code == 403


def test_perimeter_edit_is_logged_and_kept_by_the_next_import(client, signed_in, creteil):
    user = signed_in(Role.COORDINATOR.value)
    beuvin = School.objects.get(uai="0940197D")  # not REP, so not derived by the import
    qpv = creteil.qpvs.get(code="QN09405M")
    response = client.post(
        reverse("territories:cite_perimeter", args=["cite-021"]),
        {"qpvs": [qpv.pk], "schools": [beuvin.pk]},
    )
    assert response.status_code == 302
    creteil.refresh_from_db()
    assert list(creteil.qpvs.values_list("code", flat=True)) == ["QN09405M"]
    assert list(creteil.schools.values_list("uai", flat=True)) == ["0940197D"]
    event = Event.objects.get(verb=Verb.PERIMETER_CHANGED, cite=creteil)
    assert event.actor == user
    assert event.before["QPV"] == ["QN09405M", "QN09406I"]
    assert event.after == {"QPV": ["QN09405M"], "établissements": ["0940197D"]}
    page = client.get(reverse("territories:cite_detail", args=["cite-021"]))
    assert "Périmètre de la cité modifié" in page.text

    from django.core.management import call_command

    call_command("import_reference", verbosity=0)
    assert list(creteil.qpvs.values_list("code", flat=True)) == ["QN09405M"]


def test_perimeter_needs_at_least_one_qpv_and_changes_nothing_otherwise(client, signed_in, creteil):
    signed_in(Role.COORDINATOR.value)
    response = client.post(reverse("territories:cite_perimeter", args=["cite-021"]), {"qpvs": []})
    assert response.status_code == 200
    assert "au moins un quartier prioritaire" in response.text
    assert creteil.qpvs.count() == 2
    assert not Event.objects.filter(verb=Verb.PERIMETER_CHANGED).exists()


def test_perimeter_refuses_a_qpv_outside_the_communes(client, signed_in, creteil):
    signed_in(Role.COORDINATOR.value)
    elsewhere = Cite.objects.get(anct_id="cite-001").qpvs.first()
    response = client.post(reverse("territories:cite_perimeter", args=["cite-021"]), {"qpvs": [elsewhere.pk]})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.text
    assert set(creteil.qpvs.values_list("code", flat=True)) == {"QN09405M", "QN09406I"}


def test_cite_list_filters(client, signed_in):
    signed_in(Role.NATIONAL.value)
    url = reverse("territories:cite_list")
    by_name = client.get(url, {"q": "créteil"}).context["page_obj"]
    assert [cite.anct_id for cite in by_name] == ["cite-021"]
    by_commune = client.get(url, {"q": "Chennevières"}).context["page_obj"]
    assert [cite.anct_id for cite in by_commune] == ["cite-014"]
    val_de_marne = client.get(url, {"departement": "94"}).context["page_obj"]
    assert {cite.anct_id for cite in val_de_marne} == {"cite-014", "cite-021", "cite-055", "cite-124", "cite-202"}
    corse = client.get(url, {"region": "94"}).context["page_obj"]
    assert {cite.anct_id for cite in corse} == {"cite-080", "cite-086"}
    wave_four = client.get(url, {"wave": "4"}).context["page_obj"]
    assert wave_four.paginator.count == cites_in_the_anct_file(wave="4")
    combined = client.get(url, {"departement": "94", "wave": "4"}).context["page_obj"]
    assert [cite.anct_id for cite in combined] == ["cite-202"]
    page_two = client.get(url, {"page": "2"}).context["page_obj"]
    assert page_two.number == 2 and len(page_two) == 20


def cites_in_the_anct_file(wave: str) -> int:
    path = settings.REFERENCE_DATA_DIR / "cites_educatives" / "cites_educatives_communes.csv"
    with path.open(encoding="utf-8") as lines:
        return len({row["id_cite"] for row in csv.DictReader(lines) if row["lot_numerotation"] == wave})


def test_cite_list_ignores_bad_filter_values(client, signed_in):
    signed_in(Role.NATIONAL.value)
    response = client.get(reverse("territories:cite_list"), {"wave": "9", "departement": "zz", "page": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_cite_list_answers_htmx_with_the_results_only(client, signed_in):
    signed_in(Role.NATIONAL.value)
    response = client.get(reverse("territories:cite_list"), {"q": "Orly"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Orly" in response.text


def test_school_page_shows_ips_against_the_departement_and_the_brevet(client, signed_in):
    signed_in(Role.SCHOOL_CONTACT.value)
    ecole = client.get(reverse("territories:school_detail", args=[CRETEIL_SCHOOL]))
    ips = ecole.context["indicators"]["ips"]
    assert [row[0] for row in ips.rows] == ["2022-2023", "2023-2024", "2024-2025"]
    assert [str(row[1]) for row in ips.rows] == ["89.30", "90.10", "89.20"]
    assert [str(row[2]) for row in ips.rows] == ["110.70", "111.30", "111.90"]
    assert ecole.context["indicators"]["ips_chart"] is not None
    college = client.get(reverse("territories:school_detail", args=["0940003T"]))
    brevet = college.context["indicators"]["brevet"]
    assert [(row["period"], str(row["rate"]), int(row["presents"])) for row in brevet] == [("2020-2021", "95.50", 111)]
    assert "95,5" in college.text


@pytest.mark.parametrize("role", ALL_CITE_ROLES)
def test_switch_cite_only_within_the_perimeter(client, user_in, creteil, other_cite, role):
    user = user_in(role, creteil)
    client.force_login(user)
    refused = client.post(reverse("territories:switch_cite"), {"cite": other_cite.anct_id})
    assert refused.status_code == 302 and refused["Location"] == reverse("core:home")
    assert client.session.get("current_cite") != other_cite.anct_id


def test_switch_cite_changes_the_current_cite(client, user_in, creteil):
    champigny = Cite.objects.get(anct_id="cite-014")
    user = user_in(Role.TROIKA_STATE.value, creteil)
    user.memberships.create(cite=champigny, role=Role.TROIKA_STATE)
    client.force_login(user)
    home = client.get(reverse("core:home"))
    assert home["Location"] == reverse("territories:cite_detail", args=["cite-014"])  # first by name
    response = client.post(reverse("territories:switch_cite"), {"cite": "cite-021"})
    assert response["Location"] == reverse("territories:cite_detail", args=["cite-021"])
    assert client.get(reverse("core:home"))["Location"] == reverse("territories:cite_detail", args=["cite-021"])
    page = client.get(reverse("territories:cite_detail", args=["cite-021"]))
    assert 'id="cite-switcher-select"' in page.text


def test_switch_cite_needs_post(client, signed_in):
    signed_in(Role.COORDINATOR.value)
    assert client.get(reverse("territories:switch_cite")).status_code == 405


def test_refusals_and_missing_pages_are_explained_in_french(client, signed_in, other_cite):
    signed_in(Role.COORDINATOR.value)
    refused = client.get(reverse("territories:cite_detail", args=[other_cite.anct_id]))
    assert refused.status_code == 403
    assert "Accès refusé" in refused.text and "pas dans votre périmètre" in refused.text
    missing = client.get("/cites/cite-999/")
    assert missing.status_code == 404
    assert "Page introuvable" in missing.text
