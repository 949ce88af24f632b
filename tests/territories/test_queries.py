"""Pages run a fixed number of SQL queries whatever the amount of data (measured at two sizes)."""

import pytest
from django.urls import reverse

from maillage.core.events import record_event
from maillage.core.models import Role, Verb
from maillage.territories.models import Indicator, IndicatorValue
from tests.factories import CiteFactory, CommuneFactory, QpvFactory, SchoolFactory
from tests.queries import count_queries

# Session, user, perimeter, page data… A bound per page, checked at both sizes.
MAX_QUERIES = {"cite_list": 10, "cite_detail": 14, "school_detail": 14}


@pytest.fixture
def national_client(client, user_in):
    client.force_login(user_in(Role.NATIONAL.value))
    return client


def test_cite_list_queries_do_not_grow_with_the_number_of_cites(national_client, django_assert_max_num_queries):
    url = reverse("territories:cite_list") + "?departement=94"
    small = count_queries(national_client, url)
    CiteFactory.create_batch(40, territory=(3, 4, 5))  # factory communes are in the Val-de-Marne
    large = count_queries(national_client, url)
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES["cite_list"]):
        national_client.get(url)
    assert national_client.get(url).context["page_obj"].paginator.count == 45


def test_cite_list_search_queries_are_fixed(national_client):
    url = reverse("territories:cite_list") + "?q=a&wave=3"
    small = count_queries(national_client, url)
    CiteFactory.create_batch(30, name="Cité test a", territory=(2, 2, 2))
    assert count_queries(national_client, url) == small <= MAX_QUERIES["cite_list"]


def test_cite_page_queries_do_not_grow_with_its_territory(client, user_in, creteil, django_assert_max_num_queries):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    client.force_login(coordinator)
    url = reverse("territories:cite_detail", args=["cite-021"])
    small = count_queries(client, url)
    schools_before = creteil.schools.count()
    extra_communes = CommuneFactory.create_batch(5)
    creteil.communes.add(*extra_communes)
    for commune in extra_communes:
        qpv = QpvFactory()
        qpv.communes.add(commune)
        creteil.qpvs.add(qpv)
    schools = SchoolFactory.create_batch(40, commune=extra_communes[0])
    creteil.schools.add(*schools)
    ips = Indicator.objects.get(code="ips_ecole")
    indicator_values = [
        IndicatorValue(indicator=ips, school=school, period=period, value=90, origin="test")
        for school in schools
        for period in ("2022-2023", "2023-2024")
    ]
    IndicatorValue.objects.bulk_create(indicator_values)
    for number in range(30):
        record_event(actor=coordinator, verb=Verb.UPDATED, obj=creteil, summary=f"changement {number}")
    large = count_queries(client, url)
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES["cite_detail"]):
        response = client.get(url)
    assert len(response.context["schools"]) == schools_before + 40


def test_school_page_queries_are_fixed(client, user_in, creteil):
    client.force_login(user_in(Role.SCHOOL_CONTACT.value, creteil))
    url = reverse("territories:school_detail", args=["0940003T"])
    small = count_queries(client, url)
    for _ in range(5):
        other = CiteFactory(territory=(1, 1, 0))
        other.communes.add(creteil.communes.first())
        other.schools.add(*creteil.schools.filter(uai="0940003T"))
    assert count_queries(client, url) == small <= MAX_QUERIES["school_detail"]
