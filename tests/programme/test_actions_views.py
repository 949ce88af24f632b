"""Action sheet pages: who may write, submit, read and follow an action (every role), the sheet form with its
French amounts, the action page, and its fixed query count."""

import html
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import CITE_ROLES, AgeBand, Event, FundingSource, Role, SpendingCategory, Theme, Verb
from maillage.programme.models import TEAM_ROLES, Action, ActionStatus, BudgetLine, FundingRequest, NationalObjective
from maillage.programme.services import actions as services
from tests.factories import ActionFactory, CallFactory, ObjectiveFactory, OrganisationFactory, holder_of
from tests.queries import count_queries


def page_text(response) -> str:
    """The page as a reader sees it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
TEAM = [role.value for role in TEAM_ROLES]
MAX_QUERIES = {"action_detail": 24}


@pytest.fixture
def call(creteil):
    return CallFactory(cite=creteil, year=timezone.localdate().year)


@pytest.fixture
def organisation(creteil):
    return OrganisationFactory(cites=[creteil], name="Ludothèque du Mont-Mesly")


@pytest.fixture
def holder(organisation, creteil):
    return holder_of(organisation, creteil)


@pytest.fixture
def objective(creteil):
    axis = ObjectiveFactory(cite=creteil, national_objective=NationalObjective.HORIZONS, title="Élargir les horizons")
    return ObjectiveFactory(cite=creteil, national_objective=NationalObjective.HORIZONS, parent=axis, title="Sorties")


def form_data(objective, **changes) -> dict:
    """What a holder's browser posts for a complete sheet: €1,500.50 budget, funded by P147 and the commune."""
    year = timezone.localdate().year
    data = {
        "title": "Jeux de société en famille",
        "summary": "Des après-midis de jeux à la ludothèque, parents et enfants ensemble.",
        "objectives": [str(objective.pk)],
        "themes": [str(Theme.objects.get(code="parentalite").pk)],
        "age_bands": [str(AgeBand.objects.get(code="6-10").pk)],
        "address": "12 rue des Écoles, Créteil",
        "starts_on": f"{year}-09-01",
        "ends_on": f"{year + 1}-06-30",
        "expected_beneficiaries": "80",
        "budget_actions": "1 500,50",
        "budget_communication": "",
        "funding_p147": "1000",
        "funding_commune": "500,50",
    }
    data.update(changes)
    return data


def draft_of(organisation, call, **fields) -> Action:
    return ActionFactory(organisation=organisation, call=call, status=ActionStatus.DRAFT, **fields)


def sign_in_as(client, user_in, role, cite):
    if role == "anonymous":
        return None
    user = user_in(role, cite)
    client.force_login(user)
    return user


# Writing a sheet -----------------------------------------------------------------------------------------------


def test_a_holder_writes_a_draft_through_the_form(client, holder, call, objective):
    client.force_login(holder)
    url = reverse("programme:action_create", args=[call.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page_text(page)
    assert "Nouvelle fiche action" in text and "Budget prévisionnel" in text and "Plan de financement" in text
    assert "Ouvrir le champ des possibles" in text and "Axe : Élargir les horizons" in text and "Sorties" in text
    assert 'name="organisation"' not in text  # a single organisation: no choice to make
    response = client.post(url, form_data(objective))
    action = Action.objects.get()
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    assert action.status == ActionStatus.DRAFT and action.title == "Jeux de société en famille"
    assert action.budget_lines.get().amount == Decimal("1500.50")
    assert {r.source.code: r.amount for r in action.funding_requests.all()} == {
        "p147": Decimal("1000.00"),
        "commune": Decimal("500.50"),
    }
    assert list(action.objectives.all()) == [objective]


def test_a_holder_of_several_organisations_chooses_one(client, holder, creteil, call, objective):
    from tests.factories import ContactFactory

    second = OrganisationFactory(cites=[creteil], name="Centre social Kennedy")
    ContactFactory(organisation=second, user=holder)
    client.force_login(holder)
    url = reverse("programme:action_create", args=[call.pk])
    assert 'name="organisation"' in page_text(client.get(url))
    client.post(url, form_data(objective, organisation=str(second.pk)))
    assert Action.objects.get().organisation == second


def test_bad_amounts_show_french_errors_and_write_nothing(client, holder, call, objective):
    client.force_login(holder)
    url = reverse("programme:action_create", args=[call.pk])
    response = client.post(url, form_data(objective, budget_actions="-20", funding_p147="mille"))
    assert response.status_code == 200
    assert "Un montant ne peut pas être négatif." in page_text(response)
    assert "Saisissez un montant en euros, par exemple 1 500,50." in page_text(response)
    assert not Action.objects.exists() and not BudgetLine.objects.exists() and not FundingRequest.objects.exists()


def test_the_title_is_required_even_in_a_draft(client, holder, call, objective):
    client.force_login(holder)
    response = client.post(reverse("programme:action_create", args=[call.pk]), form_data(objective, title=""))
    assert response.status_code == 200 and "Donnez un intitulé à l'action, même pour un brouillon." in page_text(
        response
    )
    assert not Action.objects.exists()


def test_a_closed_call_takes_no_new_sheet(client, holder, call):
    call.closes_at = timezone.now() - timedelta(days=1)
    call.opens_at = call.closes_at - timedelta(days=30)
    call.save()
    client.force_login(holder)
    response = client.get(reverse("programme:action_create", args=[call.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("programme:my_actions")
    assert "n'est pas ouvert" in page_text(response)


@pytest.mark.parametrize("role", [*EVERY_ROLE, "anonymous"])
def test_only_project_holders_with_an_organisation_open_the_sheet_form(client, user_in, creteil, call, role):
    sign_in_as(client, user_in, role, creteil)
    response = client.get(reverse("programme:action_create", args=[call.pk]))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))
    else:
        assert response.status_code == 403  # a project holder without an organisation cannot write either


def test_a_holder_of_another_cite_cannot_answer_the_call(client, other_cite, call):
    client.force_login(holder_of(OrganisationFactory(cites=[other_cite]), other_cite))
    assert client.get(reverse("programme:action_create", args=[call.pk])).status_code == 403


def test_the_holder_updates_its_draft_and_sees_its_amounts_again(client, holder, organisation, call, objective):
    action = draft_of(organisation, call)
    BudgetLine.objects.create(action=action, category=SpendingCategory.objects.get(code="actions"), amount=1234.5)
    client.force_login(holder)
    url = reverse("programme:action_update", args=[action.pk])
    assert 'value="1234,50"' in page_text(client.get(url))
    client.post(url, form_data(objective, title="Jeux en famille"))
    action = Action.objects.get(pk=action.pk)
    assert action.title == "Jeux en famille" and action.budget_lines.get().amount == Decimal("1500.50")
    assert Event.objects.for_object(action).filter(verb=Verb.UPDATED).exists()


NOT_ADMIN = [role for role in EVERY_ROLE if role != "admin"]
"""The platform administrator is a superuser: Django grants it every permission, drafts included."""


@pytest.mark.parametrize("role", [*NOT_ADMIN, "anonymous"])
def test_nobody_but_its_holder_changes_a_draft(client, user_in, creteil, organisation, call, role):
    action = draft_of(organisation, call, title="Brouillon")
    sign_in_as(client, user_in, role, creteil)
    url = reverse("programme:action_update", args=[action.pk])
    assert client.get(url).status_code == (302 if role == "anonymous" else 403)
    assert client.post(url, {"title": "Piraté"}).status_code == (302 if role == "anonymous" else 403)
    assert Action.objects.get(pk=action.pk).title == "Brouillon"


def test_a_submitted_sheet_is_no_longer_changed(client, holder, organisation, call):
    action = ActionFactory(organisation=organisation, call=call, status=ActionStatus.SUBMITTED)
    client.force_login(holder)
    assert client.get(reverse("programme:action_update", args=[action.pk])).status_code == 403


# Submitting ----------------------------------------------------------------------------------------------------


def test_the_holder_submits_a_complete_sheet(client, holder, call, objective, django_capture_on_commit_callbacks):
    client.force_login(holder)
    client.post(reverse("programme:action_create", args=[call.pk]), form_data(objective))
    action = Action.objects.get()
    page = page_text(client.get(action.get_absolute_url()))
    assert "La fiche est complète." in page and "Déposer" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("programme:action_submit", args=[action.pk]), follow=True)
    assert Action.objects.get().status == ActionStatus.SUBMITTED
    assert "L'action est déposée" in page_text(response) and "Déposée" in page_text(response)
    assert len(mail.outbox) == 1 and holder.email in mail.outbox[0].to


def test_an_incomplete_sheet_is_not_submitted_and_says_why(client, holder, organisation, call):
    action = draft_of(organisation, call)
    client.force_login(holder)
    page = page_text(client.get(action.get_absolute_url()))
    assert "Choisissez au moins un objectif de la cité." in page  # what is missing, before trying
    response = client.post(reverse("programme:action_submit", args=[action.pk]))
    assert response.status_code == 200 and "L'action n'est pas déposée" in page_text(response)
    assert "Remplissez le budget prévisionnel" in page_text(response)
    assert Action.objects.get().status == ActionStatus.DRAFT and mail.outbox == []


def test_the_page_says_when_the_funding_plan_is_unbalanced(client, holder, call, objective):
    client.force_login(holder)
    client.post(reverse("programme:action_create", args=[call.pk]), form_data(objective, funding_commune=""))
    action = Action.objects.get()
    response = client.post(reverse("programme:action_submit", args=[action.pk]))
    assert "Le plan de financement (1\u202f000,00\u00a0€) doit être égal au budget prévisionnel" in page_text(response)
    assert Action.objects.get().status == ActionStatus.DRAFT


def test_after_the_deadline_the_draft_cannot_be_submitted(client, holder, call, objective):
    client.force_login(holder)
    client.post(reverse("programme:action_create", args=[call.pk]), form_data(objective))
    call.closes_at = timezone.now() - timedelta(hours=2)
    call.save()
    action = Action.objects.get()
    assert "ce brouillon ne peut plus être déposé" in page_text(client.get(action.get_absolute_url()))
    response = client.post(reverse("programme:action_submit", args=[action.pk]))
    assert "L'appel à projets est clos depuis le" in page_text(response)
    assert Action.objects.get().status == ActionStatus.DRAFT


@pytest.mark.parametrize("role", [*NOT_ADMIN, "anonymous"])
def test_nobody_but_its_holder_submits_a_draft(client, user_in, creteil, organisation, call, role):
    action = draft_of(organisation, call)
    sign_in_as(client, user_in, role, creteil)
    response = client.post(reverse("programme:action_submit", args=[action.pk]))
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert Action.objects.get().status == ActionStatus.DRAFT


def test_the_administrator_may_open_a_draft_but_does_not_list_it(client, user_in, creteil, organisation, call):
    action = draft_of(organisation, call, title="Brouillon de la ludothèque")
    client.force_login(user_in("admin"))
    assert client.get(action.get_absolute_url()).status_code == 200
    listed = client.get(reverse("programme:action_list", args=[creteil.anct_id]))
    assert "Brouillon de la ludothèque" not in page_text(listed)


def test_submitting_is_a_post(client, holder, organisation, call):
    action = draft_of(organisation, call)
    client.force_login(holder)
    assert client.get(reverse("programme:action_submit", args=[action.pk])).status_code == 405


# Reading -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*EVERY_ROLE, "anonymous", "other_cite"])
def test_who_reads_a_submitted_action(client, user_in, creteil, other_cite, call, role):
    action = ActionFactory(call=call, title="Échecs au collège")
    if role == "other_cite":
        client.force_login(user_in(Role.COORDINATOR, other_cite))
    else:
        sign_in_as(client, user_in, role, creteil)
    response = client.get(action.get_absolute_url())
    if role == "anonymous":
        assert response.status_code == 302
    elif role in [*TEAM, Role.NATIONAL.value, "admin"]:
        assert response.status_code == 200 and "Échecs au collège" in page_text(response)
    else:  # a project holder of another organisation, a coordinator of another cité
        assert response.status_code == 403


@pytest.mark.parametrize("role", NOT_ADMIN)
def test_a_draft_is_read_only_by_its_holder(client, user_in, creteil, organisation, holder, call, role):
    action = draft_of(organisation, call)
    client.force_login(user_in(role, creteil))
    assert client.get(action.get_absolute_url()).status_code == 403
    client.force_login(holder)
    assert client.get(action.get_absolute_url()).status_code == 200


def test_the_action_page_shows_the_whole_sheet(client, holder, call, objective, creteil):
    client.force_login(holder)
    school = creteil.schools.order_by("name").first()
    client.post(reverse("programme:action_create", args=[call.pk]), form_data(objective, schools=[str(school.pk)]))
    text = page_text(client.get(Action.objects.get().get_absolute_url()))
    for expected in (
        "Jeux de société en famille",
        "Ludothèque du Mont-Mesly",
        "Ouvrir le champ des possibles \u203a Élargir les horizons \u203a Sorties",
        "Parentalité",
        "6-10 ans",
        school.name,
        "12 rue des Écoles, Créteil",
        "1\u202f500,50\u00a0€",
        "500,50\u00a0€",
        "Brouillon",
        "Historique",
        "Fiche action rédigée (brouillon)",
    ):
        assert expected in text, expected


def test_the_grant_officer_instructs_and_the_committee_scores(client, user_in, creteil, call):
    action = ActionFactory(call=call)
    client.force_login(user_in(Role.GRANT_OFFICER, creteil))
    assert "Instruire" in page_text(client.get(action.get_absolute_url()))
    client.force_login(user_in(Role.COMMITTEE_MEMBER, creteil))
    assert "Instruire" not in page_text(client.get(action.get_absolute_url()))
    reviewed = ActionFactory(call=call, status=ActionStatus.UNDER_REVIEW)
    assert "Noter" in page_text(client.get(reviewed.get_absolute_url()))
    client.force_login(user_in(Role.GRANT_OFFICER, creteil))
    assert "Noter" not in page_text(client.get(reviewed.get_absolute_url()))


def test_the_eligibility_note_and_the_outcome_are_shown(client, user_in, creteil, call):
    action = ActionFactory(
        call=call,
        status=ActionStatus.UNDER_REVIEW,
        is_eligible=True,
        eligibility_note="Public et territoire conformes.",
        proposed_outcome="selected",
    )
    client.force_login(user_in(Role.COORDINATOR, creteil))
    text = page_text(client.get(action.get_absolute_url()))
    assert "Éligible" in text and "Public et territoire conformes." in text
    assert "Proposition du comité : action retenue." in text


def add_to_sheet(action, cite, count: int) -> None:
    """`count` more objectives, themes, budget lines, funding requests and events on `action`."""
    action.objectives.add(*ObjectiveFactory.create_batch(count, cite=cite))
    action.themes.add(*Theme.objects.all()[:count])
    action.age_bands.add(*AgeBand.objects.all()[:count])
    action.schools.add(*cite.schools.all()[:count])
    action.qpvs.add(*cite.qpvs.all()[:count])
    for category in SpendingCategory.objects.all()[:count]:
        BudgetLine.objects.get_or_create(action=action, category=category, defaults={"amount": Decimal("100")})
    for source in FundingSource.objects.all()[:count]:
        FundingRequest.objects.get_or_create(action=action, source=source, defaults={"amount": Decimal("100")})
    for _ in range(count):
        record_event(actor=None, verb=Verb.UPDATED, obj=action, summary="Fiche complétée")


@pytest.mark.parametrize("viewer", ["holder", "coordinator"])
def test_action_page_queries_do_not_grow_with_the_sheet(
    client, user_in, creteil, organisation, holder, call, viewer, django_assert_max_num_queries
):
    action = ActionFactory(organisation=organisation, call=call, status=ActionStatus.AGREED)
    client.force_login(holder if viewer == "holder" else user_in(Role.COORDINATOR, creteil))
    url = action.get_absolute_url()
    add_to_sheet(action, creteil, 1)
    services.follow_action(actor=user_in("admin"), action=action, transition="postpone")
    small = count_queries(client, url)
    add_to_sheet(action, creteil, 5)
    services.follow_action(actor=user_in("admin"), action=action, transition="start")
    large = count_queries(client, url)
    assert small == large
    with django_assert_max_num_queries(MAX_QUERIES["action_detail"]):
        client.get(url)


# Follow-up -----------------------------------------------------------------------------------------------------


def test_the_coordinator_follows_the_action(
    client, user_in, creteil, organisation, holder, call, django_capture_on_commit_callbacks
):
    action = ActionFactory(organisation=organisation, call=call, status=ActionStatus.AGREED)
    client.force_login(user_in(Role.COORDINATOR, creteil))
    page = page_text(client.get(action.get_absolute_url()))
    assert "Suivi de la réalisation" in page and "Démarrer l'action" in page and "Clôturer" not in page
    url = reverse("programme:action_follow", args=[action.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"transition": "postpone", "note": "Travaux dans la salle"}, follow=True)
    assert Action.objects.get().status == ActionStatus.POSTPONED
    assert "L'action est reportée." in page_text(response) and "Travaux dans la salle" in page_text(response)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [holder.email]


def test_a_follow_up_step_the_status_does_not_allow_is_refused(client, user_in, creteil, call):
    action = ActionFactory(call=call, status=ActionStatus.AGREED)
    client.force_login(user_in(Role.COORDINATOR, creteil))
    url = reverse("programme:action_follow", args=[action.pk])
    response = client.post(url, {"transition": "close"})
    assert response.status_code == 200
    assert "Cette étape n'est pas possible pour l'action dans son état actuel." in page_text(response)
    assert Action.objects.get().status == ActionStatus.AGREED and not Event.objects.for_object(action).exists()


@pytest.mark.parametrize("role", [*EVERY_ROLE, "anonymous", "holder"])
def test_who_follows_an_action(client, user_in, creteil, organisation, holder, call, role):
    action = ActionFactory(organisation=organisation, call=call, status=ActionStatus.AGREED)
    if role == "holder":
        client.force_login(holder)
    else:
        sign_in_as(client, user_in, role, creteil)
    response = client.post(reverse("programme:action_follow", args=[action.pk]), {"transition": "start"})
    allowed = role in (Role.COORDINATOR.value, "admin", "holder")
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))
    elif allowed:
        assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    else:
        assert response.status_code == 403
    expected = ActionStatus.RUNNING if allowed else ActionStatus.AGREED
    assert Action.objects.get().status == expected


# My actions ----------------------------------------------------------------------------------------------------


def test_my_actions_lists_the_holders_actions_in_every_cite_and_the_open_calls(
    client, holder, organisation, creteil, other_cite, call
):
    from maillage.core.models import Membership

    Membership.objects.create(user=holder, cite=other_cite, role=Role.PROJECT_HOLDER)
    organisation.cites.add(other_cite)
    elsewhere = CallFactory(cite=other_cite, title="AAP Allonnes")
    closed = CallFactory(
        cite=creteil,
        title="AAP clos",
        opens_at=timezone.now() - timedelta(days=60),
        closes_at=timezone.now() - timedelta(days=30),
    )
    draft_of(organisation, call, title="Mon brouillon")
    ActionFactory(organisation=organisation, call=elsewhere, title="Mon action à Allonnes")
    ActionFactory(organisation=organisation, call=closed, title="Action retenue", status=ActionStatus.SELECTED)
    ActionFactory(call=call, title="Action d'une autre structure")
    client.force_login(holder)
    response = client.get(reverse("programme:my_actions"))
    assert response.status_code == 200
    titles = [action.title for action in response.context["page_obj"]]
    assert sorted(titles) == ["Action retenue", "Mon action à Allonnes", "Mon brouillon"]
    text = page_text(response)
    assert reverse("programme:action_create", args=[call.pk]) in text
    assert reverse("programme:action_create", args=[elsewhere.pk]) in text
    assert reverse("programme:action_create", args=[closed.pk]) not in text
    assert "Brouillon" in text and "Retenue" in text


@pytest.mark.parametrize("role", [*EVERY_ROLE, "anonymous"])
def test_my_actions_for_every_role(client, user_in, creteil, call, role):
    ActionFactory(call=call, title="Action d'une structure")
    sign_in_as(client, user_in, role, creteil)
    response = client.get(reverse("programme:my_actions"))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 200 and "Action d'une structure" not in page_text(response)
        assert reverse("programme:action_create", args=[call.pk]) not in page_text(response)  # no organisation


def test_the_dates_are_kept_as_typed(client, holder, call, objective):
    client.force_login(holder)
    client.post(reverse("programme:action_create", args=[call.pk]), form_data(objective))
    action = Action.objects.get()
    assert action.starts_on == date(call.year, 9, 1) and action.expected_beneficiaries == 80


def test_a_retained_action_shows_its_grants_block(client, user_in, creteil, call):
    submitted = ActionFactory(call=call)
    selected = ActionFactory(call=call, status=ActionStatus.SELECTED)
    client.force_login(user_in(Role.GRANT_OFFICER, creteil))
    assert 'id="financements-titre"' not in page_text(client.get(submitted.get_absolute_url()))
    assert 'id="financements-titre"' in page_text(client.get(selected.get_absolute_url()))
