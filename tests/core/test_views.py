"""The account pages and the landing page, for every role."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from maillage.core.models import CITE_ROLES, Role

EVERY_ROLE = [*[role.value for role in CITE_ROLES], Role.NATIONAL.value, "admin", None]


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_account_reaches_its_own_pages(client, user_in, creteil, role):
    user = user_in(role, creteil)
    client.force_login(user)
    account = client.get(reverse("core:account"))
    assert account.status_code == 200
    assert user.email in account.text
    assert client.get(reverse("core:second_factor")).status_code == 200
    home = client.get(reverse("core:home"))
    if role in (Role.NATIONAL, "admin"):
        assert home["Location"] == reverse("territories:cite_list")
    elif role is None:
        assert home.status_code == 200
    else:
        assert home["Location"] == reverse("territories:cite_detail", args=["cite-021"])
        assert escape(Role(role).label) in account.text


def test_the_event_log_is_read_only_even_for_admins(client, user_in):
    client.force_login(user_in("admin"))
    assert client.get(reverse("admin:core_event_changelist")).status_code == 200
    assert client.get(reverse("admin:core_event_add")).status_code == 403
