"""The ranking of a call: weighted mean scores out of 100, ties by title, the running total of State requests
against the envelope, ineligible actions apart; the page costs a fixed number of queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from maillage.core.models import Role
from maillage.programme.models import ActionStatus, Criterion
from maillage.programme.ranking import grid_maximum, ineligible_actions, ranking
from tests.factories import ActionFactory, CallFactory, UserFactory
from tests.programme.selection_scenarios import ask, call_of, give_scores, under_review
from tests.queries import count_queries


@pytest.fixture
def call(creteil):
    return call_of(creteil)


@pytest.fixture
def scorers(user_in, creteil):
    return [user_in(Role.COMMITTEE_MEMBER.value, creteil) for _ in range(2)]


def by_title(rows):
    return {row.action.title: row for row in rows}


def test_the_score_is_the_mean_of_each_scorers_weighted_share(call, scorers):
    # Grid: relevance (weight 2) and partnership (weight 1), each out of 5: the weighted maximum is 15.
    assert grid_maximum(call) == 15
    action = under_review(call, title="Café des parents")
    give_scores(action, scorers[0], 4, 3)  # (4*2 + 3*1) / 15 = 73.33
    give_scores(action, scorers[1], 5, 5)  # 15 / 15 = 100
    lone = under_review(call, title="Atelier échecs")
    give_scores(lone, scorers[0], 2, 1)  # 5 / 15 = 33.33
    under_review(call, title="Tablettes prêtées")  # nobody scored it

    rows = ranking(call)
    assert [row.action.title for row in rows] == ["Café des parents", "Atelier échecs", "Tablettes prêtées"]
    assert [row.rank for row in rows] == [1, 2, 3]
    first, second, third = rows
    assert first.action.score == pytest.approx((73.3333 + 100) / 2, abs=1e-3)
    assert (first.action.scorers, second.action.scorers, third.action.scorers) == (2, 1, 0)
    assert second.action.score == pytest.approx(33.333, abs=1e-3)
    assert third.action.score is None


def test_an_extra_weight_changes_the_order(creteil, scorers):
    call = CallFactory(cite=creteil, criteria=[])
    Criterion.objects.create(call=call, label="Impact", weight=3, max_score=4)
    Criterion.objects.create(call=call, label="Coût", weight=1, max_score=10)
    impact = under_review(call, title="Fort impact")
    cheap = under_review(call, title="Peu coûteuse")
    give_scores(impact, scorers[0], 4, 0)  # 12 / 22 = 54.5
    give_scores(cheap, scorers[0], 1, 10)  # 13 / 22 = 59.1
    give_scores(impact, scorers[1], 4, 2)  # 14 / 22 = 63.6 → mean 59.1
    give_scores(cheap, scorers[1], 0, 10)  # 10 / 22 = 45.5 → mean 52.3
    rows = ranking(call)
    assert [row.action.title for row in rows] == ["Fort impact", "Peu coûteuse"]
    assert rows[0].action.score == pytest.approx(26 * 100 / 44)
    assert rows[1].action.score == pytest.approx(23 * 100 / 44)


def test_ties_are_broken_by_title(call, scorers):
    for title in ("Zumba au city-stade", "Atelier théâtre", "Médiathèque hors les murs"):
        give_scores(under_review(call, title=title), scorers[0], 3, 3)
    assert [row.action.title for row in ranking(call)] == [
        "Atelier théâtre",
        "Médiathèque hors les murs",
        "Zumba au city-stade",
    ]


def test_the_running_total_of_state_requests_against_the_envelope(call, scorers):
    assert call.envelope == Decimal("50000")
    best = under_review(call, title="Meilleure", p147="30000", commune="5000")
    second = under_review(call, title="Deuxième", p147="15000", p230="5000")
    third = under_review(call, title="Troisième", p147="1000")
    refused = ActionFactory(call=call, status=ActionStatus.REJECTED, is_eligible=True, title="Déjà refusée")
    ask(refused, p147="40000")
    co_funded = under_review(call, title="Sans l'État", commune="2000")
    for action, values in ((best, (5, 5)), (refused, (5, 4)), (second, (4, 4)), (third, (3, 3)), (co_funded, (1, 1))):
        give_scores(action, scorers[0], *values)

    rows = by_title(ranking(call))
    assert [row.action.title for row in ranking(call)] == [
        "Meilleure",
        "Déjà refusée",
        "Deuxième",
        "Troisième",
        "Sans l'État",
    ]
    assert rows["Meilleure"].action.state_requested == Decimal("30000")
    assert rows["Meilleure"].action.total_requested == Decimal("35000")
    expected = {  # title: (running total, remaining, beyond the envelope)
        "Meilleure": (Decimal("30000"), Decimal("20000"), False),
        "Déjà refusée": (Decimal("30000"), Decimal("20000"), False),  # rejected: not counted
        "Deuxième": (Decimal("50000"), Decimal("0"), False),
        "Troisième": (Decimal("51000"), Decimal("-1000"), True),
        "Sans l'État": (Decimal("51000"), Decimal("-1000"), False),  # asks nothing from the State
    }
    actual = {title: (row.action.running_total, row.remaining, row.beyond_envelope) for title, row in rows.items()}
    assert actual == expected
    assert not rows["Déjà refusée"].counts_against_envelope


def test_ineligible_actions_are_listed_apart(call):
    eligible = under_review(call, title="Éligible")
    ineligible = under_review(call, eligible=False, title="Hors cadre", note="Action hors temps scolaire.")
    ActionFactory(call=call, title="Pas encore instruite")
    assert [row.action for row in ranking(call)] == [eligible]
    assert list(ineligible_actions(call)) == [ineligible]
    assert ineligible_actions(call)[0].eligibility_note == "Action hors temps scolaire."


# The page


def add_ranking_data(call, size: int) -> None:
    """`size` eligible actions (scored by two members, asking two sources), `size` ineligible, one rejected."""
    scorers = UserFactory.create_batch(2)
    for number in range(size):
        action = under_review(call, title=f"Action {size}-{number}", p147="4000", commune="1000")
        for scorer in scorers:
            give_scores(action, scorer, number % 6, 3)
        under_review(call, eligible=False, title=f"Inéligible {size}-{number}")
    ActionFactory(call=call, status=ActionStatus.REJECTED, is_eligible=True)
    ActionFactory(call=call)


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.COORDINATOR])
def test_the_ranking_page_runs_a_fixed_number_of_queries(client, signed_in, creteil, role):
    signed_in(role.value)
    counts = []
    for size in (2, 12):
        call = CallFactory(cite=creteil)
        add_ranking_data(call, size)
        url = reverse("programme:call_ranking", args=[call.pk])
        counts.append(count_queries(client, url))
        page = client.get(url)
        assert len(page.context["rows"]) == size + 1
        assert page.text.count("Inéligible") == size
    assert counts[0] == counts[1], counts
    assert counts[0] <= 10, counts
