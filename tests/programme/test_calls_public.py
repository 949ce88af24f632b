"""The public pages of the calls for projects: read without an account, published calls only, with the same
layout as the rest of the platform."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import CITE_ROLES, Role
from tests.factories import CallFactory, OrganisationFactory, holder_of
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]


@pytest.fixture
def calls(creteil, other_cite):
    now = timezone.now()
    return {
        "open": CallFactory(cite=creteil, title="Appel de Créteil"),
        "open_elsewhere": CallFactory(cite=other_cite, title="Appel d'Allonnes"),
        "draft": CallFactory(cite=creteil, title="Appel en préparation", is_published=False),
        "closed": CallFactory(
            cite=creteil, title="Appel clos", opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1)
        ),
        "upcoming": CallFactory(
            cite=creteil, title="Appel à venir", opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=40)
        ),
    }


def test_anonymous_visitors_read_the_open_calls_of_every_cite(client, calls):
    response = client.get(reverse("programme:public_calls"))
    assert response.status_code == 200
    text = response.text
    assert "Appel de Créteil" in text and "Appel d&#x27;Allonnes" in text
    for hidden in ("Appel en préparation", "Appel clos", "Appel à venir"):
        assert hidden not in text
    assert "Se connecter" in text and 'id="navigation-principale"' not in text  # the header, without the menu


@pytest.mark.parametrize("name", ["open", "closed", "upcoming"])
def test_anonymous_visitors_read_a_published_call(client, calls, name):
    call = calls[name]
    response = client.get(reverse("programme:call_public", args=[call.pk]))
    assert response.status_code == 200
    assert call.title in response.text and "Pertinence au regard des objectifs" in response.text
    assert call.cite.name in response.text
    assert reverse("programme:account_request", args=[call.pk]) in response.text
    assert f"{reverse('core:login')}?next=" in response.text


def test_an_unpublished_call_has_no_public_page(client, user_in, creteil, calls):
    url = reverse("programme:call_public", args=[calls["draft"].pk])
    assert client.get(url).status_code == 404
    client.force_login(user_in(Role.COORDINATOR.value, creteil))
    assert client.get(url).status_code == 404
    assert client.get(reverse("programme:account_request", args=[calls["draft"].pk])).status_code == 404


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_signed_in_people_read_the_public_pages_too(client, user_in, creteil, calls, role):
    client.force_login(user_in(role, creteil))
    assert client.get(reverse("programme:public_calls")).status_code == 200
    assert client.get(reverse("programme:call_public", args=[calls["open"].pk])).status_code == 200


def test_a_holder_of_the_cite_gets_the_submit_button_while_the_call_is_open(client, creteil, calls):
    client.force_login(holder_of(OrganisationFactory(cites=[creteil]), creteil))
    page = client.get(reverse("programme:call_public", args=[calls["open"].pk]))
    assert reverse("programme:action_create", args=[calls["open"].pk]) in page.text
    closed = client.get(reverse("programme:call_public", args=[calls["closed"].pk]))
    assert "Déposer une action" not in closed.text and "Les dépôts sont clos" in closed.text


def test_the_public_list_paginates_and_costs_the_same_whatever_the_number_of_calls(client, creteil):
    CallFactory.create_batch(2, cite=creteil)
    url = reverse("programme:public_calls")
    small = count_queries(client, url)
    CallFactory.create_batch(25, cite=creteil)
    assert count_queries(client, url) == small
    response = client.get(url)
    assert len(response.context["page_obj"]) == 20 and response.context["page_obj"].paginator.count == 27
    assert client.get(url, {"page": 2}).context["page_obj"].number == 2
