"""Follow-up tasks: who creates and changes them, the owner is a member of the cité, overdue tasks are
highlighted (list, "my tasks", the cité's home page), and the pages run a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from maillage.core.models import CITE_ROLES, Event, Role, Verb
from maillage.governance.models import Task, TaskStatus
from maillage.governance.services.followup import change_task_status, create_task
from maillage.partners.models import CONTACT_READERS
from maillage.territories.models import Cite
from tests.factories import DecisionFactory, MeetingFactory, OrganisationFactory, TaskFactory, grant, troika_of
from tests.queries import count_queries

ALL_CITE_ROLES = [role.value for role in CITE_ROLES]
EVERY_ROLE = [*ALL_CITE_ROLES, Role.NATIONAL.value, "admin"]
MANAGERS = {
    Role.COORDINATOR.value,
    Role.TROIKA_STATE.value,
    Role.TROIKA_EDUCATION.value,
    Role.TROIKA_CITY.value,
    "admin",
}
READERS = {*(role.value for role in CONTACT_READERS), "admin"}
FIXED_TODAY = date(2025, 3, 10)
MAX_QUERIES = {"my_tasks": 7, "cite_tasks": 9}


@pytest.fixture
def today(monkeypatch):
    """Today is 10 March 2025 for the services and the models."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: FIXED_TODAY)
    return FIXED_TODAY


@pytest.fixture
def meeting(creteil):
    return MeetingFactory(body=troika_of(creteil), title="COPIL de suivi")


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil, first_name="Julie", last_name="Coord")


@pytest.fixture
def holder(user_in, creteil):
    return user_in(Role.PROJECT_HOLDER.value, creteil, first_name="Paul", last_name="Porteur")


def task_in(cite, owner, due_on, **fields):
    return TaskFactory(cite=cite, owner=owner, due_on=due_on, **fields)


# Services


def test_create_task_checks_owner_date_and_meeting(today, coordinator, holder, user_in, creteil, other_cite, meeting):
    task = create_task(
        actor=coordinator,
        cite=creteil,
        meeting=meeting,
        title=" Relancer la médiathèque ",
        description="Pour le club lecture",
        owner=holder,
        due_on=today,
    )
    assert (task.title, task.owner, task.due_on, task.status, task.created_by) == (
        "Relancer la médiathèque",
        holder,
        today,
        TaskStatus.TODO,
        coordinator,
    )
    event = Event.objects.get(verb=Verb.CREATED, object_id=str(task.pk))
    assert event.cite == creteil and "Paul Porteur" in event.summary

    stranger = user_in(Role.COORDINATOR.value, other_cite)
    nobody = user_in(None)
    for owner in (stranger, nobody, None):
        with pytest.raises(ValidationError) as error:
            create_task(actor=coordinator, cite=creteil, title="T", owner=owner, due_on=today)
        assert error.value.message_dict == {"owner": ["Le responsable doit être membre de la cité éducative."]}
    with pytest.raises(ValidationError) as error:
        create_task(actor=coordinator, cite=creteil, title="T", owner=holder, due_on=today - timedelta(days=1))
    assert error.value.message_dict == {"due_on": ["L'échéance ne peut pas être déjà passée."]}
    other_meeting = MeetingFactory(body=troika_of(other_cite))
    with pytest.raises(ValidationError, match="n'appartient pas à la cité"):
        create_task(actor=coordinator, cite=creteil, meeting=other_meeting, title="T", owner=holder, due_on=today)
    assert Task.objects.count() == 1


def test_an_inactive_member_cannot_own_a_task(today, coordinator, user_in, creteil):
    gone = user_in(Role.SCHOOL_CONTACT.value, creteil, is_active=False)
    with pytest.raises(ValidationError, match="membre de la cité"):
        create_task(actor=coordinator, cite=creteil, title="T", owner=gone, due_on=today)


def test_change_task_status_sets_done_at_and_logs(coordinator, holder, creteil):
    task = task_in(creteil, holder, timezone.localdate())
    assert change_task_status(actor=holder, task=task, status=TaskStatus.DONE)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    event = Event.objects.get(verb=Verb.TASK_STATUS_CHANGED)
    assert (event.actor, event.before, event.after) == (holder, {"état": "à faire"}, {"état": "faite"})
    assert not change_task_status(actor=holder, task=task, status=TaskStatus.DONE)  # nothing changes
    assert change_task_status(actor=coordinator, task=task, status=TaskStatus.IN_PROGRESS)
    task.refresh_from_db()
    assert task.done_at is None
    with pytest.raises(ValidationError, match="n'existe pas"):
        change_task_status(actor=coordinator, task=task, status="forgotten")
    assert Event.objects.filter(verb=Verb.TASK_STATUS_CHANGED).count() == 2


def test_overdue_means_open_and_due_before_today(today, holder, creteil):
    late = task_in(creteil, holder, date(2025, 3, 9))
    late_in_progress = task_in(creteil, holder, date(2025, 1, 1), status=TaskStatus.IN_PROGRESS)
    due_today = task_in(creteil, holder, today)
    done_late = task_in(creteil, holder, date(2025, 3, 1), status=TaskStatus.DONE)
    cancelled_late = task_in(creteil, holder, date(2025, 3, 1), status=TaskStatus.CANCELLED)
    assert set(Task.objects.overdue()) == {late, late_in_progress}
    assert [task.is_overdue for task in (late, late_in_progress, due_today, done_late, cancelled_late)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert set(Task.objects.overdue(today=date(2025, 3, 11))) == {late, late_in_progress, due_today}


# Pages


def test_anonymous_visitors_are_sent_to_the_login_page(client, creteil, holder, meeting):
    task = task_in(creteil, holder, timezone.localdate())
    for url in (
        reverse("governance:task_create", args=[meeting.pk]),
        reverse("governance:cite_tasks", args=["cite-021"]),
        reverse("governance:task_update", args=[task.pk]),
        reverse("governance:my_tasks"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_adds_a_task_at_a_meeting(client, signed_in, holder, meeting, role):
    signed_in(role)
    url = reverse("governance:task_create", args=[meeting.pk])
    allowed = role in MANAGERS
    assert client.get(url).status_code == (200 if allowed else 403)
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(url, {"title": "Envoyer le compte rendu", "owner": holder.pk, "due_on": due})
    assert response.status_code == (302 if allowed else 403)
    assert Task.objects.filter(title="Envoyer le compte rendu", meeting=meeting).exists() == allowed
    if allowed:
        assert response["Location"] == meeting.get_absolute_url()


@pytest.mark.parametrize("role", ALL_CITE_ROLES)
def test_another_cite_user_cannot_add_read_or_change_tasks(client, signed_in, other_cite, holder, meeting, role):
    signed_in(role, other_cite)
    task = task_in(meeting.cite, holder, timezone.localdate())
    assert client.get(reverse("governance:task_create", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("governance:cite_tasks", args=["cite-021"])).status_code == 403
    assert client.get(reverse("governance:task_update", args=[task.pk])).status_code == 403
    response = client.post(reverse("governance:task_update", args=[task.pk]), {"status": "done"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_the_task_form_offers_only_members_and_refuses_a_past_date(
    client, signed_in, holder, other_cite, user_in, meeting
):
    signed_in(Role.COORDINATOR.value)
    stranger = user_in(Role.COORDINATOR.value, other_cite)
    url = reverse("governance:task_create", args=[meeting.pk])
    owners = list(client.get(url).context["form"].fields["owner"].queryset)
    assert holder in owners and stranger not in owners
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(url, {"title": "T", "owner": holder.pk, "due_on": yesterday})
    assert response.status_code == 200
    assert "L&#x27;échéance ne peut pas être déjà passée." in response.text
    response = client.post(url, {"title": "T", "owner": stranger.pk, "due_on": yesterday})
    assert "Sélectionnez un choix valide" in response.text
    assert not Task.objects.exists()


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_reads_the_cite_tasks(client, signed_in, creteil, holder, role):
    signed_in(role)
    task_in(creteil, holder, timezone.localdate(), title="Préparer le COPIL")
    response = client.get(reverse("governance:cite_tasks", args=["cite-021"]))
    allowed = role in READERS
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert "Préparer le COPIL" in response.text


def test_cite_tasks_highlight_overdue_ones_and_filter(client, signed_in, creteil, holder, coordinator):
    signed_in(Role.COORDINATOR.value)
    today = timezone.localdate()
    late = task_in(creteil, holder, today - timedelta(days=3), title="Tâche oubliée")
    task_in(creteil, coordinator, today + timedelta(days=3), title="Tâche du coordinateur")
    task_in(creteil, holder, today - timedelta(days=30), title="Tâche faite", status=TaskStatus.DONE)
    url = reverse("governance:cite_tasks", args=["cite-021"])

    response = client.get(url)
    listed = [task.title for task in response.context["page_obj"]]
    assert listed == ["Tâche oubliée", "Tâche du coordinateur"]  # open tasks, by due date
    assert response.text.count("En retard</span>") == 1  # a text badge, not only a colour
    assert reverse("governance:task_update", args=[late.pk]) in response.text

    every = [task.title for task in client.get(url, {"status": "all"}).context["page_obj"]]
    assert every == ["Tâche faite", "Tâche oubliée", "Tâche du coordinateur"]
    done = client.get(url, {"status": "done"}).context["page_obj"]
    assert [task.title for task in done] == ["Tâche faite"]
    by_owner = client.get(url, {"owner": coordinator.pk}).context["page_obj"]
    assert [task.title for task in by_owner] == ["Tâche du coordinateur"]
    page_two = client.get(url, {"status": "all", "page": 2})
    assert page_two.status_code == 200


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_reads_and_changes_a_task(client, signed_in, creteil, holder, role):
    task = task_in(creteil, holder, timezone.localdate())
    signed_in(role)
    url = reverse("governance:task_update", args=[task.pk])
    can_change = role in MANAGERS
    response = client.get(url)
    assert response.status_code == (200 if role in READERS else 403)
    if response.status_code == 200:
        assert (response.context["form"] is not None) == can_change
    response = client.post(url, {"status": TaskStatus.IN_PROGRESS})
    assert response.status_code == (302 if can_change else 403)
    task.refresh_from_db()
    assert (task.status == TaskStatus.IN_PROGRESS) == can_change


def test_the_owner_changes_their_task_even_as_evaluator(client, user_in, creteil):
    evaluator = user_in(Role.EVALUATOR.value, creteil)  # does not read the cité's tasks, but owns this one
    task = task_in(creteil, evaluator, timezone.localdate(), description="Compter les bénéficiaires")
    client.force_login(evaluator)
    url = reverse("governance:task_update", args=[task.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Compter les bénéficiaires" in page.text
    response = client.post(url, {"status": TaskStatus.DONE}, follow=True)
    assert "L&#x27;état de la tâche est enregistré." in response.text
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    assert "Faite le" in response.text and "statut d&#x27;une tâche modifié" in response.text.lower()


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_everyone_signed_in_has_their_own_tasks(client, signed_in, role):
    user = signed_in(role)
    response = client.get(reverse("governance:my_tasks"))
    assert response.status_code == 200
    assert "Aucune tâche ouverte ne vous est confiée." in response.text
    assert response.context["user"] == user


def test_my_tasks_lists_my_open_tasks_across_cites_overdue_first(client, user_in, creteil, other_cite, holder):
    grant(holder, other_cite, Role.PROJECT_HOLDER)
    today = timezone.localdate()
    soon = task_in(creteil, holder, today + timedelta(days=2), title="Bientôt")
    late = task_in(other_cite, holder, today - timedelta(days=5), title="En retard depuis 5 jours")
    later = task_in(creteil, holder, today + timedelta(days=20), title="Plus tard", status=TaskStatus.IN_PROGRESS)
    task_in(creteil, holder, today - timedelta(days=9), title="Déjà faite", status=TaskStatus.DONE)
    task_in(creteil, user_in(Role.COORDINATOR.value, creteil), today, title="Pas à moi")
    client.force_login(holder)
    response = client.get(reverse("governance:my_tasks"))
    assert list(response.context["page_obj"]) == [late, soon, later]
    assert response.text.count("En retard</span>") == 1
    assert other_cite.name in response.text and creteil.name in response.text


def test_a_task_of_a_cite_i_left_is_no_longer_mine_to_see(client, user_in, creteil, other_cite):
    user = user_in(Role.SCHOOL_CONTACT.value, other_cite)
    task_in(creteil, user, timezone.localdate(), title="Ancienne tâche")
    client.force_login(user)
    assert list(client.get(reverse("governance:my_tasks")).context["page_obj"]) == []


def test_the_navigation_offers_my_tasks_to_cite_members(client, user_in, creteil):
    client.force_login(user_in(Role.NATIONAL.value))
    assert ">Mes tâches</a>" not in client.get(reverse("governance:my_tasks")).text
    client.force_login(user_in(Role.SCHOOL_CONTACT.value, creteil))
    page = client.get(reverse("governance:my_tasks")).text
    assert f'href="{reverse("governance:my_tasks")}" aria-current="page">Mes tâches</a>' in page
    cite_page = client.get(reverse("territories:cite_detail", args=["cite-021"])).text
    assert f'href="{reverse("governance:my_tasks")}">Mes tâches</a>' in cite_page


# The cité's home page and the organisation page


def test_the_cite_page_shows_overdue_tasks(client, user_in, creteil, holder):
    today = timezone.localdate()
    for number in range(7):
        task_in(creteil, holder, today - timedelta(days=10 - number), title=f"Retard n°{number}")
    task_in(creteil, holder, today + timedelta(days=1), title="À venir")
    url = reverse("territories:cite_detail", args=["cite-021"])
    client.force_login(user_in(Role.COORDINATOR.value, creteil))
    page = client.get(url).text
    assert "7 tâches de suivi en retard" in page
    assert [f"Retard n°{n}" in page for n in range(7)] == [True] * 5 + [False] * 2  # the five oldest
    assert "À venir" not in page
    assert reverse("governance:cite_tasks", args=["cite-021"]) in page

    for role in (Role.EVALUATOR.value, Role.NATIONAL.value):  # they do not read the cité's tasks
        client.force_login(user_in(role, creteil))
        assert "en retard" not in client.get(url).text


def test_the_cite_page_has_no_alert_without_overdue_task(client, user_in, creteil, holder):
    task_in(creteil, holder, timezone.localdate() - timedelta(days=1), status=TaskStatus.DONE)
    client.force_login(user_in(Role.COORDINATOR.value, creteil))
    assert "en retard" not in client.get(reverse("territories:cite_detail", args=["cite-021"])).text


def test_overdue_alert_queries_are_fixed(client, user_in, creteil, holder):
    client.force_login(user_in(Role.COORDINATOR.value, creteil))
    url = reverse("territories:cite_detail", args=["cite-021"])
    today = timezone.localdate()
    for number in range(6):
        task_in(creteil, holder, today - timedelta(days=number + 1))
    small = count_queries(client, url)
    for number in range(30):
        task_in(creteil, holder, today - timedelta(days=number + 1))
    assert count_queries(client, url) == small


def test_organisation_decisions_lists_only_what_the_user_may_see(user_in, creteil, other_cite):
    organisation = OrganisationFactory(cites=[creteil, other_cite])
    here = DecisionFactory(meeting=MeetingFactory(body=troika_of(creteil)), organisation=organisation, title="Ici")
    DecisionFactory(meeting=MeetingFactory(body=troika_of(other_cite)), organisation=organisation, title="Ailleurs")
    DecisionFactory(meeting=MeetingFactory(body=troika_of(creteil)), title="Sans la structure")
    template = Template("{% load followup_tags %}{% organisation_decisions organisation user %}")

    def render(user):
        return template.render(Context({"organisation": organisation, "user": user}))

    member = render(user_in(Role.PROJECT_HOLDER.value, creteil))
    assert "Ici" in member and "Ailleurs" not in member and "Sans la structure" not in member
    assert reverse("governance:decision_detail", args=[here.pk]) in member
    national = render(user_in(Role.NATIONAL.value))
    assert "Ici" in national and "Ailleurs" in national
    third_cite = Cite.objects.exclude(pk__in=[creteil.pk, other_cite.pk]).first()
    assert "Aucune décision" in render(user_in(Role.COORDINATOR.value, third_cite))


# Query counts


def add_tasks(owner, cites, count: int) -> None:
    today = timezone.localdate()
    for number in range(count):
        cite = cites[number % len(cites)]
        meeting = MeetingFactory(body=troika_of(cite)) if number % 2 else None
        task_in(cite, owner, today + timedelta(days=number - count // 2), meeting=meeting)


def test_my_tasks_queries_do_not_grow(client, user_in, creteil, other_cite, django_assert_max_num_queries):
    user = user_in(Role.COORDINATOR.value, creteil)
    grant(user, other_cite, Role.TROIKA_CITY)
    client.force_login(user)
    url = reverse("governance:my_tasks")
    add_tasks(user, [creteil, other_cite], 3)
    small = count_queries(client, url)
    add_tasks(user, [creteil, other_cite], 30)
    assert count_queries(client, url) == small
    with django_assert_max_num_queries(MAX_QUERIES["my_tasks"]):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 33


def test_cite_tasks_queries_do_not_grow(client, user_in, creteil, django_assert_max_num_queries):
    user = user_in(Role.COORDINATOR.value, creteil)
    client.force_login(user)
    url = reverse("governance:cite_tasks", args=["cite-021"]) + "?status=all"
    add_tasks(user, [creteil], 3)
    small = count_queries(client, url)
    add_tasks(user, [creteil], 30)
    assert count_queries(client, url) == small
    with django_assert_max_num_queries(MAX_QUERIES["cite_tasks"]):
        client.get(url)
