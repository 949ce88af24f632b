"""Open data of the public offer: the rows, the three formats, what is never exported, the downloads page, and the
fixed number of queries whatever the number of activities."""

import csv
import io
import json
from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Role
from maillage.offer.models import ActivitySlot, ActivityStatus, Period, Weekday
from maillage.offer.opendata import COLUMNS, LICENCE_NAME
from maillage.territories.models import Qpv, School
from tests.factories import ContactFactory, OrganisationFactory, UserFactory
from tests.offer.factories import LATITUDE, LONGITUDE, published_activity
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
VISITORS = [*EVERY_ROLE, None, "other_coordinator"]
"""Every role in Créteil, an anonymous visitor (None) and the coordinator of another cité."""
FORMATS = ["csv", "json", "geojson"]


def sign_in_as(client, user_in, visitor, creteil, other_cite) -> None:
    """The client signs in as one of `VISITORS` (or stays anonymous)."""
    if visitor == "other_coordinator":
        client.force_login(user_in(Role.COORDINATOR, other_cite))
    elif visitor:
        client.force_login(user_in(visitor, creteil))


def download(client, url) -> tuple[object, str]:
    """The response and its whole text (the files are streamed)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content).decode("utf-8")


def cite_file(cite, fmt: str) -> str:
    return reverse("offer:opendata_cite", args=[cite.slug, fmt])


def all_file(fmt: str) -> str:
    return reverse("offer:opendata_all", args=[fmt])


def csv_rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


@pytest.fixture
def catalogue(creteil, other_cite):
    """In Créteil: a published activity with everything filled in (two slots, a QPV, a school, a person at its
    organisation), a published one without coordinates, a draft and a withdrawn one; in Allonnes, one published."""
    organisation = OrganisationFactory(
        cites=[creteil], email="accueil@centre-social.exemple.fr", phone="01 43 99 00 00"
    )
    person = ContactFactory(
        organisation=organisation, first_name="Roselyne", last_name="Vautrin", email="roselyne.vautrin@exemple.fr"
    )
    author = UserFactory(email="auteur.prive@exemple.fr", first_name="Gaspard", last_name="Lemoine")
    qpv = creteil.qpvs.order_by("code").first()
    school = creteil.schools.order_by("uai").first()
    full = published_activity(
        creteil,
        title="Aide aux devoirs",
        min_age=8,
        max_age=12,
        themes=("accompagnement-scolaire", "langage-lecture"),
        times_of_day=("periscolaire",),
        qpv=qpv,
        organisation=organisation,
        starts_on=date(2025, 9, 3),
        ends_on=date(2026, 6, 30),
        period=Period.SCHOOL_WEEKS,
        school=school,
        is_free=False,
        price="5 € par trimestre",
        registration_url="https://centre-social.exemple.fr/inscription",
        accessibility="Salle de plain-pied.",
        created_by=author,
    )
    ActivitySlot.objects.create(activity=full, weekday=Weekday.SATURDAY, starts_at=time(10), ends_at=time(12))
    unplaced = published_activity(creteil, title="Lecture en famille", min_age=None, max_age=None, latitude=None)
    draft = published_activity(creteil, title="Atelier brouillon", status=ActivityStatus.DRAFT)
    withdrawn = published_activity(creteil, title="Atelier retiré", status=ActivityStatus.WITHDRAWN)
    elsewhere = published_activity(other_cite, title="Club de foot d'Allonnes")
    return {
        "full": full,
        "unplaced": unplaced,
        "draft": draft,
        "withdrawn": withdrawn,
        "elsewhere": elsewhere,
        "person": person,
        "author": author,
        "qpv": qpv,
        "school": school,
    }


def test_a_json_row_describes_the_activity(client, creteil, catalogue):
    full, qpv, school = catalogue["full"], catalogue["qpv"], catalogue["school"]
    rows = {row["id"]: row for row in json.loads(download(client, cite_file(creteil, "json"))[1])}
    row = rows[full.pk]
    assert list(row) == list(COLUMNS)
    assert row["cite_anct_id"] == "cite-021"
    assert row["cite_name"] == creteil.name
    assert row["title"] == "Aide aux devoirs"
    assert row["organisation"] == full.organisation.name
    assert row["contact_email"] == "accueil@centre-social.exemple.fr"
    assert row["contact_phone"] == "01 43 99 00 00"
    assert (row["min_age"], row["max_age"]) == (8, 12)
    assert [band["code"] for band in row["audiences"]] == ["6-10", "11-14"]
    assert row["themes"] == [
        {"code": "langage-lecture", "label": "Langage et lecture"},
        {"code": "accompagnement-scolaire", "label": "Accompagnement scolaire"},
    ]
    assert row["times_of_day"] == [{"code": "periscolaire", "label": "Périscolaire"}]
    assert (row["commune_insee"], row["commune_name"]) == ("94028", "Créteil")
    assert (row["qpv_code"], row["qpv_name"]) == (qpv.code, qpv.name)
    assert (row["school_uai"], row["school_name"]) == (school.uai, school.name)
    assert (row["latitude"], row["longitude"]) == (LATITUDE, LONGITUDE)
    assert (row["starts_on"], row["ends_on"]) == ("2025-09-03", "2026-06-30")
    assert row["period"] == "en période scolaire"
    assert row["slots"] == "mercredi 14:00-16:00; samedi 10:00-12:00"
    assert row["is_free"] is False
    assert row["price"] == "5 € par trimestre"
    assert row["registration_url"] == "https://centre-social.exemple.fr/inscription"
    assert row["url"] == f"http://testserver/offre/creteil/{full.slug}/"
    assert row["updated_at"].startswith(f"{full.updated_at.year}-")
    unplaced = rows[catalogue["unplaced"].pk]
    assert (unplaced["min_age"], unplaced["max_age"], unplaced["latitude"]) == (None, None, None)
    assert [band["code"] for band in unplaced["audiences"]] == ["parents"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unpublished_activities_and_persons_are_never_exported(client, creteil, catalogue, fmt):
    for url in (cite_file(creteil, fmt), all_file(fmt)):
        text = download(client, url)[1]
        assert "Aide aux devoirs" in text
        assert "Atelier brouillon" not in text
        assert "Atelier retiré" not in text
        person, author = catalogue["person"], catalogue["author"]
        for private in (person.first_name, person.last_name, person.email, author.email, author.last_name):
            assert private not in text


def test_the_csv_is_utf8_with_bom_and_semicolons(client, creteil, catalogue):
    response, text = download(client, cite_file(creteil, "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="activites-creteil.csv"'
    assert text.splitlines()[0] == "\ufeff" + ";".join(COLUMNS)
    rows = {row["title"]: row for row in csv_rows(text)}
    assert set(rows) == {"Aide aux devoirs", "Lecture en famille"}
    full = rows["Aide aux devoirs"]
    assert full["themes"] == "Langage et lecture; Accompagnement scolaire"
    assert full["audiences"] == "6-10 ans; 11-14 ans"
    assert full["is_free"] == "non"
    assert full["slots"] == "mercredi 14:00-16:00; samedi 10:00-12:00"
    assert full["latitude"] == str(LATITUDE)
    assert rows["Lecture en famille"]["latitude"] == ""
    assert rows["Lecture en famille"]["qpv_code"] == ""


def test_the_geojson_is_a_collection_of_points_without_the_unplaced(client, creteil, catalogue):
    response, text = download(client, cite_file(creteil, "geojson"))
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["type"] == "Feature"
    assert feature["id"] == catalogue["full"].pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [LONGITUDE, LATITUDE]}
    assert feature["properties"]["title"] == "Aide aux devoirs"
    assert list(feature["properties"]) == list(COLUMNS)
    # Left out of the GeoJSON only.
    assert "Lecture en famille" in download(client, cite_file(creteil, "json"))[1]


def test_a_cite_file_holds_its_activities_and_the_national_file_all(client, creteil, other_cite, catalogue):
    cite_titles = {row["title"] for row in json.loads(download(client, cite_file(creteil, "json"))[1])}
    assert cite_titles == {"Aide aux devoirs", "Lecture en famille"}
    everything = json.loads(download(client, all_file("json"))[1])
    assert {row["title"] for row in everything} == cite_titles | {"Club de foot d'Allonnes"}
    response, text = download(client, all_file("csv"))
    assert response["Content-Disposition"] == 'attachment; filename="activites-toutes-cites.csv"'
    assert len(csv_rows(text)) == 3


def test_a_cite_without_offer_has_empty_files(client, other_cite):
    assert json.loads(download(client, cite_file(other_cite, "json"))[1]) == []
    assert json.loads(download(client, cite_file(other_cite, "geojson"))[1]) == {
        "type": "FeatureCollection",
        "features": [],
    }
    assert csv_rows(download(client, cite_file(other_cite, "csv"))[1]) == []


@pytest.mark.parametrize(
    "url",
    [
        "/offre/donnees/activites.xlsx",
        "/offre/creteil/activites.pdf",
        "/offre/cite-inconnue/activites.csv",
    ],
)
def test_unknown_formats_and_cites_are_not_found(client, creteil, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_everyone_downloads_without_signing_in(client, user_in, creteil, other_cite, catalogue, visitor, fmt):
    sign_in_as(client, user_in, visitor, creteil, other_cite)
    assert "Aide aux devoirs" in download(client, cite_file(creteil, fmt))[1]


@pytest.mark.parametrize("visitor", VISITORS)
def test_everyone_sees_the_downloads_page(client, user_in, creteil, other_cite, visitor):
    sign_in_as(client, user_in, visitor, creteil, other_cite)
    assert client.get(reverse("offer:opendata")).status_code == 200


def test_the_downloads_page_lists_the_cites_with_an_offer_and_their_files(client, creteil, other_cite):
    published_activity(creteil, title="Aide aux devoirs")
    published_activity(creteil, title="Atelier théâtre")
    published_activity(creteil, title="Brouillon", status=ActivityStatus.PENDING)
    response = client.get(reverse("offer:opendata"))
    page = response.content.decode()
    assert "<title>Données ouvertes de l'offre publique des cités éducatives — Maillage</title>" in page
    assert '<meta name="description" content="Téléchargez les activités publiées' in page
    assert LICENCE_NAME in page
    cites = list(response.context["cites"])
    assert [(cite.name, cite.activity_count) for cite in cites] == [(creteil.name, 2)]
    for fmt in FORMATS:
        assert f'href="{cite_file(creteil, fmt)}"' in page
        assert f'href="{all_file(fmt)}"' in page
        assert f'href="{cite_file(other_cite, fmt)}"' not in page
    assert f'href="{reverse("api:api-root")}"' in page
    assert f'href="{reverse("api:schema")}?format=json"' in page
    for column in COLUMNS:
        assert f"<code>{column}</code>" in page


def test_the_downloads_page_says_when_nothing_is_published(client, reference_data):
    assert (
        "Aucune cité éducative n'a encore publié d'activité." in client.get(reverse("offer:opendata")).content.decode()
    )


def add_activities(cite, count: int, start: int) -> None:
    """`count` published activities with themes, audiences, slots, a QPV and a school."""
    qpv = Qpv.objects.filter(cites=cite).first()
    school = School.objects.filter(cites=cite).first()
    for number in range(start, start + count):
        activity = published_activity(
            cite,
            title=f"Activité {number}",
            themes=("sport", "culture"),
            times_of_day=("extrascolaire",),
            qpv=qpv,
            school=school,
        )
        ActivitySlot.objects.create(activity=activity, weekday=Weekday.FRIDAY, starts_at=time(17), ends_at=time(18))


def download_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        download(client, url)
    return len(queries)


def test_the_files_and_the_page_run_a_fixed_number_of_queries(client, creteil, other_cite):
    add_activities(creteil, 2, 0)
    add_activities(other_cite, 1, 100)
    urls = [cite_file(creteil, fmt) for fmt in FORMATS] + [all_file(fmt) for fmt in FORMATS]
    small = [download_queries(client, url) for url in urls]
    page_small = count_queries(client, reverse("offer:opendata"))
    add_activities(creteil, 25, 2)
    add_activities(other_cite, 10, 101)
    large = [download_queries(client, url) for url in urls]
    page_large = count_queries(client, reverse("offer:opendata"))
    assert small == large
    assert max(large) <= 6  # the cité, the activities, then one query per prefetched relation
    assert page_small == page_large <= 2
