"""Two officers editing one grant at once: the second is told, the first one's change is kept, and the
second one's input is shown again with the current values, ready to be confirmed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.core.models import Role
from maillage.funding.models import Grant
from tests.funding.scenarios import envelope_of, granted, officer_of, selected_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(creteil):
    return granted(selected_action(creteil, requests={"p147": "15000"}), envelope_of(creteil), "10000")


def test_the_second_officer_is_told_and_nothing_is_lost(client, signed_in, creteil, grant):
    second = signed_in(Role.GRANT_OFFICER)
    # The second officer opens the form…
    form = client.get(grant.get_absolute_url()).context["form"]
    loaded_version = form.initial["version"]
    # …meanwhile the first officer changes the grant.
    first = officer_of(creteil)
    granted(grant.action, grant.envelope, "11000", actor=first, version=loaded_version)

    data = {"requested": "15000", "granted": "12345,67", "override_reason": "", "version": loaded_version}
    response = client.post(reverse("funding:grant_update", args=[grant.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Un autre gestionnaire" in page and str(first) in page
    assert "11\u202f000,00\u00a0€" in page  # the current value is shown
    assert 'value="12345,67"' in page  # the second officer's input is kept
    current = Grant.objects.get(pk=grant.pk)
    assert current.granted == Decimal("11000")  # the first officer's change is kept
    assert response.context["conflict"].granted == Decimal("11000")
    form = response.context["form"]
    assert form["version"].value() == str(current.version)

    # Posting again confirms the second officer's amount on the current version.
    confirmed = client.post(reverse("funding:grant_update", args=[grant.pk]), {**data, "version": current.version})
    assert confirmed.status_code == 302
    grant = Grant.objects.get(pk=grant.pk)
    assert (grant.granted, grant.decided_by, grant.version) == (Decimal("12345.67"), second, current.version + 1)


def test_a_form_posted_twice_is_refused_the_second_time(client, signed_in, grant):
    signed_in(Role.GRANT_OFFICER)
    url = reverse("funding:grant_update", args=[grant.pk])
    data = {"requested": "15000", "granted": "9000", "version": grant.version}
    assert client.post(url, data).status_code == 302
    again = client.post(url, {**data, "granted": "8000"})
    assert again.status_code == 200 and again.context["conflict"] is not None
    assert Grant.objects.get(pk=grant.pk).granted == Decimal("9000")


def test_a_creation_form_posted_after_another_officer_granted_is_refused(client, signed_in, creteil):
    signed_in(Role.GRANT_OFFICER)
    envelope = envelope_of(creteil)
    action = selected_action(creteil)
    url = reverse("funding:grant_create", args=[action.pk])
    client.get(url)
    granted(action, envelope, "5000")
    response = client.post(url, {"envelope": envelope.pk, "requested": "0", "granted": "7000", "version": "0"})
    assert response.status_code == 200
    assert "Un autre gestionnaire" in response.content.decode()
    assert Grant.objects.get(action=action).granted == Decimal("5000")
