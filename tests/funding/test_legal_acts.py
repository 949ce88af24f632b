"""Legal acts: the €23,000 rule on the total a holder gets from one source in a year, their references, the
signature that makes actions `agreed`."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.models import Event, Verb
from maillage.funding.models import LegalAct, LegalActKind
from maillage.funding.services.legal_acts import sign_legal_act
from maillage.programme.models import Action, ActionStatus
from tests.factories import OrganisationFactory
from tests.funding.scenarios import call_of, envelope_of, granted, officer_of, selected_action, signed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("amount", "kind"),
    [("22999.99", LegalActKind.ARRETE), ("23000.00", LegalActKind.CONVENTION), ("23000.01", LegalActKind.CONVENTION)],
)
def test_the_kind_follows_the_23_000_euro_rule(creteil, amount, kind):
    grant = granted(selected_action(creteil), envelope_of(creteil), amount)
    assert grant.legal_act.kind == kind
    assert LegalAct.objects.get().kind == kind


def test_two_grants_of_12_000_to_one_holder_make_one_convention(creteil):
    call, holder, envelope = call_of(creteil), OrganisationFactory(cites=[creteil]), envelope_of(creteil)
    first = granted(selected_action(creteil, call=call, organisation=holder), envelope, "12000")
    assert LegalAct.objects.get().kind == LegalActKind.ARRETE

    second = granted(selected_action(creteil, call=call, organisation=holder), envelope, "12000")

    act = LegalAct.objects.get()
    assert act.kind == LegalActKind.CONVENTION
    assert first.legal_act_id == second.legal_act_id == act.pk
    assert set(act.grants.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert Event.objects.filter(verb=Verb.UPDATED, object_id=str(act.pk)).exists()


def test_lowering_a_grant_turns_the_convention_back_into_an_arrete(creteil):
    grant = granted(selected_action(creteil), envelope_of(creteil), "30000")
    assert grant.legal_act.kind == LegalActKind.CONVENTION
    granted(grant.action, grant.envelope, "20000", version=grant.version)
    assert LegalAct.objects.get().kind == LegalActKind.ARRETE


def test_the_total_counts_every_cite_of_the_platform(creteil, other_cite):
    holder = OrganisationFactory(cites=[creteil, other_cite])
    granted(selected_action(creteil, organisation=holder), envelope_of(creteil), "12000")
    granted(selected_action(other_cite, organisation=holder), envelope_of(other_cite), "12000")
    assert set(LegalAct.objects.values_list("kind", flat=True)) == {LegalActKind.CONVENTION}
    assert LegalAct.objects.count() == 2


def test_other_sources_and_years_are_counted_apart(creteil):
    holder = OrganisationFactory(cites=[creteil])
    call = call_of(creteil)
    granted(selected_action(creteil, call=call, organisation=holder), envelope_of(creteil), "12000")
    granted(selected_action(creteil, call=call, organisation=holder), envelope_of(creteil, "commune"), "12000")
    granted(
        selected_action(creteil, call=call_of(creteil, 2023), organisation=holder),
        envelope_of(creteil, year=2023),
        "12000",
    )
    assert set(LegalAct.objects.values_list("kind", flat=True)) == {LegalActKind.ARRETE}
    assert LegalAct.objects.count() == 3


def test_references_are_numbered_per_cite_and_year(creteil):
    call = call_of(creteil)
    first = granted(selected_action(creteil, call=call), envelope_of(creteil), "1000")
    second = granted(selected_action(creteil, call=call), envelope_of(creteil, "city_fund", "30000"), "1000")
    third = granted(selected_action(creteil, call=call_of(creteil, 2023)), envelope_of(creteil, year=2023), "1000")
    assert first.legal_act.reference == "CITE-021-2024-P147-001"
    assert second.legal_act.reference == "CITE-021-2024-CITY-FUND-002"
    assert third.legal_act.reference == "CITE-021-2023-P147-001"


def test_signing_makes_the_selected_actions_agreed(creteil, mailoutbox):
    call, holder, envelope = call_of(creteil), OrganisationFactory(cites=[creteil]), envelope_of(creteil)
    first = granted(selected_action(creteil, call=call, organisation=holder), envelope, "5000")
    second = granted(selected_action(creteil, call=call, organisation=holder), envelope, "5000")
    officer = officer_of(creteil)

    act = sign_legal_act(actor=officer, act=first.legal_act, signed_on=date(2024, 3, 1))

    assert (act.signed_on, act.signed_by) == (date(2024, 3, 1), officer)
    statuses = Action.objects.filter(pk__in=[first.action_id, second.action_id]).values_list("status", flat=True)
    assert set(statuses) == {ActionStatus.AGREED}
    assert Event.objects.filter(verb=Verb.LEGAL_ACT_SIGNED, object_id=str(act.pk)).count() == 1
    assert Event.objects.filter(verb=Verb.ACTION_STATUS_CHANGED).count() == 2


def test_an_action_already_running_stays_running(creteil):
    grant = granted(selected_action(creteil, status=ActionStatus.RUNNING), envelope_of(creteil), "5000")
    signed(grant)
    assert Action.objects.get(pk=grant.action_id).status == ActionStatus.RUNNING


def test_a_signature_date_in_the_future_or_twice_is_refused(creteil):
    grant = granted(selected_action(creteil), envelope_of(creteil), "5000")
    officer = officer_of(creteil)
    with pytest.raises(ValidationError) as error:
        sign_legal_act(actor=officer, act=grant.legal_act, signed_on=timezone.localdate() + timedelta(days=1))
    assert "signed_on" in error.value.message_dict
    assert not LegalAct.objects.get().is_signed

    sign_legal_act(actor=officer, act=grant.legal_act, signed_on=timezone.localdate())
    with pytest.raises(ValidationError, match="déjà signé"):
        sign_legal_act(actor=officer, act=grant.legal_act, signed_on=timezone.localdate())
    assert Event.objects.filter(verb=Verb.LEGAL_ACT_SIGNED).count() == 1
