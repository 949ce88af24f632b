"""The objective tree of a cité: services (two levels, titles, order, deactivation, events) and pages (every
role, the coordinator's edits, a fixed query count on the programme home)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Event, Role, Verb
from maillage.programme.models import NationalObjective, Objective
from maillage.programme.services.objectives import (
    add_objective,
    move_objective,
    objective_tree,
    rename_objective,
    set_objective_active,
)
from tests.factories import ActionFactory, CallFactory, ObjectiveFactory
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
MANAGERS = {Role.COORDINATOR.value, "admin"}


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil)


@pytest.fixture
def axis(creteil, coordinator):
    return add_objective(
        actor=coordinator, cite=creteil, national_objective=NationalObjective.SCHOOL, title="Lire et écrire"
    )


# --- Services -------------------------------------------------------------------------------------------------


def test_an_axis_and_its_operational_objectives_are_added_in_order(creteil, coordinator, axis):
    first = add_objective(actor=coordinator, cite=creteil, parent=axis, title="Un club de lecture par collège")
    second = add_objective(actor=coordinator, cite=creteil, parent=axis, title="Des parents lecteurs")
    assert axis.is_axis and axis.position == 1
    assert (first.parent, first.national_objective, first.position) == (axis, NationalObjective.SCHOOL, 1)
    assert second.position == 2
    event = Event.objects.for_object(first).get()
    assert event.verb == Verb.CREATED and event.cite == creteil and event.actor == coordinator
    assert event.after["axe local"] == "Lire et écrire"


def test_the_tree_has_two_levels_only(creteil, coordinator, axis):
    operational = add_objective(actor=coordinator, cite=creteil, parent=axis, title="Un club de lecture")
    with pytest.raises(ValidationError) as error:
        add_objective(actor=coordinator, cite=creteil, parent=operational, title="Trop profond")
    assert "deux niveaux" in error.value.message_dict["parent"][0]
    assert Objective.objects.filter(cite=creteil).count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"national_objective": "unknown", "title": "Un axe"}, "national_objective", "trois objectifs nationaux"),
        ({"national_objective": NationalObjective.SCHOOL, "title": "  "}, "title", "Donnez un intitulé"),
        ({"national_objective": NationalObjective.HORIZONS, "title": "lire ET écrire"}, "title", "existe déjà"),
    ],
)
def test_bad_objectives_are_refused_and_nothing_is_written(creteil, coordinator, axis, kwargs, field, message):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as error:
        add_objective(actor=coordinator, cite=creteil, **kwargs)
    assert message in error.value.message_dict[field][0]
    assert Objective.objects.filter(cite=creteil).count() == 1
    assert Event.objects.count() == events


def test_an_axis_of_another_cite_is_no_parent(creteil, other_cite, coordinator):
    elsewhere = ObjectiveFactory(cite=other_cite)
    with pytest.raises(ValidationError) as error:
        add_objective(actor=coordinator, cite=creteil, parent=elsewhere, title="Ailleurs")
    assert "n'appartient pas" in error.value.message_dict["parent"][0]


def test_rename_logs_before_and_after_and_refuses_a_sibling_title(creteil, coordinator, axis):
    add_objective(actor=coordinator, cite=creteil, national_objective=NationalObjective.CONTINUITY, title="Parents")
    assert rename_objective(actor=coordinator, objective=axis, title="Lire, écrire, parler")
    axis.refresh_from_db()
    assert axis.title == "Lire, écrire, parler"
    event = Event.objects.for_object(axis).first()
    assert (event.before, event.after) == ({"intitulé": "Lire et écrire"}, {"intitulé": "Lire, écrire, parler"})
    assert not rename_objective(actor=coordinator, objective=axis, title="Lire, écrire, parler")
    with pytest.raises(ValidationError):
        rename_objective(actor=coordinator, objective=axis, title="parents")
    axis.refresh_from_db()
    assert axis.title == "Lire, écrire, parler"


def test_move_swaps_with_the_neighbour(creteil, coordinator, axis):
    other = add_objective(actor=coordinator, cite=creteil, national_objective=NationalObjective.SCHOOL, title="Oral")
    elsewhere = add_objective(
        actor=coordinator, cite=creteil, national_objective=NationalObjective.HORIZONS, title="Sciences"
    )
    assert not move_objective(actor=coordinator, objective=axis, step=-1)  # already first
    assert move_objective(actor=coordinator, objective=other, step=-1)
    school = objective_tree(creteil)[0]
    assert [node.title for node in school.axes] == ["Oral", "Lire et écrire"]
    elsewhere.refresh_from_db()
    assert elsewhere.position == 1  # another national objective's axes keep their order


def test_deactivating_an_axis_keeps_it_and_its_objectives_on_the_actions(creteil, coordinator, axis):
    operational = add_objective(actor=coordinator, cite=creteil, parent=axis, title="Un club de lecture")
    action = ActionFactory(call=CallFactory(cite=creteil))
    action.objectives.add(operational)
    assert set_objective_active(actor=coordinator, objective=axis, is_active=False)
    operational.refresh_from_db()
    assert not operational.is_active and action.objectives.get() == operational
    assert [branch.axes for branch in objective_tree(creteil, active_only=True)] == [[], [], []]
    with pytest.raises(ValidationError):
        set_objective_active(actor=coordinator, objective=operational, is_active=True)  # its axis first
    assert set_objective_active(actor=coordinator, objective=axis, is_active=True)
    assert not set_objective_active(actor=coordinator, objective=axis, is_active=True)
    assert Event.objects.for_object(operational).filter(summary__contains="avec son axe").exists()


def test_the_tree_groups_axes_under_each_national_objective(creteil, coordinator, axis):
    add_objective(actor=coordinator, cite=creteil, parent=axis, title="Un club de lecture")
    add_objective(actor=coordinator, cite=creteil, national_objective=NationalObjective.HORIZONS, title="Sciences")
    tree = objective_tree(creteil)
    assert [branch.national_objective for branch in tree] == list(NationalObjective)
    assert [axis.title for axis in tree[0].axes] == ["Lire et écrire"]
    assert [node.title for node in tree[0].axes[0].operational] == ["Un club de lecture"]
    assert tree[1].axes == [] and [axis.title for axis in tree[2].axes] == ["Sciences"]


# --- Pages ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_every_member_reads_the_tree_and_the_programme_home(client, user_in, creteil, axis, role):
    client.force_login(user_in(role, creteil))
    for name in ("programme:objectives", "programme:cite_programme"):
        response = client.get(reverse(name, args=[creteil.anct_id]))
        assert response.status_code == 200, name
        assert "Lire et écrire" in response.text
        assert "Conforter le rôle de l" in response.text
    tree = client.get(reverse("programme:objectives", args=[creteil.anct_id]))
    assert ("Ajouter un axe local" in tree.text) == (role in MANAGERS)


@pytest.mark.parametrize("role", [role.value for role in CITE_ROLES])
def test_another_cite_is_refused(client, user_in, other_cite, creteil, axis, role):
    client.force_login(user_in(role, other_cite))
    for name in ("programme:objectives", "programme:cite_programme"):
        assert client.get(reverse(name, args=[creteil.anct_id])).status_code == 403
    assert client.post(reverse("programme:objective_update", args=[axis.pk]), {"title": "X"}).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, creteil, axis):
    response = client.get(reverse("programme:objectives", args=[creteil.anct_id]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("role", [role for role in EVERY_ROLE if role not in MANAGERS])
def test_only_the_coordinator_edits_the_tree(client, user_in, creteil, axis, role):
    client.force_login(user_in(role, creteil))
    create = reverse("programme:objective_create", args=[creteil.anct_id])
    assert (
        client.post(create, {"kind": "axis", "axe-national_objective": "school", "axe-title": "X"}).status_code == 403
    )
    assert client.post(reverse("programme:objective_update", args=[axis.pk]), {"title": "X"}).status_code == 403
    assert client.post(reverse("programme:objective_move", args=[axis.pk]), {"direction": "up"}).status_code == 403
    assert client.post(reverse("programme:objective_set_active", args=[axis.pk]), {"is_active": "0"}).status_code == 403
    axis.refresh_from_db()
    assert (axis.title, axis.is_active, Objective.objects.count()) == ("Lire et écrire", True, 1)


def test_the_coordinator_builds_the_tree_through_the_pages(client, coordinator, creteil, axis):
    client.force_login(coordinator)
    create = reverse("programme:objective_create", args=[creteil.anct_id])
    response = client.post(create, {"kind": "axis", "axe-national_objective": "continuity", "axe-title": "Parents"})
    assert response.status_code == 302
    parents = Objective.objects.get(title="Parents")
    assert parents.national_objective == NationalObjective.CONTINUITY
    response = client.post(create, {"kind": "operational", "objectif-parent": axis.pk, "objectif-title": "Club"})
    assert response.status_code == 302 and Objective.objects.get(title="Club").parent == axis
    response = client.post(reverse("programme:objective_update", args=[parents.pk]), {"title": "Les parents"})
    assert response.status_code == 302
    client.post(reverse("programme:objective_set_active", args=[parents.pk]), {"is_active": "0"})
    parents.refresh_from_db()
    assert (parents.title, parents.is_active) == ("Les parents", False)
    page = client.get(reverse("programme:objectives", args=[creteil.anct_id]))
    assert "Plus en vigueur" in page.text and "Remettre en vigueur" in page.text


def test_a_bad_objective_shows_a_french_error_and_writes_nothing(client, coordinator, creteil, axis):
    client.force_login(coordinator)
    create = reverse("programme:objective_create", args=[creteil.anct_id])
    response = client.post(create, {"kind": "axis", "axe-national_objective": "school", "axe-title": "Lire et écrire"})
    assert response.status_code == 200
    assert "existe déjà parmi les axes locaux" in response.text
    response = client.post(create, {"kind": "operational", "objectif-title": "Sans axe"})
    assert "Choisissez l&#x27;axe sous lequel ranger l&#x27;objectif." in response.text
    assert Objective.objects.count() == 1


def test_the_programme_home_shows_calls_requests_and_links(client, coordinator, creteil):
    CallFactory(cite=creteil, title="Appel 2025")
    CallFactory(cite=creteil, title="Appel en préparation", is_published=False)
    client.force_login(coordinator)
    response = client.get(reverse("programme:cite_programme", args=[creteil.anct_id]))
    text = response.text
    assert "Appel 2025" in text and "Appel en préparation" in text and "Non publié" in text
    assert reverse("programme:action_list", args=[creteil.anct_id]) in text
    assert reverse("funding:dashboard", args=[creteil.anct_id]) in text
    assert "Aucune demande de compte n'attend de réponse." in text


def test_a_project_holder_sees_published_calls_only(client, user_in, creteil):
    CallFactory(cite=creteil, title="Appel 2025")
    CallFactory(cite=creteil, title="Appel en préparation", is_published=False)
    client.force_login(user_in(Role.PROJECT_HOLDER.value, creteil))
    text = client.get(reverse("programme:cite_programme", args=[creteil.anct_id])).text
    assert "Appel 2025" in text and "Appel en préparation" not in text
    assert "Demandes de compte" not in text


def test_the_navigation_leads_to_the_programme(client, coordinator, creteil):
    client.force_login(coordinator)
    response = client.get(reverse("programme:objectives", args=[creteil.anct_id]))
    link = f'href="{reverse("programme:cite_programme", args=[creteil.anct_id])}" aria-current="page">Programme'
    assert link in response.text


def test_the_programme_home_costs_the_same_whatever_the_tree(client, coordinator, creteil):
    client.force_login(coordinator)
    url = reverse("programme:cite_programme", args=[creteil.anct_id])

    def grow(count):
        for n in range(count):
            axis = ObjectiveFactory(cite=creteil, national_objective=NationalObjective.values[n % 3])
            ObjectiveFactory(cite=creteil, national_objective=axis.national_objective, parent=axis)
            CallFactory(cite=creteil)

    grow(2)
    small = count_queries(client, url)
    grow(8)
    assert count_queries(client, url) == small
