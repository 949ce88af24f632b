"""The read-only public API: every list answers without an account, paginates and filters; every item is found by
its code; only published activities are shown, without any person; the lists run a fixed number of queries."""

from datetime import time

import pytest
from django.urls import reverse

from maillage.offer.models import ActivitySlot, ActivityStatus, Weekday
from maillage.offer.opendata import COLUMNS
from maillage.territories.models import Cite, Commune, IndicatorValue, PriorityNetwork, Qpv, School
from tests.factories import CiteFactory, CommuneFactory, ContactFactory, OrganisationFactory, QpvFactory, SchoolFactory
from tests.offer.factories import published_activity
from tests.offer.test_opendata import VISITORS, sign_in_as
from tests.queries import count_queries

LISTS = {"cites": "cite", "qpvs": "qpv", "schools": "school", "activities": "activity"}
"""Each list's address and route name."""


def api(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def get(client, url, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def every_page(client, url, **params) -> list[dict]:
    """All the results of a list, page after page."""
    results, page = [], get(client, url, page_size=200, **params)
    results += page["results"]
    while page["next"]:
        page = get(client, page["next"])
        results += page["results"]
    return results


def keys_of(client, url, key, **params) -> set:
    return {item[key] for item in every_page(client, url, **params)}


@pytest.fixture
def catalogue(creteil, other_cite):
    """Published activities in Créteil (and one in Allonnes), a draft and a withdrawn one; a person works at the
    organisation of the first."""
    organisation = OrganisationFactory(cites=[creteil], email="accueil@centre-social.exemple.fr")
    ContactFactory(organisation=organisation, first_name="Roselyne", last_name="Vautrin", email="r.vautrin@exemple.fr")
    qpv = creteil.qpvs.order_by("code").first()
    homework = published_activity(
        creteil, title="Aide aux devoirs", min_age=6, max_age=10, organisation=organisation, qpv=qpv
    )
    chess = published_activity(
        creteil,
        title="Échecs",
        min_age=8,
        max_age=12,
        weekday=Weekday.SATURDAY,
        is_free=False,
        themes=("sport",),
        times_of_day=("extrascolaire",),
    )
    teens = published_activity(
        creteil, title="Forum des métiers", min_age=11, max_age=14, themes=("orientation-insertion",)
    )
    parents = published_activity(creteil, title="Café des parents", min_age=None, max_age=None, weekday=None)
    ActivitySlot.objects.create(activity=parents, weekday=Weekday.WEDNESDAY, starts_at=time(9), ends_at=time(10))
    ActivitySlot.objects.create(activity=parents, weekday=Weekday.WEDNESDAY, starts_at=time(17), ends_at=time(18))
    allonnes = published_activity(other_cite, title="Football à Allonnes")
    published_activity(creteil, title="Brouillon caché", status=ActivityStatus.DRAFT)
    published_activity(creteil, title="Retirée cachée", status=ActivityStatus.WITHDRAWN)
    return {
        "homework": homework,
        "chess": chess,
        "teens": teens,
        "parents": parents,
        "allonnes": allonnes,
        "qpv": qpv,
    }


# Access.


@pytest.mark.parametrize("visitor", VISITORS)
def test_everyone_reads_the_api_without_signing_in(client, user_in, creteil, other_cite, visitor):
    sign_in_as(client, user_in, visitor, creteil, other_cite)
    for name in LISTS.values():
        assert client.get(api(f"{name}-list")).status_code == 200, name
    assert client.get(api("cite-detail", "cite-021")).status_code == 200
    assert client.get(api("api-root")).status_code == 200


def test_the_root_lists_the_endpoints(client, reference_data):
    root = get(client, api("api-root"))
    assert set(root) == set(LISTS)
    assert root["activities"] == "http://testserver/api/v1/activities/"


def test_the_api_is_read_only(client, creteil):
    assert client.post(api("cite-list"), {"anct_id": "cite-999"}).status_code == 405
    assert client.delete(api("cite-detail", "cite-021")).status_code == 405
    assert Cite.objects.filter(anct_id="cite-021").exists()


# Pagination.


def test_lists_paginate_with_a_page_size_capped_at_200(client, reference_data):
    first = get(client, api("qpv-list"), page_size=2)
    assert first["count"] == Qpv.objects.count() > 200
    assert len(first["results"]) == 2
    assert first["previous"] is None
    second = get(client, first["next"])
    assert second["previous"]
    assert not {qpv["code"] for qpv in first["results"]} & {qpv["code"] for qpv in second["results"]}
    assert len(get(client, api("qpv-list"), page_size=500)["results"]) == 200
    assert len(get(client, api("qpv-list"))["results"]) == 50


def test_a_page_out_of_range_is_not_found(client, reference_data):
    response = client.get(api("cite-list"), {"page": 9999})
    assert response.status_code == 404
    assert response.json() == {"detail": "Page non valide."}


# Cités.


def test_a_cite_is_found_by_its_anct_id(client, creteil):
    cite = get(client, api("cite-detail", "cite-021"))
    assert cite["anct_id"] == "cite-021"
    assert cite["name"] == creteil.name
    assert cite["slug"] == "creteil"
    assert cite["wave"] == creteil.wave
    assert cite["wave_label"] == creteil.get_wave_display()
    assert "94028" in cite["communes"]
    assert cite["qpvs"] == sorted(creteil.qpvs.values_list("code", flat=True))
    assert client.get(api("cite-detail", "cite-999")).status_code == 404


def test_cites_filter_by_departement_region_wave_and_name(client, creteil):
    in_94 = set(Cite.objects.filter(communes__departement__code="94").values_list("anct_id", flat=True))
    assert "cite-021" in in_94
    assert keys_of(client, api("cite-list"), "anct_id", departement="94") == in_94
    in_idf = set(Cite.objects.filter(communes__departement__region__code="11").values_list("anct_id", flat=True))
    assert in_94 < in_idf
    assert keys_of(client, api("cite-list"), "anct_id", region="11") == in_idf
    same_wave = set(Cite.objects.filter(wave=creteil.wave).values_list("anct_id", flat=True))
    assert (
        keys_of(client, api("cite-list"), "anct_id", wave=creteil.wave)
        == same_wave
        < keys_of(client, api("cite-list"), "anct_id")
    )
    assert "cite-021" in keys_of(client, api("cite-list"), "anct_id", search="crét")
    assert keys_of(client, api("cite-list"), "anct_id", search="nulle part ailleurs") == set()


def test_a_bad_filter_value_is_refused_in_french(client, reference_data):
    response = client.get(api("cite-list"), {"wave": 9})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.json()["wave"][0]


# QPVs.


def test_a_qpv_is_found_by_its_code(client, creteil):
    code = creteil.qpvs.order_by("code").first().code
    qpv = get(client, api("qpv-detail", code))
    assert qpv["code"] == code
    assert qpv["departement"] == "94"
    assert qpv["departement_name"] == "Val-de-Marne"
    assert "94028" in qpv["communes"]
    assert "cite-021" in qpv["cites"]
    assert client.get(api("qpv-detail", "QN00000X")).status_code == 404


def test_qpvs_filter_by_departement_commune_and_cite(client, creteil):
    in_94 = set(Qpv.objects.filter(departement__code="94").values_list("code", flat=True))
    assert keys_of(client, api("qpv-list"), "code", departement="94") == in_94
    in_creteil = set(Qpv.objects.filter(communes__insee_code="94028").values_list("code", flat=True))
    assert in_creteil and in_creteil < in_94
    assert keys_of(client, api("qpv-list"), "code", commune="94028") == in_creteil
    of_cite = set(creteil.qpvs.values_list("code", flat=True))
    assert keys_of(client, api("qpv-list"), "code", cite="cite-021") == of_cite
    assert keys_of(client, api("qpv-list"), "code", cite="creteil") == of_cite
    assert keys_of(client, api("qpv-list"), "code", cite="inconnue") == set()


# Schools.


def test_a_school_is_found_by_its_uai_with_its_latest_ips(client, creteil):
    value = (
        IndicatorValue.objects.filter(indicator__code="ips_ecole", school__isnull=False)
        .select_related("school")
        .order_by("school", "-period")
        .first()
    )
    latest = IndicatorValue.objects.filter(school=value.school, indicator__code="ips_ecole").order_by("-period")[0]
    school = get(client, api("school-detail", value.school.uai))
    assert school["uai"] == value.school.uai
    assert school["commune_insee"] == value.school.commune.insee_code
    assert school["ips"] == float(latest.value)
    assert school["ips_school_year"] == latest.period
    assert client.get(api("school-detail", "0000000A")).status_code == 404


def test_schools_filter_by_commune_departement_network_kind_and_cite(client, creteil):
    def uais(**lookups) -> set:
        return set(School.objects.filter(**lookups).values_list("uai", flat=True))

    url = api("school-list")
    assert keys_of(client, url, "uai", commune="94028") == uais(commune__insee_code="94028") != set()
    assert keys_of(client, url, "uai", departement="94") == uais(commune__departement__code="94")
    for value, stored in (("REP+", PriorityNetwork.REP_PLUS), ("REP", PriorityNetwork.REP), ("none", "")):
        expected = uais(priority_network=stored)
        assert expected, value
        assert keys_of(client, url, "uai", priority_network=value) == expected
    assert keys_of(client, url, "uai", kind="college") == uais(kind=School.Kind.COLLEGE) != set()
    assert keys_of(client, url, "uai", cite="creteil") == set(creteil.schools.values_list("uai", flat=True)) != set()


# Activities.


def test_only_published_activities_are_listed(client, catalogue):
    titles = {activity["title"] for activity in every_page(client, api("activity-list"))}
    assert titles == {"Aide aux devoirs", "Échecs", "Forum des métiers", "Café des parents", "Football à Allonnes"}


def test_an_activity_is_the_open_data_row_without_any_person(client, catalogue):
    homework = catalogue["homework"]
    activity = get(client, api("activity-detail", homework.pk))
    assert list(activity) == list(COLUMNS)
    assert activity["title"] == "Aide aux devoirs"
    assert activity["contact_email"] == "accueil@centre-social.exemple.fr"
    assert activity["url"] == f"http://testserver/offre/creteil/{homework.slug}/"
    content = client.get(api("activity-list")).content.decode()
    for private in ("Roselyne", "Vautrin", "r.vautrin@exemple.fr"):
        assert private not in content


def test_an_unpublished_or_unknown_activity_is_not_found(client, catalogue):
    hidden = catalogue["homework"].__class__.objects.exclude(status=ActivityStatus.PUBLISHED)
    assert hidden.count() == 2
    for activity in hidden:
        assert client.get(api("activity-detail", activity.pk)).status_code == 404
    assert client.get(api("activity-detail", 999_999)).status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cite": "cite-021"}, {"homework", "chess", "teens", "parents"}),
        ({"cite": "creteil"}, {"homework", "chess", "teens", "parents"}),
        ({"cite": "cite-001"}, {"allonnes"}),
        # As on the public search page: a child's age does not find the parents' coffee morning.
        ({"age": 9}, {"homework", "chess", "allonnes"}),
        ({"age": 13}, {"teens"}),
        ({"theme": "sport"}, {"chess"}),
        ({"time_of_day": "extrascolaire"}, {"chess"}),
        ({"qpv": "qpv"}, {"homework"}),
        ({"free": "false"}, {"chess"}),
        ({"free": "true", "cite": "creteil"}, {"homework", "teens", "parents"}),
        ({"weekday": Weekday.WEDNESDAY.value}, {"homework", "teens", "parents", "allonnes"}),
        ({"weekday": Weekday.SATURDAY.value}, {"chess"}),
        ({"weekday": Weekday.SATURDAY.value, "age": 13}, set()),
        ({"weekday": Weekday.WEDNESDAY.value, "age": 9, "cite": "creteil", "free": "true"}, {"homework"}),
    ],
)
def test_activities_filter(client, catalogue, params, expected):
    params = {key: catalogue["qpv"].code if value == "qpv" else value for key, value in params.items()}
    ids = [activity["id"] for activity in every_page(client, api("activity-list"), **params)]
    assert len(ids) == len(set(ids))  # two Wednesday slots, one row
    assert set(ids) == {catalogue[name].pk for name in expected}


def test_activities_filter_by_commune(client, creteil, catalogue):
    elsewhere = Commune.objects.get(insee_code="94046")  # Maisons-Alfort
    moved = published_activity(creteil, title="Atelier ailleurs", commune=elsewhere)
    assert keys_of(client, api("activity-list"), "id", commune=elsewhere.insee_code) == {moved.pk}
    assert moved.pk not in keys_of(client, api("activity-list"), "id", commune="94028")


@pytest.mark.parametrize("params", [{"age": "neuf"}, {"age": -1}, {"age": 200}, {"weekday": 7}])
def test_bad_activity_filters_are_refused(client, catalogue, params):
    response = client.get(api("activity-list"), params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


# Speed.


def grow(creteil, other_cite, start: int, count: int) -> None:
    """`count` more of everything: cités with communes, QPVs and schools, QPVs and schools of Créteil (outside
    éducation prioritaire), and published activities."""
    CiteFactory.create_batch(count, territory=(2, 2, 2))
    creteil.qpvs.add(*QpvFactory.create_batch(count))
    creteil.schools.add(*SchoolFactory.create_batch(count, commune=CommuneFactory()))
    for number in range(start, start + count):
        activity = published_activity(
            creteil if number % 2 else other_cite, title=f"Activité {number}", themes=("sport",)
        )
        ActivitySlot.objects.create(activity=activity, weekday=Weekday.FRIDAY, starts_at=time(17), ends_at=time(18))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("cite-list", {}),
        ("cite-list", {"departement": "94", "page_size": 200}),
        ("qpv-list", {"page_size": 200}),
        ("qpv-list", {"cite": "creteil"}),
        ("school-list", {"page_size": 200}),
        ("school-list", {"cite": "creteil", "priority_network": "none"}),
        ("activity-list", {}),
        ("activity-list", {"age": 9, "weekday": 4, "cite": "creteil", "theme": "sport"}),
    ],
)
def test_the_lists_run_a_fixed_number_of_queries(client, creteil, other_cite, name, params):
    grow(creteil, other_cite, 0, 3)
    small = count_queries(client, api(name), params)
    grow(creteil, other_cite, 3, 30)
    large = count_queries(client, api(name), params)
    assert small == large <= 6  # the count, the page, then one query per prefetched relation
