"""The directory and the organisation page run a fixed number of SQL queries whatever the amount of data."""

import pytest
from django.urls import reverse

from maillage.core.events import record_event
from maillage.core.models import AgeBand, Role, Theme, Verb
from tests.factories import CiteFactory, ContactFactory, DecisionFactory, MeetingFactory, OrganisationFactory
from tests.queries import count_queries

# Session, user, perimeter, cité, filter choices, count, rows, themes… A bound per page, checked at both sizes.
MAX_QUERIES = {"directory": 11, "organisation_detail": 14}


def add_organisations(cite, number: int) -> list:
    themes, age_bands = list(Theme.objects.all()[:4]), list(AgeBand.objects.all()[:3])
    organisations = OrganisationFactory.create_batch(number, cites=[cite])
    for organisation in organisations:
        organisation.themes.set(themes)
        organisation.age_bands.set(age_bands)
        ContactFactory.create_batch(2, organisation=organisation)
    return organisations


@pytest.mark.parametrize("role", [Role.COORDINATOR.value, Role.EVALUATOR.value])
@pytest.mark.parametrize("params", [None, {"q": "partenaires", "theme": "parentalite", "kind": "association"}])
def test_directory_queries_do_not_grow_with_the_directory(client, user_in, creteil, role, params):
    client.force_login(user_in(role, creteil))
    url = reverse("partners:directory", args=["cite-021"])
    add_organisations(creteil, 3)
    small = count_queries(client, url, params)
    add_organisations(creteil, 27)
    large = count_queries(client, url, params)
    assert small == large <= MAX_QUERIES["directory"]
    response = client.get(url, params)
    assert response.context["page_obj"].paginator.count == 30
    assert all(row.contact_count == 2 for row in response.context["page_obj"])


@pytest.mark.parametrize("role", [Role.COORDINATOR.value, Role.NATIONAL.value, "admin", "holder"])
def test_organisation_page_queries_do_not_grow_with_its_contacts_themes_cites_and_history(
    client, user_in, creteil, role
):
    user = user_in(Role.PROJECT_HOLDER.value if role == "holder" else role, creteil)
    client.force_login(user)
    (organisation,) = add_organisations(creteil, 1)
    if role == "holder":
        ContactFactory(organisation=organisation, user=user)
    organisation.latitude, organisation.longitude = 48.79, 2.45
    organisation.save()
    url = organisation.get_absolute_url()
    small = count_queries(client, url)
    ContactFactory.create_batch(30, organisation=organisation)
    organisation.cites.add(*CiteFactory.create_batch(5))
    organisation.themes.set(Theme.objects.all())
    for number in range(15):
        record_event(actor=user, verb=Verb.UPDATED, obj=organisation, cite=creteil, summary=f"changement {number}")
    for contact in organisation.contacts.all()[:12]:
        meeting = MeetingFactory(body__cite=creteil)
        meeting.invitations.create(contact=contact)
        DecisionFactory(meeting=meeting, organisation=organisation)
    large = count_queries(client, url)
    assert small == large <= MAX_QUERIES["organisation_detail"]
    response = client.get(url)
    assert len(response.context["events"]) == 10
    if response.context["contacts"] is not None:
        assert len(response.context["contacts"]) == 32 + (role == "holder")
