"""Grant pages: who decides, who reads, the creation form prefilled from the funding plan, refusing, and the
funding block of an action's page."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from maillage.core.models import Event, Role, Verb
from maillage.funding.models import Grant, GrantStatus
from tests.factories import holder_of
from tests.funding.scenarios import (
    READERS,
    WHO,
    envelope_of,
    expected,
    granted,
    selected_action,
    sign_in_as,
)
from tests.queries import count_queries

pytestmark = pytest.mark.django_db
KEEPERS_OF_STATE_MONEY = {"admin", Role.GRANT_OFFICER.value}
KEEPERS_OF_CITY_FUND = {"admin", Role.CITY_FUND_MANAGER.value}


@pytest.fixture
def money(creteil):
    """A selected action asking P147 and the fonds de la cité, with both envelopes, and a P147 grant on a second
    action and a fonds de la cité grant on a third."""
    state, city_fund = envelope_of(creteil), envelope_of(creteil, "city_fund", "30000")
    action = selected_action(creteil, requests={"p147": "15000", "city_fund": "2500"})
    return {
        "action": action,
        "state": state,
        "city_fund": city_fund,
        "state_grant": granted(selected_action(creteil, call=action.call), state, "10000"),
        "city_fund_grant": granted(selected_action(creteil, call=action.call), city_fund, "3000"),
    }


@pytest.mark.parametrize("who", WHO)
def test_who_opens_the_grant_form(client, user_in, creteil, other_cite, money, who):
    sign_in_as(client, user_in, who, creteil, other_cite)
    response = client.get(reverse("funding:grant_create", args=[money["action"].pk]))
    assert response.status_code == expected(who, KEEPERS_OF_STATE_MONEY | KEEPERS_OF_CITY_FUND)
    if response.status_code == 200:
        offered = set(response.context["form"].fields["envelope"].queryset)
        keeps = {
            "admin": {money["state"], money["city_fund"]},
            Role.GRANT_OFFICER.value: {money["state"]},
            Role.CITY_FUND_MANAGER.value: {money["city_fund"]},
        }
        assert offered == keeps[who]


@pytest.mark.parametrize("who", [who for who in WHO if who not in KEEPERS_OF_STATE_MONEY])
def test_nobody_else_grants_state_money(client, user_in, creteil, other_cite, money, who):
    """A committee member scores actions but grants nothing; the collège's manager keeps only its fund."""
    sign_in_as(client, user_in, who, creteil, other_cite)
    data = {"envelope": money["state"].pk, "requested": "15000", "granted": "1000", "version": "0"}
    response = client.post(reverse("funding:grant_create", args=[money["action"].pk]), data)
    if who == Role.CITY_FUND_MANAGER.value:  # opens the form, but the P147 envelope is not among its choices
        assert response.status_code == 200 and response.context["form"].errors["envelope"]
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
    assert not Grant.objects.filter(action=money["action"]).exists()


def test_the_form_is_prefilled_from_the_funding_plan(client, signed_in, money):
    signed_in(Role.GRANT_OFFICER)
    url = reverse("funding:grant_create", args=[money["action"].pk])
    response = client.get(url, {"enveloppe": money["state"].pk})
    form = response.context["form"]
    assert form.initial["requested"] == Decimal("15000")
    assert form.initial["envelope"] == money["state"]
    assert 'value="15000,00"' in response.content.decode()


def test_the_grant_officer_grants_and_the_act_is_prepared(client, signed_in, money):
    officer = signed_in(Role.GRANT_OFFICER)
    data = {"envelope": money["state"].pk, "requested": "15 000", "granted": "12 500,50", "version": "0"}
    response = client.post(reverse("funding:grant_create", args=[money["action"].pk]), data, follow=True)
    grant = Grant.objects.get(action=money["action"])
    assert (grant.status, grant.granted, grant.decided_by) == (GrantStatus.GRANTED, Decimal("12500.50"), officer)
    assert response.redirect_chain[-1][0] == grant.get_absolute_url()
    page = response.content.decode()
    assert "12\u202f500,50\u00a0€ sont attribués" in page
    assert grant.legal_act.reference in page


def test_beyond_the_envelope_the_page_asks_for_a_reason_then_accepts_it(client, signed_in, money):
    signed_in(Role.GRANT_OFFICER)
    url = reverse("funding:grant_create", args=[money["action"].pk])
    data = {"envelope": money["state"].pk, "requested": "15000", "granted": "240001", "version": "0"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Il reste 240\u202f000,00\u00a0€" in response.content.decode()
    assert not Grant.objects.filter(action=money["action"]).exists()

    response = client.post(url, {**data, "override_reason": "Décision de la troïka du 3 avril."})
    grant = Grant.objects.get(action=money["action"])
    assert response.status_code == 302
    assert grant.override_reason == "Décision de la troïka du 3 avril."
    assert Event.objects.filter(verb=Verb.ENVELOPE_OVERRIDDEN, object_id=str(grant.pk)).exists()


def test_the_city_fund_manager_grants_from_the_fund_only(client, signed_in, money):
    signed_in(Role.CITY_FUND_MANAGER)
    url = reverse("funding:grant_create", args=[money["action"].pk])
    refused = client.post(url, {"envelope": money["state"].pk, "requested": "0", "granted": "10", "version": "0"})
    assert refused.status_code == 200 and refused.context["form"].errors["envelope"]
    response = client.post(
        url, {"envelope": money["city_fund"].pk, "requested": "2500", "granted": "2500", "version": "0"}
    )
    assert response.status_code == 302
    assert Grant.objects.get(action=money["action"]).envelope == money["city_fund"]


def test_an_action_not_selected_gets_no_form(client, signed_in, creteil):
    from maillage.programme.models import ActionStatus

    signed_in(Role.GRANT_OFFICER)
    envelope_of(creteil)
    action = selected_action(creteil, status=ActionStatus.UNDER_REVIEW)
    response = client.get(reverse("funding:grant_create", args=[action.pk]))
    assert response.status_code == 200
    assert "seule une action retenue" in response.content.decode()
    assert "Attribuer la subvention" not in response.content.decode()


GRANT_PAGES = ["grant_detail", "grant_update", "payment_create"]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", GRANT_PAGES)
@pytest.mark.parametrize("which", ["state_grant", "city_fund_grant"])
def test_who_opens_a_grant(client, user_in, creteil, other_cite, money, who, page, which):
    sign_in_as(client, user_in, who, creteil, other_cite)
    keepers = KEEPERS_OF_STATE_MONEY if which == "state_grant" else KEEPERS_OF_CITY_FUND
    allowed = READERS if page == "grant_detail" else keepers
    response = client.get(reverse(f"funding:{page}", args=[money[which].pk]))
    assert response.status_code == expected(who, allowed)
    if page == "grant_detail" and response.status_code == 200:
        assert (response.context["form"] is not None) == (who in keepers)


@pytest.mark.parametrize("who", WHO)
def test_who_refuses_a_request(client, user_in, creteil, other_cite, money, who):
    grant = Grant.objects.create(
        cite=creteil, action=money["action"], envelope=money["state"], requested=Decimal("15000")
    )
    sign_in_as(client, user_in, who, creteil, other_cite)
    data = {"reason": "Hors des objectifs de la cité.", "version": grant.version}
    response = client.post(reverse("funding:grant_refuse", args=[grant.pk]), data)
    allowed = who in KEEPERS_OF_STATE_MONEY
    assert response.status_code == (302 if allowed or who == "anonymous" else 403)
    assert Grant.objects.get(pk=grant.pk).status == (GrantStatus.REFUSED if allowed else GrantStatus.REQUESTED)


def test_refusing_without_a_reason_shows_the_error(client, signed_in, money, creteil):
    signed_in(Role.GRANT_OFFICER)
    grant = Grant.objects.create(cite=creteil, action=money["action"], envelope=money["state"])
    response = client.post(reverse("funding:grant_refuse", args=[grant.pk]), {"reason": " ", "version": grant.version})
    assert response.status_code == 200
    assert "motif du refus" in response.content.decode()
    assert Grant.objects.get(pk=grant.pk).status == GrantStatus.REQUESTED


def test_the_holder_reads_its_own_grant_only(client, creteil, money):
    holder = holder_of(money["state_grant"].action.organisation, creteil)
    client.force_login(holder)
    assert client.get(money["state_grant"].get_absolute_url()).status_code == 200
    assert client.get(money["city_fund_grant"].get_absolute_url()).status_code == 403
    assert client.get(reverse("funding:legal_act_detail", args=[money["state_grant"].legal_act_id])).status_code == 200
    assert (
        client.get(reverse("funding:legal_act_detail", args=[money["city_fund_grant"].legal_act_id])).status_code == 403
    )


def render_action_funding(user, action):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load funding_tags %}{% action_funding action %}")
    return template.render(Context({"request": request, "action": action}))


def test_the_action_block_lists_grants_and_offers_the_envelopes_one_keeps(user_in, creteil, money):
    action = money["action"]
    granted(action, money["state"], "9000")
    officer, manager = user_in(Role.GRANT_OFFICER, creteil), user_in(Role.CITY_FUND_MANAGER, creteil)
    member = user_in(Role.COMMITTEE_MEMBER, creteil)

    html = render_action_funding(officer, action)
    assert "9\u202f000,00\u00a0€" in html
    assert "Attribuer —" not in html  # its P147 grant is decided; the fund is not the officer's
    manager_html = render_action_funding(manager, action)
    assert f"?enveloppe={money['city_fund'].pk}" in manager_html
    assert "2\u202f500,00\u00a0€" in manager_html  # asked from the fund, not decided yet
    assert "Attribuer —" not in render_action_funding(member, action)


def test_the_action_block_runs_a_fixed_number_of_queries(user_in, creteil, money, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action = money["action"]
    officer = user_in(Role.GRANT_OFFICER, creteil)
    officer.perimeter  # noqa: B018 — read once per request, like the page does
    with CaptureQueriesContext(connection) as few:
        render_action_funding(officer, action)
    granted(action, money["state"], "9000")
    granted(action, money["city_fund"], "2000", override_reason="")
    with CaptureQueriesContext(connection) as more:
        render_action_funding(officer, action)
    assert len(more) == len(few)


def test_the_grant_page_runs_a_fixed_number_of_queries(client, signed_in, money):
    from maillage.funding.services.payments import record_payment
    from tests.funding.scenarios import signed

    officer = signed_in(Role.GRANT_OFFICER)
    grant = signed(money["state_grant"])
    url = grant.get_absolute_url()
    few = count_queries(client, url)
    for amount in ("1000", "2000", "3000"):
        record_payment(
            actor=officer, grant=grant, kind="instalment", amount=Decimal(amount), paid_on=grant.legal_act.signed_on
        )
    assert count_queries(client, url) == few


def test_the_administration_shows_the_money_read_only(client, signed_in, money):
    signed_in("admin")
    grant = money["state_grant"]
    for url in [
        reverse("admin:funding_envelope_changelist"),
        reverse("admin:funding_envelope_change", args=[grant.envelope_id]),
        reverse("admin:funding_grant_changelist"),
        reverse("admin:funding_grant_change", args=[grant.pk]),
        reverse("admin:funding_legalact_changelist"),
        reverse("admin:funding_legalact_change", args=[grant.legal_act_id]),
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("admin:funding_grant_change", args=[grant.pk]),
        {"requested": "1", "payments-TOTAL_FORMS": "0", "payments-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 302
    assert Grant.objects.get(pk=grant.pk).granted == Decimal("10000")


def test_the_action_page_shows_its_funding_block(client, signed_in, money):
    signed_in(Role.GRANT_OFFICER)
    response = client.get(reverse("programme:action_detail", args=[money["action"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Financements" in page
    assert reverse("funding:grant_create", args=[money["action"].pk]) + f"?enveloppe={money['state'].pk}" in page
