"""Scoring: a committee member scores every criterion of the grid with a whole number in range, changes their
scores until the selection is proposed, and nothing is written on bad input."""

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import Event, Role, Verb
from maillage.programme.models import ActionStatus, Outcome, Score
from maillage.programme.services.scoring import score_action
from maillage.programme.services.selection import propose_selection
from tests.factories import ActionFactory, MeetingFactory
from tests.programme.selection_scenarios import call_of, under_review


@pytest.fixture
def call(creteil):
    return call_of(creteil)


@pytest.fixture
def member(user_in, creteil):
    return user_in(Role.COMMITTEE_MEMBER.value, creteil)


@pytest.fixture
def action(call):
    return under_review(call, p147="10000")


def grid(action):
    """The two criteria of the factory's grid: relevance (weight 2) and partnership (weight 1), out of 5."""
    return list(action.call.criteria.all())


def scores_of(action, member) -> dict[str, tuple[int, str]]:
    return {
        score.criterion.label: (score.value, score.comment)
        for score in Score.objects.filter(action=action, scorer=member).select_related("criterion")
    }


def test_a_member_scores_every_criterion_then_changes_their_mind(action, member):
    relevance, partnership = grid(action)
    score_action(
        actor=member,
        action=action,
        values={relevance.pk: 4, partnership.pk: "3"},
        comments={relevance.pk: "  Bien ciblée. "},
    )
    assert scores_of(action, member) == {
        "Pertinence au regard des objectifs": (4, "Bien ciblée."),
        "Partenariat et ancrage local": (3, ""),
    }
    score_action(actor=member, action=action, values={relevance.pk: 5, partnership.pk: 0})
    assert scores_of(action, member) == {
        "Pertinence au regard des objectifs": (5, ""),
        "Partenariat et ancrage local": (0, ""),
    }
    assert Score.objects.count() == 2
    summaries = list(
        Event.objects.for_object(action).filter(verb=Verb.ACTION_SCORED).order_by("pk").values_list("summary", "actor")
    )
    assert summaries == [
        ("Notation enregistrée (2 critères)", member.pk),
        ("Notation modifiée (2 critères)", member.pk),
    ]


@pytest.mark.parametrize("bad", [6, -1, "2.5", "deux", "", None, True, 2.0, "²"])
def test_out_of_range_or_non_numeric_scores_are_refused(action, member, bad):
    relevance, partnership = grid(action)
    with pytest.raises(ValidationError) as error:
        score_action(actor=member, action=action, values={relevance.pk: 3, partnership.pk: bad})
    assert error.value.message_dict == {
        f"value_{partnership.pk}": ["Donnez une note entière de 0 à 5 pour « Partenariat et ancrage local »."]
    }
    assert not Score.objects.exists() and not Event.objects.filter(verb=Verb.ACTION_SCORED).exists()


def test_a_missing_criterion_or_one_from_another_grid_is_refused(action, member):
    relevance, partnership = grid(action)
    with pytest.raises(ValidationError) as error:
        score_action(actor=member, action=action, values={relevance.pk: 3})
    assert list(error.value.message_dict) == [f"value_{partnership.pk}"]
    foreign = grid(ActionFactory())[0]
    with pytest.raises(ValidationError, match="pas dans la grille"):
        score_action(actor=member, action=action, values={relevance.pk: 3, partnership.pk: 3, foreign.pk: 1})
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    ("status", "eligible", "message"),
    [
        (ActionStatus.SUBMITTED, None, "seules les actions en instruction"),
        (ActionStatus.SELECTED, True, "seules les actions en instruction"),
        (ActionStatus.UNDER_REVIEW, False, "n'est pas éligible"),
    ],
)
def test_only_eligible_actions_under_review_are_scored(call, member, status, eligible, message):
    action = ActionFactory(call=call, status=status, is_eligible=eligible)
    relevance, partnership = grid(action)
    with pytest.raises(ValidationError, match=message):
        score_action(actor=member, action=action, values={relevance.pk: 3, partnership.pk: 3})
    assert not Score.objects.exists()


def test_scores_are_frozen_once_the_selection_is_proposed(action, member, user_in, creteil):
    relevance, partnership = grid(action)
    score_action(actor=member, action=action, values={relevance.pk: 3, partnership.pk: 3})
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    meeting = MeetingFactory(body__cite=creteil)
    propose_selection(actor=coordinator, call=action.call, meeting=meeting, outcomes={action.pk: Outcome.SELECTED})
    with pytest.raises(ValidationError, match="ne peuvent plus changer"):
        score_action(actor=member, action=action, values={relevance.pk: 5, partnership.pk: 5})
    assert set(Score.objects.values_list("value", flat=True)) == {3}


@pytest.mark.parametrize("role", [Role.GRANT_OFFICER, Role.COORDINATOR, Role.TROIKA_STATE, "admin"])
def test_only_committee_members_of_the_cite_score(action, user_in, creteil, other_cite, role):
    relevance, partnership = grid(action)
    values = {relevance.pk: 3, partnership.pk: 3}
    with pytest.raises(ValidationError, match="comité de sélection"):
        score_action(actor=user_in(getattr(role, "value", role), creteil), action=action, values=values)
    with pytest.raises(ValidationError, match="comité de sélection"):
        score_action(actor=user_in(Role.COMMITTEE_MEMBER.value, other_cite), action=action, values=values)
    assert not Score.objects.exists()
