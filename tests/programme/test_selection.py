"""Instruction and selection services: the grant officer's eligibility opinion, the committee's choice recorded
as a decision, and the actions following the troïka's answer (selected / rejected, or back to proposable)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from maillage.core.models import Event, Role, Verb
from maillage.governance.models import Decision, DecisionStatus, MeetingStatus, Pillar, Verdict
from maillage.governance.services.decisions import answer_decision, propose_decision
from maillage.programme.models import Action, ActionStatus, Outcome
from maillage.programme.services.selection import instruct_action, propose_selection
from tests.factories import ActionFactory, CallFactory, MeetingFactory, holder_of
from tests.programme.selection_scenarios import (
    call_of,
    committee_meeting_of,
    member_of,
    reloaded,
    troika_members,
    under_review,
)


@pytest.fixture
def call(creteil):
    return call_of(creteil)


@pytest.fixture
def grant_officer(creteil):
    return member_of(creteil, Role.GRANT_OFFICER)


@pytest.fixture
def coordinator(creteil):
    return member_of(creteil, Role.COORDINATOR)


@pytest.fixture
def committee_meeting(creteil):
    return committee_meeting_of(creteil)


@pytest.fixture
def troika(creteil):
    return troika_members(creteil)


# Instruction


def test_an_eligible_action_goes_under_review_and_the_holder_is_told(
    call, grant_officer, django_capture_on_commit_callbacks
):
    action = ActionFactory(call=call)
    holder = holder_of(action.organisation, call.cite, email="porteuse@asso.exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        instruct_action(actor=grant_officer, action=action, is_eligible=True, note="")
    action = reloaded(action)
    assert (action.status, action.is_eligible, action.eligibility_note) == (ActionStatus.UNDER_REVIEW, True, "")
    event = Event.objects.for_object(action).get(verb=Verb.ACTION_STATUS_CHANGED)
    assert event.actor == grant_officer and "action éligible" in event.summary
    assert [message.to for message in mail.outbox] == [[holder.email]]
    assert "en instruction" in mail.outbox[0].subject


def test_an_ineligible_action_needs_a_note(call, grant_officer):
    action = ActionFactory(call=call)
    for note in ("", "   "):
        with pytest.raises(ValidationError) as error:
            instruct_action(actor=grant_officer, action=action, is_eligible=False, note=note)
        assert "note" in error.value.message_dict
    assert reloaded(action).status == ActionStatus.SUBMITTED and reloaded(action).is_eligible is None
    assert not Event.objects.for_object(action).exists()

    instruct_action(actor=grant_officer, action=action, is_eligible=False, note=" Public hors cité. ")
    action = reloaded(action)
    assert (action.status, action.is_eligible, action.eligibility_note) == (
        ActionStatus.UNDER_REVIEW,
        False,
        "Public hors cité.",
    )


def test_the_opinion_can_be_corrected_until_the_selection_is_proposed(
    call, grant_officer, coordinator, committee_meeting
):
    action = under_review(call, eligible=False)
    instruct_action(actor=grant_officer, action=action, is_eligible=True, note="Erreur corrigée")
    assert reloaded(action).is_eligible is True
    event = Event.objects.for_object(action).get(verb=Verb.UPDATED)
    assert event.before == {"éligibilité": "non éligible"} and event.after["éligibilité"] == "éligible"

    propose_selection(actor=coordinator, call=call, meeting=committee_meeting, outcomes={action.pk: Outcome.SELECTED})
    with pytest.raises(ValidationError, match="ne peut plus changer"):
        instruct_action(actor=grant_officer, action=reloaded(action), is_eligible=False, note="Finalement non")
    assert reloaded(action).is_eligible is True


@pytest.mark.parametrize("status", [ActionStatus.DRAFT, ActionStatus.SELECTED, ActionStatus.REJECTED])
def test_only_submitted_or_under_review_actions_are_instructed(call, grant_officer, status):
    action = ActionFactory(call=call, status=status)
    with pytest.raises(ValidationError, match="ne s'instruit pas"):
        instruct_action(actor=grant_officer, action=action, is_eligible=True)
    assert reloaded(action).status == status and reloaded(action).is_eligible is None


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.COORDINATOR, Role.TROIKA_STATE])
def test_only_the_grant_officer_instructs(call, user_in, creteil, role):
    action = ActionFactory(call=call)
    with pytest.raises(ValidationError, match="gestionnaire des subventions"):
        instruct_action(actor=user_in(role.value, creteil), action=action, is_eligible=True)
    assert reloaded(action).status == ActionStatus.SUBMITTED


def test_a_grant_officer_of_another_cite_cannot_instruct(call, user_in, other_cite):
    action = ActionFactory(call=call)
    with pytest.raises(ValidationError):
        instruct_action(actor=user_in(Role.GRANT_OFFICER.value, other_cite), action=action, is_eligible=True)
    assert reloaded(action).status == ActionStatus.SUBMITTED


# Proposing the selection


def test_propose_selection_records_a_pending_decision(call, coordinator, committee_meeting):
    kept = under_review(call, title="Café des parents", p147="12000", commune="3000")
    left = under_review(call, title="Atelier échecs", p147="8000")
    ineligible = under_review(call, eligible=False, title="Séjour au ski", p147="20000")
    elsewhere = under_review(CallFactory(cite=call.cite), title="Autre appel")
    outcomes = {kept.pk: Outcome.SELECTED, left.pk: Outcome.REJECTED, ineligible.pk: Outcome.REJECTED}

    decision = propose_selection(actor=coordinator, call=call, meeting=committee_meeting, outcomes=outcomes)

    assert (decision.title, decision.status, decision.meeting, decision.proposed_by) == (
        "Sélection des actions — Appel à projets 2025",
        DecisionStatus.PENDING,
        committee_meeting,
        coordinator,
    )
    retained_part, others_part = decision.text.split("Actions non retenues")
    assert "Café des parents" in retained_part and kept.organisation.name in retained_part
    assert "15\u202f000,00\u00a0€ demandés, dont 12\u202f000,00\u00a0€ à l'État" in retained_part
    assert "Atelier échecs" in others_part and "Séjour au ski" in others_part
    assert "enveloppe de l'appel : 50\u202f000,00\u00a0€" in decision.text
    rows = dict(Action.objects.filter(selection_decision=decision).values_list("pk", "proposed_outcome"))
    assert rows == outcomes
    assert all(reloaded(action).status == ActionStatus.UNDER_REVIEW for action in (kept, left, ineligible))
    assert reloaded(elsewhere).selection_decision is None
    proposed = Event.objects.filter(verb=Verb.SELECTION_PROPOSED)
    assert proposed.count() == 4  # one per action, one on the call
    assert proposed.get(object_id=str(call.pk), object_type__model="callforprojects").summary.endswith(
        "1 action retenue sur 3"
    )


def test_every_action_needs_an_outcome_and_nothing_is_written(call, coordinator, committee_meeting):
    first, second = under_review(call), under_review(call)
    with pytest.raises(ValidationError) as error:
        propose_selection(actor=coordinator, call=call, meeting=committee_meeting, outcomes={first.pk: "selected"})
    assert list(error.value.message_dict) == [f"outcome_{second.pk}"]
    assert "est retenue ou non" in error.value.message_dict[f"outcome_{second.pk}"][0]
    with pytest.raises(ValidationError) as error:
        propose_selection(
            actor=coordinator, call=call, meeting=committee_meeting, outcomes={first.pk: "maybe", second.pk: "rejected"}
        )
    assert list(error.value.message_dict) == [f"outcome_{first.pk}"]
    assert not Decision.objects.exists()
    assert not Action.objects.filter(selection_decision__isnull=False).exists()
    assert not Event.objects.filter(verb=Verb.SELECTION_PROPOSED).exists()


def test_an_ineligible_action_cannot_be_retained(call, coordinator, committee_meeting):
    ineligible = under_review(call, eligible=False)
    with pytest.raises(ValidationError) as error:
        propose_selection(
            actor=coordinator, call=call, meeting=committee_meeting, outcomes={ineligible.pk: Outcome.SELECTED}
        )
    assert "n'est pas éligible" in error.value.message_dict[f"outcome_{ineligible.pk}"][0]
    assert not Decision.objects.exists()


def test_the_meeting_must_be_a_live_meeting_of_the_cite(call, coordinator, other_cite, creteil):
    action = under_review(call)
    outcomes = {action.pk: Outcome.SELECTED}
    cancelled = MeetingFactory(body__cite=creteil, status=MeetingStatus.CANCELLED)
    elsewhere = MeetingFactory(body__cite=other_cite)
    for meeting in (cancelled, elsewhere, None):
        with pytest.raises(ValidationError) as error:
            propose_selection(actor=coordinator, call=call, meeting=meeting, outcomes=outcomes)
        assert "meeting" in error.value.message_dict
    assert not Decision.objects.exists()
    # Any planned meeting of the cité will do, not only a selection committee's.
    copil = MeetingFactory(body__cite=creteil)
    assert propose_selection(actor=coordinator, call=call, meeting=copil, outcomes=outcomes).meeting == copil


def test_unknown_actions_or_nothing_to_propose_are_refused(call, coordinator, committee_meeting):
    with pytest.raises(ValidationError, match="Aucune action en instruction"):
        propose_selection(actor=coordinator, call=call, meeting=committee_meeting, outcomes={})
    action = under_review(call)
    submitted = ActionFactory(call=call)
    with pytest.raises(ValidationError, match="ne font pas partie"):
        propose_selection(
            actor=coordinator,
            call=call,
            meeting=committee_meeting,
            outcomes={action.pk: Outcome.SELECTED, submitted.pk: Outcome.SELECTED},
        )
    propose_selection(actor=coordinator, call=call, meeting=committee_meeting, outcomes={action.pk: Outcome.SELECTED})
    with pytest.raises(ValidationError, match="Aucune action en instruction"):  # already in a pending selection
        propose_selection(
            actor=coordinator, call=call, meeting=committee_meeting, outcomes={action.pk: Outcome.REJECTED}
        )
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("role", [Role.GRANT_OFFICER, Role.COMMITTEE_MEMBER, Role.TROIKA_CITY])
def test_only_the_coordination_proposes_a_selection(call, user_in, creteil, committee_meeting, role):
    action = under_review(call)
    with pytest.raises(ValidationError, match="Seule la coordination"):
        propose_selection(
            actor=user_in(role.value, creteil),
            call=call,
            meeting=committee_meeting,
            outcomes={action.pk: Outcome.SELECTED},
        )
    assert not Decision.objects.exists()


# The troïka's answer


def approve_by_the_three_pillars(troika, decision):
    for pillar, member in troika.items():
        answer_decision(actor=member, decision=decision, pillar=pillar, verdict=Verdict.APPROVED)


def test_the_validated_selection_moves_the_actions_and_emails_the_holders(
    call, coordinator, committee_meeting, troika, django_capture_on_commit_callbacks
):
    kept, left = under_review(call, title="Café des parents"), under_review(call, title="Atelier échecs")
    holders = {action.pk: holder_of(action.organisation, call.cite) for action in (kept, left)}
    decision = propose_selection(
        actor=coordinator,
        call=call,
        meeting=committee_meeting,
        outcomes={kept.pk: Outcome.SELECTED, left.pk: Outcome.REJECTED},
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer_decision(actor=troika[Pillar.STATE], decision=decision, pillar=Pillar.STATE, verdict=Verdict.APPROVED)
        answer_decision(
            actor=troika[Pillar.EDUCATION], decision=decision, pillar=Pillar.EDUCATION, verdict=Verdict.APPROVED
        )
    assert reloaded(kept).status == reloaded(left).status == ActionStatus.UNDER_REVIEW  # two pillars only
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        answer_decision(actor=troika[Pillar.CITY], decision=decision, pillar=Pillar.CITY, verdict=Verdict.APPROVED)

    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.VALIDATED
    assert reloaded(kept).status == ActionStatus.SELECTED
    assert reloaded(left).status == ActionStatus.REJECTED
    assert reloaded(kept).selection_decision == decision  # the decision that selected it stays recorded
    by_recipient = {tuple(message.to): message.subject for message in mail.outbox}
    assert by_recipient == {
        (holders[kept.pk].email,): "Votre action « Café des parents » est retenue",
        (holders[left.pk].email,): "Votre action « Atelier échecs » est non retenue",
    }
    moved = Event.objects.for_object(kept).get(verb=Verb.ACTION_STATUS_CHANGED)
    assert moved.actor == troika[Pillar.CITY] and f"décision n° {decision.number}" in moved.summary


def test_a_rejected_selection_sends_the_actions_back_to_proposable(
    call, coordinator, committee_meeting, troika, django_capture_on_commit_callbacks
):
    first, second = under_review(call), under_review(call)
    outcomes = {first.pk: Outcome.SELECTED, second.pk: Outcome.REJECTED}
    decision = propose_selection(actor=coordinator, call=call, meeting=committee_meeting, outcomes=outcomes)
    with django_capture_on_commit_callbacks(execute=True):
        answer_decision(
            actor=troika[Pillar.EDUCATION],
            decision=decision,
            pillar=Pillar.EDUCATION,
            verdict=Verdict.REJECTED,
            reason="Le budget du P230 n'est pas encore notifié.",
        )
    for action in (first, second):
        action = reloaded(action)
        assert (action.status, action.selection_decision, action.proposed_outcome) == (
            ActionStatus.UNDER_REVIEW,
            None,
            "",
        )
        event = Event.objects.for_object(action).get(verb=Verb.UPDATED)
        assert "rejeté la décision" in event.summary and "P230" in event.summary
    assert not mail.outbox

    again = propose_selection(actor=coordinator, call=call, meeting=committee_meeting, outcomes=outcomes)
    approve_by_the_three_pillars(troika, again)
    assert (reloaded(first).status, reloaded(second).status) == (ActionStatus.SELECTED, ActionStatus.REJECTED)


def test_other_decisions_do_not_touch_actions(call, troika, committee_meeting, coordinator):
    action = under_review(call)
    unrelated = propose_decision(actor=coordinator, meeting=committee_meeting, title="Autre sujet", text="Texte.")
    approve_by_the_three_pillars(troika, unrelated)
    assert reloaded(action).status == ActionStatus.UNDER_REVIEW
