"""Instruction and selection pages: who may open and post each one (every role, an administrator, an anonymous
visitor, the coordinator of another cité), French errors that write nothing, and the whole path through the
pages up to the troïka's validation."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from maillage.core.models import Role
from maillage.governance.models import BodyKind, Decision, DecisionStatus, MeetingStatus
from maillage.programme.models import Action, ActionStatus, Outcome, Score
from tests.factories import ActionFactory, BodyFactory, MeetingFactory, holder_of
from tests.programme.selection_scenarios import (
    TROIKA,
    ask,
    call_of,
    committee_meeting_of,
    give_scores,
    troika_members,
    under_review,
)

EVERY_ROLE = [role.value for role in Role] + ["admin"]
INSTRUCTORS = {Role.GRANT_OFFICER.value, "admin"}
SCORERS = {Role.COMMITTEE_MEMBER.value}
RANKING_READERS = {
    Role.COORDINATOR.value,
    Role.GRANT_OFFICER.value,
    Role.COMMITTEE_MEMBER.value,
    *(role.value for role in TROIKA.values()),
    "admin",
}
SELECTORS = {Role.COORDINATOR.value, "admin"}


def status_of(action) -> str:
    return Action.objects.values_list("status", flat=True).get(pk=action.pk)


def score_data(action, *values) -> dict[str, object]:
    return {f"value_{criterion.pk}": value for criterion, value in zip(action.call.criteria.all(), values, strict=True)}


@pytest.fixture
def call(creteil):
    return call_of(creteil)


@pytest.fixture
def committee_meeting(creteil):
    return committee_meeting_of(creteil)


@pytest.fixture
def troika(creteil):
    return troika_members(creteil)


@pytest.fixture
def submitted(call):
    return ActionFactory(call=call, title="Café des parents au collège Laplace")


@pytest.fixture
def reviewed(call):
    return under_review(call, title="Échecs à l'école Savignat", p147="9000")


# Who may do what


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_instructs(client, signed_in, submitted, role):
    signed_in(role)
    url = reverse("programme:action_instruct", args=[submitted.pk])
    allowed = role in INSTRUCTORS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"is_eligible": "yes"})
    assert response.status_code == (302 if allowed else 403)
    assert status_of(submitted) == (ActionStatus.UNDER_REVIEW if allowed else ActionStatus.SUBMITTED)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_scores(client, signed_in, reviewed, role):
    signed_in(role)
    url = reverse("programme:action_score", args=[reviewed.pk])
    allowed = role in SCORERS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, score_data(reviewed, 4, 3))
    assert response.status_code == (302 if allowed else 403)
    assert Score.objects.filter(action=reviewed).count() == (2 if allowed else 0)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_reads_the_ranking(client, signed_in, call, reviewed, role):
    signed_in(role)
    response = client.get(reverse("programme:call_ranking", args=[call.pk]))
    assert response.status_code == (200 if role in RANKING_READERS else 403)
    if response.status_code == 200:
        assert escape(reviewed.title) in response.text


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_records_the_selection(client, signed_in, call, reviewed, committee_meeting, role):
    signed_in(role)
    url = reverse("programme:call_selection", args=[call.pk])
    allowed = role in SELECTORS
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"meeting": committee_meeting.pk, f"outcome_{reviewed.pk}": Outcome.SELECTED})
    assert response.status_code == (302 if allowed else 403)
    assert Decision.objects.exists() == allowed


def test_anonymous_visitors_are_sent_to_the_login_page(client, call, submitted, reviewed):
    urls = [
        reverse("programme:action_instruct", args=[submitted.pk]),
        reverse("programme:action_score", args=[reviewed.pk]),
        reverse("programme:call_ranking", args=[call.pk]),
        reverse("programme:call_selection", args=[call.pk]),
    ]
    for url in urls:
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))
    assert status_of(submitted) == ActionStatus.SUBMITTED and not Decision.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR.value, Role.GRANT_OFFICER.value, Role.COMMITTEE_MEMBER.value, Role.TROIKA_STATE.value]
)
def test_the_team_of_another_cite_is_refused_everywhere(client, signed_in, other_cite, call, submitted, reviewed, role):
    signed_in(role, other_cite)
    urls = [
        reverse("programme:action_instruct", args=[submitted.pk]),
        reverse("programme:action_score", args=[reviewed.pk]),
        reverse("programme:call_ranking", args=[call.pk]),
        reverse("programme:call_selection", args=[call.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, {"is_eligible": "yes"}).status_code == 403
    assert status_of(submitted) == ActionStatus.SUBMITTED


def test_unknown_objects_are_not_found(client, signed_in):
    signed_in("admin")
    for name in ("action_instruct", "action_score", "call_ranking", "call_selection"):
        assert client.get(reverse(f"programme:{name}", args=[999999])).status_code == 404


def test_a_draft_is_the_holders_own_even_for_the_grant_officer(client, signed_in, call):
    draft = ActionFactory(call=call, status=ActionStatus.DRAFT)
    signed_in(Role.GRANT_OFFICER.value)
    assert client.get(reverse("programme:action_instruct", args=[draft.pk])).status_code == 403


# Instruction page


def test_not_eligible_needs_a_note_on_the_page(client, signed_in, submitted):
    signed_in(Role.GRANT_OFFICER.value)
    url = reverse("programme:action_instruct", args=[submitted.pk])
    page = client.get(url)
    assert submitted.call.eligibility in page.text and "Avis d'éligibilité" in page.text
    response = client.post(url, {"is_eligible": "no", "note": "  "})
    assert response.status_code == 200
    assert "Expliquez pourquoi l&#x27;action n&#x27;est pas éligible" in response.text
    assert 'aria-invalid="true"' in response.text
    response = client.post(url, {})
    assert "Indiquez si l&#x27;action est éligible." in response.text
    assert status_of(submitted) == ActionStatus.SUBMITTED

    response = client.post(url, {"is_eligible": "no", "note": "Public adulte uniquement."}, follow=True)
    assert "L&#x27;avis d&#x27;éligibilité est enregistré" in response.text
    assert "Public adulte uniquement." in response.text  # the summary and the history
    action = Action.objects.get(pk=submitted.pk)
    assert (action.status, action.is_eligible) == (ActionStatus.UNDER_REVIEW, False)


def test_an_action_already_selected_shows_no_instruction_form(client, signed_in, call):
    selected = ActionFactory(call=call, status=ActionStatus.SELECTED, is_eligible=True)
    signed_in(Role.GRANT_OFFICER.value)
    url = reverse("programme:action_instruct", args=[selected.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is None and "ne s&#x27;instruit pas" in page.text
    assert client.post(url, {"is_eligible": "no", "note": "Trop tard"}).status_code == 200
    assert Action.objects.get(pk=selected.pk).is_eligible is True


# Scoring page


@pytest.mark.parametrize("bad", ["7", "-1", "abc", "2,5", ""])
def test_bad_scores_show_a_french_error_and_write_nothing(client, signed_in, reviewed, bad):
    signed_in(Role.COMMITTEE_MEMBER.value)
    response = client.post(reverse("programme:action_score", args=[reviewed.pk]), score_data(reviewed, "3", bad))
    assert response.status_code == 200
    assert "Donnez une note entière de 0 à 5 pour « Partenariat et ancrage local »." in response.text
    assert not Score.objects.exists()


def test_a_member_sees_their_own_scores_and_can_change_them(client, signed_in, user_in, creteil, reviewed):
    colleague = user_in(Role.COMMITTEE_MEMBER.value, creteil)
    give_scores(reviewed, colleague, 1, 1)
    member = signed_in(Role.COMMITTEE_MEMBER.value)
    url = reverse("programme:action_score", args=[reviewed.pk])
    assert client.get(url).context["form"].initial == {}  # the colleague's scores are not shown
    response = client.post(url, {**score_data(reviewed, 4, 2), f"comment_{reviewed.call.criteria.first().pk}": "Clair"})
    assert response["Location"] == reverse("programme:call_ranking", args=[reviewed.call_id])
    page = client.get(url)
    assert "Vous avez déjà noté cette action" in page.text
    assert set(page.context["form"].initial.values()) == {4, 2, "Clair", ""}
    client.post(url, score_data(reviewed, 5, 5))
    assert sorted(Score.objects.filter(scorer=member).values_list("value", flat=True)) == [5, 5]
    assert sorted(Score.objects.filter(scorer=colleague).values_list("value", flat=True)) == [1, 1]


def test_scoring_is_closed_once_the_selection_is_proposed(client, signed_in, reviewed, committee_meeting):
    member = signed_in(Role.COMMITTEE_MEMBER.value)
    give_scores(reviewed, member, 3, 3)
    Action.objects.filter(pk=reviewed.pk).update(
        selection_decision=Decision.objects.create(
            cite=reviewed.cite, meeting=committee_meeting, number=1, title="Sélection", text="…"
        ),
        proposed_outcome=Outcome.SELECTED,
    )
    url = reverse("programme:action_score", args=[reviewed.pk])
    page = client.get(url)
    assert page.context["form"] is None and "ne peuvent plus changer" in page.text
    assert "3 / 5" in page.text  # their own scores, read only
    client.post(url, score_data(reviewed, 5, 5))
    assert set(Score.objects.values_list("value", flat=True)) == {3}


# Ranking page


def test_the_ranking_page_shows_scores_running_total_and_the_envelope(client, signed_in, user_in, creteil, call):
    first = under_review(call, title="Fablab du collège", p147="40000")
    second = under_review(call, title="Micro-folie", p147="15000", commune="5000")
    ineligible = under_review(call, eligible=False, title="Séjour au ski", note="Hors du temps de l'enfant visé.")
    ActionFactory(call=call, title="Pas encore instruite")
    give_scores(first, user_in(Role.COMMITTEE_MEMBER.value, creteil), 5, 5)
    member = signed_in(Role.COMMITTEE_MEMBER.value)
    give_scores(second, member, 3, 3)
    page = client.get(reverse("programme:call_ranking", args=[call.pk])).text
    assert page.index("Fablab du collège") < page.index("Micro-folie")
    assert "<strong>100,0</strong> / 100" in page and "<strong>60,0</strong> / 100" in page
    assert "Au-delà de l'enveloppe" in page and "Dans l'enveloppe" in page
    assert "-5\u202f000,00\u00a0€" in page  # 50,000 - 40,000 - 15,000
    assert "Dépassement de l'enveloppe" in page
    assert "Hors du temps de l&#x27;enfant visé." in page and ineligible.title in page
    assert "Actions déposées qui n'ont pas encore été instruites : 1." in page
    assert "Modifier ma notation" in page and reverse("programme:action_score", args=[first.pk]) in page
    assert "Enregistrer le choix du comité" not in page  # a member does not record the selection


# Selection page


def test_the_selection_form_lists_the_actions_and_the_meetings(client, signed_in, creteil, call, reviewed):
    ineligible = under_review(call, eligible=False, title="Séjour au ski")
    committee = MeetingFactory(
        body=BodyFactory(cite=creteil, kind=BodyKind.SELECTION_COMMITTEE, name="Comité de sélection"),
        title="Comité de sélection",
    )
    copil = MeetingFactory(body__cite=creteil, title="COPIL")
    MeetingFactory(body__cite=creteil, title="Annulée", status=MeetingStatus.CANCELLED)
    signed_in(Role.COORDINATOR.value)
    page = client.get(reverse("programme:call_selection", args=[call.pk]))
    form = page.context["form"]
    assert list(form.fields["meeting"].queryset) == [committee, copil]
    assert [action for action, _ in form.action_fields()] == [reviewed, ineligible]
    assert form.fields[f"outcome_{ineligible.pk}"].initial == Outcome.REJECTED
    assert form.fields[f"outcome_{reviewed.pk}"].initial is None


def test_a_missing_outcome_or_meeting_is_shown_and_nothing_written(client, signed_in, call, reviewed):
    signed_in(Role.COORDINATOR.value)
    response = client.post(reverse("programme:call_selection", args=[call.pk]), {})
    assert response.status_code == 200
    assert "Choisissez la réunion où le comité a fait son choix." in response.text
    title = escape(reviewed.title)
    assert f"Indiquez si l&#x27;action « {title} » est retenue ou non." in response.text
    assert not Decision.objects.exists() and not Action.objects.filter(selection_decision__isnull=False).exists()


def test_the_whole_path_through_the_pages(
    client,
    user_in,
    creteil,
    call,
    submitted,
    committee_meeting,
    troika,
    django_capture_on_commit_callbacks,
):
    holder = holder_of(submitted.organisation, creteil)
    ask(submitted, p147="9000")
    client.force_login(user_in(Role.GRANT_OFFICER.value, creteil))
    client.post(reverse("programme:action_instruct", args=[submitted.pk]), {"is_eligible": "yes"})
    for _ in range(2):
        client.force_login(user_in(Role.COMMITTEE_MEMBER.value, creteil))
        client.post(reverse("programme:action_score", args=[submitted.pk]), score_data(submitted, 4, 4))
    client.force_login(user_in(Role.COORDINATOR.value, creteil))
    ranking = client.get(reverse("programme:call_ranking", args=[call.pk]))
    assert "<strong>80,0</strong> / 100" in ranking.text and "2 notations" in ranking.text
    response = client.post(
        reverse("programme:call_selection", args=[call.pk]),
        {"meeting": committee_meeting.pk, f"outcome_{submitted.pk}": Outcome.SELECTED},
    )
    decision = Decision.objects.get()
    assert response["Location"] == reverse("governance:decision_detail", args=[decision.pk])
    assert submitted.title in client.get(response["Location"]).text

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for pillar, member in troika.items():
            client.force_login(member)
            client.post(
                reverse("governance:decision_answer", args=[decision.pk]),
                {"pillar": pillar.value, "verdict": "approved"},
            )
    assert Decision.objects.get().status == DecisionStatus.VALIDATED
    assert status_of(submitted) == ActionStatus.SELECTED
    assert any(holder.email in message.to and "retenue" in message.subject for message in mail.outbox)
