"""The offer's management pages: who opens which page (every role, anonymous, another cité's coordinator), the
activity form with its slots and its French errors, the moderation buttons, the activity prepared from an action
(and its block on the action's page), and the list's fixed query count."""

import html
from datetime import time

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from maillage.core.models import CITE_ROLES, AgeBand, Role, Theme
from maillage.offer import services
from maillage.offer.models import Activity, ActivityStatus, Weekday
from maillage.programme.models import TEAM_ROLES, ActionStatus
from maillage.territories.models import Commune, Qpv
from tests.factories import ActionFactory, OrganisationFactory, holder_of
from tests.offer.factories import WEDNESDAY_AFTERNOON, activity_fields, ludotheque, published_activity
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
READERS = [*(role.value for role in TEAM_ROLES), Role.NATIONAL.value, "admin"]
MODERATORS = [Role.COORDINATOR.value, "admin"]


@pytest.fixture
def organisation(creteil):
    return ludotheque(creteil)


@pytest.fixture
def holder(organisation, creteil):
    return holder_of(organisation, creteil)


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR, creteil, email="coordination@creteil.fr")


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def list_url(anct_id="cite-021") -> str:
    return reverse("offer:activity_list", args=[anct_id])


def create_url(anct_id="cite-021") -> str:
    return reverse("offer:activity_create", args=[anct_id])


def detail_url(activity) -> str:
    return reverse("offer:activity_detail", args=[activity.pk])


def update_url(activity) -> str:
    return reverse("offer:activity_update", args=[activity.pk])


def moderate_url(activity) -> str:
    return reverse("offer:activity_moderate", args=[activity.pk])


def form_data(slots=(("2", "14:00", "16:00"),), **changes) -> dict:
    """What the activity form posts: a complete activity of Créteil, and its slot rows."""
    data = {
        "title": "Aide aux devoirs",
        "summary": "Les devoirs avec des bénévoles, au centre social, après l'école.",
        "description": "Chaque enfant vient avec son cahier de textes ; un goûter est servi.",
        "age_bands": [AgeBand.objects.get(code="6-10").pk],
        "themes": [Theme.objects.get(code="accompagnement-scolaire").pk],
        "place_name": "Centre social Kennedy",
        "address": "36 boulevard Kennedy",
        "commune": Commune.objects.get(insee_code="94028").pk,
        "qpv": Qpv.objects.get(code="QN09405M").pk,
        "latitude": "48,7771",
        "longitude": "2,4631",
        "period": "school_weeks",
        "is_free": "on",
        "how_to_join": "Inscription à l'accueil du centre social.",
        "creneaux-TOTAL_FORMS": "3",
        "creneaux-INITIAL_FORMS": "0",
        "creneaux-MIN_NUM_FORMS": "0",
        "creneaux-MAX_NUM_FORMS": "1000",
    }
    for number, (weekday, starts_at, ends_at) in enumerate(slots):
        data |= {
            f"creneaux-{number}-weekday": weekday,
            f"creneaux-{number}-starts_at": starts_at,
            f"creneaux-{number}-ends_at": ends_at,
        }
    return {**data, **changes}


def draft_of(actor, cite, organisation, **changes) -> Activity:
    return services.create_activity(
        actor=actor, cite=cite, organisation=organisation, slots=WEDNESDAY_AFTERNOON, **activity_fields(**changes)
    )


def pending_of(holder, cite, organisation, **changes) -> Activity:
    activity = draft_of(holder, cite, organisation, **changes)
    return services.submit_activity(actor=holder, activity=activity)


# --- the list --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_opens_the_list(client, user_in, creteil, organisation, holder, role):
    draft_of(holder, creteil, organisation)
    client.force_login(user_in(role, creteil))
    response = client.get(list_url())
    assert response.status_code == 200
    rows = [activity.title for activity in response.context["page_obj"]]
    assert rows == ([] if role == Role.PROJECT_HOLDER else ["Ludothèque du mercredi"])
    assert ("Nouvelle activité" in page_text(response)) == (role in [*MODERATORS, Role.PROJECT_HOLDER])


def test_another_cites_coordinator_and_anonymous_visitors(client, user_in, other_cite, creteil, organisation, holder):
    activity = draft_of(holder, creteil, organisation)
    action = ActionFactory(call__cite=creteil, organisation=organisation, status=ActionStatus.SELECTED)
    client.force_login(user_in(Role.COORDINATOR, other_cite))
    for url in (list_url(), create_url(), detail_url(activity), update_url(activity)):
        assert client.get(url).status_code == 403
    client.logout()
    pages = [list_url(), create_url(), detail_url(activity), update_url(activity)]
    forms = [moderate_url(activity), reverse("offer:activity_from_action", args=[action.pk])]
    for response in [*(client.get(url) for url in pages), *(client.post(url) for url in forms)]:
        assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))
    assert not Activity.objects.exclude(pk=activity.pk).exists()


def test_a_holder_lists_its_own_and_the_coordinator_its_moderation_queue_first(
    client, creteil, organisation, holder, coordinator
):
    neighbour = OrganisationFactory(cites=[creteil], name="Centre social Kennedy", email="kennedy@exemple.fr")
    theirs = draft_of(coordinator, creteil, neighbour, title="Football au city stade")
    mine = draft_of(holder, creteil, organisation)
    waiting = pending_of(holder, creteil, organisation, title="Jeux en famille")
    Activity.objects.filter(pk=theirs.pk).update(updated_at=waiting.updated_at.replace(year=2100))  # newest
    client.force_login(holder)
    response = client.get(list_url())
    assert [a.title for a in response.context["page_obj"]] == ["Jeux en famille", "Ludothèque du mercredi"]
    assert "À modérer" not in page_text(response)
    client.force_login(coordinator)
    response = client.get(list_url())
    assert [a.title for a in response.context["page_obj"]] == [waiting.title, theirs.title, mine.title]
    assert "1 activité attend votre relecture" in page_text(response)
    filtered = client.get(list_url(), {"status": "pending"})
    assert [a.title for a in filtered.context["page_obj"]] == ["Jeux en famille"]
    assert [a.title for a in client.get(list_url(), {"status": "bogus"}).context["page_obj"]] == [
        waiting.title,
        theirs.title,
        mine.title,
    ]


def test_the_list_runs_a_fixed_number_of_queries(client, creteil, organisation, holder, coordinator):
    def grow(count):
        others = OrganisationFactory.create_batch(count, cites=[creteil])
        for number, other in enumerate(others):
            published_activity(creteil, title=f"Activité {number}", organisation=other)
            published_activity(creteil, title=f"Activité de la ludothèque {number}", organisation=organisation)

    counts = {}
    for user in (coordinator, holder):
        client.force_login(user)
        grow(2)
        small = count_queries(client, list_url())
        grow(30)  # two pages
        counts[user.pk] = (small, count_queries(client, list_url()))
    assert counts[coordinator.pk][0] == counts[coordinator.pk][1]
    assert counts[holder.pk][0] == counts[holder.pk][1]


# --- the form --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_opens_the_new_activity_form(client, user_in, creteil, organisation, role):
    client.force_login(user_in(role, creteil))
    assert client.get(create_url()).status_code == (200 if role in MODERATORS else 403)


def test_a_holder_of_an_organisation_writes_an_activity(client, creteil, organisation, holder):
    client.force_login(holder)
    page = client.get(create_url())
    assert page.status_code == 200
    text = page_text(page)
    assert 'for="id_creneaux-0-weekday">Jour (créneau 1)' in text
    assert 'for="id_creneaux-2-ends_at">Heure de fin (créneau 3)' in text
    assert "id_organisation" not in text  # one organisation: not asked
    response = client.post(
        create_url(), form_data(slots=[("2", "14:00", "16:00"), ("", "", ""), ("5", "10:00", "12:00")])
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(activity)
    assert (activity.organisation, activity.status, activity.slug) == (
        organisation,
        ActivityStatus.DRAFT,
        "aide-aux-devoirs",
    )
    assert (activity.latitude, activity.longitude, activity.period) == (48.7771, 2.4631, "school_weeks")
    assert [str(slot) for slot in activity.slots.all()] == ["mercredi 14:00-16:00", "samedi 10:00-12:00"]
    assert activity.contact_email == "accueil@ludotheque.fr"


def test_a_holder_without_organisation_gets_no_form(client, signed_in):
    signed_in(Role.PROJECT_HOLDER)
    response = client.get(create_url())
    assert response.status_code == 403


def test_the_coordinator_chooses_the_organisation(client, creteil, organisation, coordinator):
    neighbour = OrganisationFactory(cites=[creteil], name="Centre social Kennedy", email="kennedy@exemple.fr")
    client.force_login(coordinator)
    response = client.post(create_url(), form_data(organisation=neighbour.pk))
    assert response.status_code == 302
    assert Activity.objects.get().organisation == neighbour


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Remplissez « Titre »."),
        ({"themes": None}, "Choisissez au moins une thématique."),
        ({"latitude": "nord"}, "Saisissez un nombre, par exemple 48,7771."),
        ({"latitude": ""}, "Indiquez la latitude et la longitude du lieu"),
        ({"min_age": "12", "max_age": "8"}, "L'âge maximum (8 ans) est inférieur à l'âge minimum (12 ans)."),
        ({"is_free": None}, "Indiquez le tarif d'une activité payante."),
        ({"creneaux-0-ends_at": "13:00"}, "Le créneau du mercredi doit finir après avoir commencé"),
        ({"creneaux-0-ends_at": ""}, "Indiquez le jour, l'heure de début et l'heure de fin du créneau"),
        ({"creneaux-0-weekday": ""}, "Créneau 1 : Indiquez le jour, l'heure de début et l'heure de fin"),
        (
            {"creneaux-0-weekday": None, "creneaux-0-starts_at": None, "creneaux-0-ends_at": None},
            "Indiquez au moins un créneau hebdomadaire, ou les dates de début et de fin de l'activité.",
        ),
        ({"creneaux-0-starts_at": "midi"}, "Saisissez une heure, par exemple 14:00."),
    ],
)
def test_bad_input_shows_a_french_error_and_writes_nothing(client, creteil, organisation, holder, changes, message):
    client.force_login(holder)
    data = form_data(**changes)
    data = {key: value for key, value in data.items() if value is not None}  # None: left empty
    response = client.post(create_url(), data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_changes_an_activity(client, user_in, creteil, organisation, holder, role):
    activity = draft_of(holder, creteil, organisation)
    client.force_login(user_in(role, creteil))
    assert client.get(update_url(activity)).status_code == (200 if role in MODERATORS else 403)
    client.post(update_url(activity), form_data(title="Changé"))
    activity.refresh_from_db()
    assert (activity.title == "Changé") == (role in MODERATORS)


def test_the_holder_changes_its_activity_through_the_form(client, creteil, other_cite, organisation, holder, user_in):
    activity = draft_of(holder, creteil, organisation)
    client.force_login(holder)
    page = page_text(client.get(update_url(activity)))
    assert 'value="Ludothèque du mercredi"' in page and 'value="14:00"' in page and 'value="48,7771"' in page
    response = client.post(update_url(activity), form_data(title="Jeux du mercredi"))
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.slug) == ("Jeux du mercredi", "jeux-du-mercredi")
    other_holder = holder_of(OrganisationFactory(cites=[creteil]), creteil)
    client.force_login(other_holder)
    assert client.get(update_url(activity)).status_code == 403
    assert client.post(update_url(activity), form_data(title="Pris")).status_code == 403
    client.force_login(user_in(Role.COORDINATOR, other_cite))
    assert client.get(update_url(activity)).status_code == 403


# --- the activity page and its moderation ----------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_who_opens_an_activity(client, user_in, creteil, organisation, holder, role):
    activity = pending_of(holder, creteil, organisation)
    client.force_login(user_in(role, creteil))
    response = client.get(detail_url(activity))
    assert response.status_code == (200 if role in READERS else 403)
    if response.status_code == 200:
        text = page_text(response)
        assert ("Publier" in text and "Refuser" in text) == (role in MODERATORS)
        assert ("Modifier" in text) == (role in MODERATORS)


def test_the_activity_page_for_its_holder_another_holder_and_anonymous(client, creteil, organisation, holder):
    activity = draft_of(holder, creteil, organisation)
    client.force_login(holder)
    text = page_text(client.get(detail_url(activity)))
    assert "Soumettre à la modération" in text and "Modifier" in text
    assert "Ce que verra le public" in text and "le mercredi de 14:00 à 16:00" in text
    assert "Activité de l'offre publique rédigée (brouillon)" in text  # the history
    client.force_login(holder_of(OrganisationFactory(cites=[creteil]), creteil))
    assert client.get(detail_url(activity)).status_code == 403
    client.logout()
    assert client.get(detail_url(activity)).status_code == 302
    assert client.get(reverse("offer:activity_detail", args=[999999])).status_code == 302


def test_another_cites_coordinator_does_not_open_an_activity(
    client, user_in, creteil, other_cite, organisation, holder
):
    activity = draft_of(holder, creteil, organisation)
    client.force_login(user_in(Role.COORDINATOR, other_cite))
    assert client.get(detail_url(activity)).status_code == 403
    assert client.post(moderate_url(activity), {"decision": "publish"}).status_code == 403


def test_the_holder_submits_and_the_coordinator_publishes(
    client, creteil, organisation, holder, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    activity = draft_of(holder, creteil, organisation)
    client.force_login(holder)
    assert client.get(moderate_url(activity)).status_code == 405
    assert client.post(moderate_url(activity), {"decision": "publish"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(moderate_url(activity), {"decision": "submit"}, follow=True)
    assert "L'activité est soumise à la coordination de la cité" in page_text(response)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PENDING and mailoutbox[-1].to == ["coordination@creteil.fr"]
    client.force_login(coordinator)
    response = client.post(moderate_url(activity), {"decision": "publish"}, follow=True)
    assert "L'activité est publiée" in page_text(response)
    assert activity.get_absolute_url() in page_text(response)  # the link to the public page
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED


def test_a_refusal_without_a_note_is_refused_on_the_page(client, creteil, organisation, holder, coordinator):
    activity = pending_of(holder, creteil, organisation)
    client.force_login(coordinator)
    response = client.post(moderate_url(activity), {"decision": "refuse", "note": ""})
    assert response.status_code == 200
    assert "Expliquez pourquoi l'activité est refusée" in page_text(response)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PENDING
    response = client.post(moderate_url(activity), {"decision": "refuse", "note": "Ajoutez les horaires d'été."})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.REFUSED
    client.force_login(holder)
    text = page_text(client.get(detail_url(activity)))
    assert "Ajoutez les horaires d'été." in text and "Soumettre à la modération" in text


@pytest.mark.parametrize("role", [role for role in EVERY_ROLE if role not in MODERATORS])
def test_only_moderators_moderate(client, user_in, creteil, organisation, holder, role):
    activity = pending_of(holder, creteil, organisation)
    client.force_login(user_in(role, creteil))
    assert client.post(moderate_url(activity), {"decision": "publish"}).status_code == 403
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PENDING


def test_an_incomplete_activity_says_what_it_lacks(client, creteil, organisation, holder):
    activity = draft_of(holder, creteil, organisation)
    Activity.objects.filter(pk=activity.pk).update(how_to_join="")
    client.force_login(holder)
    text = page_text(client.get(detail_url(activity)))
    assert "Expliquez comment participer" in text and "Soumettre à la modération" not in text
    response = client.post(moderate_url(activity), {"decision": "submit"})
    assert response.status_code == 200 and "Expliquez comment participer" in page_text(response)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DRAFT


# --- from an action --------------------------------------------------------------------------------------------


@pytest.fixture
def selected_action(creteil, organisation):
    action = ActionFactory(
        call__cite=creteil, organisation=organisation, title="Échecs au collège", status=ActionStatus.SELECTED
    )
    action.age_bands.set([AgeBand.objects.get(code="11-14")])
    return action


def action_offer_block(action, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load offer_tags %}{% action_offer action %}")
    return html.unescape(template.render(Context({"action": action, "request": request})))


def test_the_holder_publishes_its_action_from_the_action_page(client, creteil, selected_action, holder, coordinator):
    url = reverse("offer:activity_from_action", args=[selected_action.pk])
    assert "Publier dans l'offre publique" in action_offer_block(selected_action, holder)
    assert action_offer_block(selected_action, coordinator).strip() == ""
    client.force_login(holder)
    assert client.get(url).status_code == 405
    response = client.post(url)
    activity = Activity.objects.get(action=selected_action)
    assert response.status_code == 302 and response["Location"] == update_url(activity)
    assert client.post(url)["Location"] == update_url(activity)  # the same one
    assert Activity.objects.count() == 1
    block = action_offer_block(selected_action, holder)
    assert "Publier dans l'offre publique" not in block and detail_url(activity) in block
    assert detail_url(activity) in action_offer_block(selected_action, coordinator)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_nobody_else_publishes_an_action_but_an_administrator(client, user_in, creteil, selected_action, role):
    client.force_login(user_in(role, creteil))
    response = client.post(reverse("offer:activity_from_action", args=[selected_action.pk]))
    assert response.status_code == (302 if role == "admin" else 403)
    assert Activity.objects.filter(action=selected_action).exists() == (role == "admin")


def test_an_action_not_selected_is_not_published(client, creteil, organisation, holder):
    action = ActionFactory(call__cite=creteil, organisation=organisation, status=ActionStatus.SUBMITTED)
    assert action_offer_block(action, holder).strip() == ""
    client.force_login(holder)
    assert client.post(reverse("offer:activity_from_action", args=[action.pk])).status_code == 403


def test_the_block_links_the_published_activity_for_everyone(creteil, selected_action, holder, user_in):
    activity = services.activity_from_action(actor=holder, action=selected_action)
    Activity.objects.filter(pk=activity.pk).update(status=ActivityStatus.PUBLISHED)
    block = action_offer_block(selected_action, user_in(Role.NATIONAL))
    assert activity.get_absolute_url() in block and "Voir la page publique" in block


def test_slots_keep_their_order_of_weekdays(client, creteil, organisation, holder):
    client.force_login(holder)
    client.post(create_url(), form_data(slots=[("4", "17:00", "18:00"), ("0", "17:00", "18:00")]))
    assert [slot.weekday for slot in Activity.objects.get().slots.all()] == [Weekday.MONDAY, Weekday.FRIDAY]
    assert Activity.objects.get().slots.first().starts_at == time(17)


def test_the_form_round_trip_keeps_removes_and_adds_slots(client, creteil, organisation, holder):
    """As a browser does: the page's own management form (one existing slot, three empty rows)."""
    activity = draft_of(holder, creteil, organisation)
    client.force_login(holder)
    page = page_text(client.get(update_url(activity)))
    assert 'name="creneaux-TOTAL_FORMS" value="4"' in page and 'name="creneaux-INITIAL_FORMS" value="1"' in page
    data = form_data(slots=[("", "", ""), ("1", "17:00", "18:30")])
    data |= {"creneaux-TOTAL_FORMS": "4", "creneaux-INITIAL_FORMS": "1"}
    assert client.post(update_url(activity), data).status_code == 302
    assert [str(slot) for slot in activity.slots.all()] == ["mardi 17:00-18:30"]
    data = form_data(slots=[("1", "17:00", "18:30")]) | {"creneaux-TOTAL_FORMS": "4", "creneaux-INITIAL_FORMS": "1"}
    assert client.post(update_url(activity), data).status_code == 302  # kept as it is
    assert [str(slot) for slot in activity.slots.all()] == ["mardi 17:00-18:30"]
