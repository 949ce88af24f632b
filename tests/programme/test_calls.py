"""Calls for projects: the services (validation, events, the grid locked once scoring starts) and the staff
pages (every role, the coordinator's forms, status counts, links, fixed query counts)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import CITE_ROLES, Event, Role, Theme, Verb
from maillage.core.templatetags.ui import euros
from maillage.programme.models import ActionStatus, CallForProjects, Criterion, Score
from maillage.programme.services.calls import (
    GRID_LOCKED,
    add_criterion,
    call_status,
    create_call,
    remove_criterion,
    update_call,
    update_criterion,
)
from tests.factories import ActionFactory, CallFactory, OrganisationFactory, UserFactory, holder_of
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
MANAGERS = {Role.COORDINATOR.value, "admin"}
RANKING_READERS = {
    Role.COORDINATOR.value,
    Role.GRANT_OFFICER.value,
    Role.COMMITTEE_MEMBER.value,
    Role.TROIKA_STATE.value,
    Role.TROIKA_EDUCATION.value,
    Role.TROIKA_CITY.value,
    "admin",
}


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil)


def call_data(**changes) -> dict:
    now = timezone.now()
    data = {
        "year": 2025,
        "title": "Appel à projets 2025",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "envelope": Decimal("120000.00"),
        "eligibility": "Actions pour les 0-25 ans des quartiers prioritaires.",
        "description": "",
        "is_published": True,
        "themes": list(Theme.objects.filter(code__in=["culture", "sport"])),
    }
    return data | changes


def form_data(**changes) -> dict:
    data = {
        "year": "2025",
        "title": "Appel à projets 2025",
        "opens_at": "2025-01-15T09:00",
        "closes_at": "2025-03-15T18:00",
        "envelope": "120000",
        "eligibility": "Actions pour les 0-25 ans des quartiers prioritaires.",
        "description": "Premier appel de l'année.",
        "themes": [theme.pk for theme in Theme.objects.all()[:2]],
        "is_published": "on",
    }
    return data | changes


def score(action, criterion, value=4):
    return Score.objects.create(action=action, criterion=criterion, scorer=UserFactory(), value=value)


# --- Services -------------------------------------------------------------------------------------------------


def test_a_call_is_created_with_its_themes_and_event(creteil, coordinator):
    call = create_call(actor=coordinator, cite=creteil, data=call_data())
    assert call.created_by == coordinator and call.envelope == Decimal("120000.00")
    assert sorted(theme.code for theme in call.themes.all()) == ["culture", "sport"]
    event = Event.objects.for_object(call).get()
    assert event.verb == Verb.CREATED and event.cite == creteil and "publié" in event.summary
    assert event.after["enveloppe proposée (€)"] == "120000.00"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_at": timezone.now() - timedelta(days=2)}, "closes_at", "doit suivre leur ouverture"),
        ({"envelope": Decimal("-1")}, "envelope", "ne peut pas être négative"),
        ({"title": "appel à projets 2024"}, "title", "déjà un appel à projets intitulé"),
        ({"title": " "}, "title", "Donnez un intitulé"),
        ({"eligibility": ""}, "eligibility", "critères d'éligibilité"),
        ({"year": 1999}, "year", "quatre chiffres"),
    ],
)
def test_a_bad_call_is_refused_and_nothing_is_written(creteil, coordinator, changes, field, message):
    CallFactory(cite=creteil, title="Appel à projets 2024")
    calls, events = CallForProjects.objects.count(), Event.objects.count()
    with pytest.raises(ValidationError) as error:
        create_call(actor=coordinator, cite=creteil, data=call_data(**changes))
    assert message in error.value.message_dict[field][0]
    assert (CallForProjects.objects.count(), Event.objects.count()) == (calls, events)


def test_the_same_title_is_fine_in_another_cite(creteil, other_cite, coordinator):
    CallFactory(cite=other_cite, title="Appel à projets 2025")
    assert create_call(actor=coordinator, cite=creteil, data=call_data()).pk


def test_update_logs_only_what_changed_and_says_when_it_is_published(creteil, coordinator):
    call = create_call(actor=coordinator, cite=creteil, data=call_data(is_published=False))
    assert not update_call(actor=coordinator, call=call, data={"title": "Appel à projets 2025"})
    assert update_call(actor=coordinator, call=call, data={"is_published": True, "envelope": Decimal("90000")})
    event = Event.objects.for_object(call).first()
    assert event.summary == "Appel à projets publié"
    assert event.before == {"enveloppe proposée (€)": "120000.00", "publié": False}
    assert event.after == {"enveloppe proposée (€)": "90000", "publié": True}
    with pytest.raises(ValidationError):
        update_call(actor=coordinator, call=call, data={"closes_at": call.opens_at})
    call.refresh_from_db()
    assert call.closes_at > call.opens_at


def test_status_follows_the_dates():
    now = timezone.now()
    call = CallForProjects(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    assert call_status(call, now) == "à venir"
    assert call_status(call, now + timedelta(days=1, hours=1)) == "ouvert"
    assert call_status(call, now + timedelta(days=3)) == "clos"


def test_criteria_are_added_changed_and_removed_while_nobody_scored(creteil, coordinator):
    call = CallFactory(cite=creteil)
    criterion = add_criterion(actor=coordinator, call=call, data={"label": "Coût", "weight": 3, "max_score": 10})
    assert criterion.position == 3  # after the factory's two
    assert update_criterion(actor=coordinator, criterion=criterion, data={"label": "Coût raisonnable", "weight": 2})
    criterion.refresh_from_db()
    assert (criterion.label, criterion.weight, criterion.max_score) == ("Coût raisonnable", 2, 10)
    remove_criterion(actor=coordinator, criterion=criterion)
    assert call.criteria.count() == 2
    summaries = list(Event.objects.for_object(call).values_list("summary", flat=True))
    assert any("ajouté à la grille" in summary for summary in summaries)
    assert any("retiré de la grille" in summary for summary in summaries)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"label": "pertinence au regard des objectifs", "weight": 1, "max_score": 5}, "label"),
        ({"label": "Coût", "weight": 0, "max_score": 5}, "weight"),
        ({"label": "Coût", "weight": 1, "max_score": 0}, "max_score"),
    ],
)
def test_a_bad_criterion_is_refused(creteil, coordinator, data, field):
    call = CallFactory(cite=creteil)
    with pytest.raises(ValidationError) as error:
        add_criterion(actor=coordinator, call=call, data=data)
    assert field in error.value.message_dict
    assert call.criteria.count() == 2


def test_the_grid_is_locked_once_scoring_started(creteil, coordinator):
    call = CallFactory(cite=creteil)
    criterion = call.criteria.first()
    score(ActionFactory(call=call, status=ActionStatus.UNDER_REVIEW), criterion)
    for attempt in (
        lambda: add_criterion(actor=coordinator, call=call, data={"label": "Coût", "weight": 1, "max_score": 5}),
        lambda: update_criterion(actor=coordinator, criterion=criterion, data={"weight": 5}),
        lambda: remove_criterion(actor=coordinator, criterion=criterion),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.messages == [GRID_LOCKED]
    criterion.refresh_from_db()
    assert criterion.weight == 2 and call.criteria.count() == 2


# --- Pages ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_member_reads_the_calls_and_a_call(client, user_in, creteil, role):
    call = CallFactory(cite=creteil, title="Appel 2025")
    client.force_login(user_in(role, creteil))
    listing = client.get(reverse("programme:call_list", args=[creteil.anct_id]))
    assert listing.status_code == 200 and "Appel 2025" in listing.text
    detail = client.get(reverse("programme:call_detail", args=[call.pk]))
    assert detail.status_code == 200
    assert "Pertinence au regard des objectifs" in detail.text and euros(Decimal("100000")) in detail.text
    ranking = reverse("programme:call_ranking", args=[call.pk])
    assert (ranking in detail.text) == (role in RANKING_READERS)
    assert ("Modifier l'appel" in detail.text) == (role in MANAGERS)
    assert ("Ajouter un critère" in detail.text) == (role in MANAGERS)
    assert ("Déposer une action" in detail.text) == (role == Role.PROJECT_HOLDER.value)


@pytest.mark.parametrize("role", [role.value for role in CITE_ROLES])
def test_another_cite_is_refused(client, user_in, other_cite, creteil, role):
    call = CallFactory(cite=creteil)
    client.force_login(user_in(role, other_cite))
    assert client.get(reverse("programme:call_list", args=[creteil.anct_id])).status_code == 403
    assert client.get(reverse("programme:call_detail", args=[call.pk])).status_code == 403
    assert client.get(reverse("programme:call_update", args=[call.pk])).status_code == 403
    assert client.get(reverse("programme:call_create", args=[creteil.anct_id])).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, creteil):
    call = CallFactory(cite=creteil)
    for url in (
        reverse("programme:call_list", args=[creteil.anct_id]),
        reverse("programme:call_detail", args=[call.pk]),
        reverse("programme:call_create", args=[creteil.anct_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("role", [role for role in EVERY_ROLE if role not in MANAGERS])
def test_only_the_coordinator_writes_calls_and_grids(client, user_in, creteil, role):
    call = CallFactory(cite=creteil)
    criterion = call.criteria.first()
    client.force_login(user_in(role, creteil))
    assert client.post(reverse("programme:call_create", args=[creteil.anct_id]), form_data()).status_code == 403
    assert client.post(reverse("programme:call_update", args=[call.pk]), form_data()).status_code == 403
    new_criterion = {"critere-label": "Coût", "critere-weight": "1", "critere-max_score": "5"}
    assert client.post(reverse("programme:criterion_create", args=[call.pk]), new_criterion).status_code == 403
    assert client.post(reverse("programme:criterion_update", args=[criterion.pk]), {}).status_code == 403
    assert client.post(reverse("programme:criterion_delete", args=[criterion.pk])).status_code == 403
    assert (CallForProjects.objects.count(), Criterion.objects.count()) == (1, 2)


def test_a_project_holder_does_not_see_an_unpublished_call(client, user_in, creteil):
    draft = CallFactory(cite=creteil, title="Appel en préparation", is_published=False)
    client.force_login(user_in(Role.PROJECT_HOLDER.value, creteil))
    assert client.get(reverse("programme:call_detail", args=[draft.pk])).status_code == 404
    assert "Appel en préparation" not in client.get(reverse("programme:call_list", args=[creteil.anct_id])).text


def test_the_coordinator_creates_and_edits_a_call(client, coordinator, creteil):
    client.force_login(coordinator)
    response = client.post(reverse("programme:call_create", args=[creteil.anct_id]), form_data())
    call = CallForProjects.objects.get(cite=creteil)
    assert response.status_code == 302 and response["Location"] == reverse("programme:call_detail", args=[call.pk])
    assert call.themes.count() == 2 and call.is_published and call.envelope == Decimal("120000")
    assert timezone.localtime(call.opens_at).strftime("%d/%m/%Y %H:%M") == "15/01/2025 09:00"
    form = client.get(reverse("programme:call_update", args=[call.pk]))
    assert 'value="2025-01-15T09:00"' in form.text
    response = client.post(reverse("programme:call_update", args=[call.pk]), form_data(title="Appel 2025 bis"))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Appel 2025 bis"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_at": "2025-01-01T09:00"}, "La clôture des dépôts doit suivre leur ouverture."),
        ({"title": "appel existant"}, "La cité a déjà un appel à projets intitulé"),
        ({"envelope": "-5"}, "ne peut pas être négative"),
        ({"title": ""}, "Donnez un intitulé à l&#x27;appel à projets."),
    ],
)
def test_a_bad_call_form_shows_a_french_error(client, coordinator, creteil, changes, message):
    CallFactory(cite=creteil, title="Appel existant")
    client.force_login(coordinator)
    response = client.post(reverse("programme:call_create", args=[creteil.anct_id]), form_data(**changes))
    assert response.status_code == 200 and message in response.text
    assert CallForProjects.objects.count() == 1


def test_the_coordinator_edits_the_grid_until_scoring_starts(client, coordinator, creteil):
    call = CallFactory(cite=creteil)
    client.force_login(coordinator)
    response = client.post(
        reverse("programme:criterion_create", args=[call.pk]),
        {"critere-label": "Coût", "critere-weight": "2", "critere-max_score": "10"},
    )
    assert response.status_code == 302
    criterion = call.criteria.get(label="Coût")
    response = client.post(
        reverse("programme:criterion_update", args=[criterion.pk]),
        {"label": "Coût maîtrisé", "weight": "3", "max_score": "10", "position": "1"},
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.label, criterion.weight, criterion.position) == ("Coût maîtrisé", 3, 1)
    bad = client.post(
        reverse("programme:criterion_create", args=[call.pk]),
        {"critere-label": "Zéro", "critere-weight": "0", "critere-max_score": "5"},
    )
    assert bad.status_code == 200 and "supérieure ou égale à 1" in bad.text
    score(ActionFactory(call=call, status=ActionStatus.UNDER_REVIEW), criterion)
    page = client.get(reverse("programme:call_detail", args=[call.pk]))
    assert "La notation a commencé" in page.text and "Ajouter un critère" not in page.text
    response = client.post(reverse("programme:criterion_delete", args=[criterion.pk]), follow=True)
    assert "La notation de cet appel à projets a commencé" in response.text
    assert call.criteria.count() == 3


def test_the_call_page_counts_actions_by_status(client, coordinator, creteil):
    call = CallFactory(cite=creteil)
    ActionFactory.create_batch(2, call=call)
    ActionFactory(call=call, status=ActionStatus.SELECTED)
    ActionFactory(call=call, status=ActionStatus.DRAFT)  # a holder's own draft: not counted for the team
    client.force_login(coordinator)
    response = client.get(reverse("programme:call_detail", args=[call.pk]))
    assert response.context["status_counts"] == [("déposée", 2), ("retenue", 1)]
    assert response.context["action_total"] == 3


def test_the_submit_button_shows_for_a_holder_while_the_call_is_open(client, creteil):
    holder = holder_of(OrganisationFactory(cites=[creteil]), creteil)
    client.force_login(holder)
    open_call = CallFactory(cite=creteil)
    closed = CallFactory(
        cite=creteil, opens_at=timezone.now() - timedelta(days=30), closes_at=timezone.now() - timedelta(days=1)
    )
    create_url = reverse("programme:action_create", args=[open_call.pk])
    assert create_url in client.get(reverse("programme:call_detail", args=[open_call.pk])).text
    closed_page = client.get(reverse("programme:call_detail", args=[closed.pk]))
    assert "Déposer une action" not in closed_page.text and "Clos" in closed_page.text


def test_the_call_list_costs_the_same_whatever_the_number_of_calls(client, coordinator, creteil):
    client.force_login(coordinator)
    url = reverse("programme:call_list", args=[creteil.anct_id])
    for call in CallFactory.create_batch(2, cite=creteil):
        ActionFactory(call=call)
    small = count_queries(client, url)
    for call in CallFactory.create_batch(8, cite=creteil):
        ActionFactory.create_batch(2, call=call)
    assert count_queries(client, url) == small


def test_the_call_page_costs_the_same_whatever_the_number_of_actions(client, coordinator, creteil):
    client.force_login(coordinator)
    call = CallFactory(cite=creteil)
    url = reverse("programme:call_detail", args=[call.pk])
    ActionFactory(call=call)
    small = count_queries(client, url)
    ActionFactory.create_batch(5, call=call, status=ActionStatus.UNDER_REVIEW)
    ActionFactory.create_batch(3, call=call, status=ActionStatus.REJECTED)
    assert count_queries(client, url) == small
