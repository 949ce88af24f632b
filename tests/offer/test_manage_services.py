"""Writing and moderating the public offer (services): every rule of an activity with its French message and
nothing written, the address (slug), who writes what, the moderation's statuses and e-mails, and the activity
prepared from an action. Also the `published_activity` test helper that the other offer tests use."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import AgeBand, Event, Role, Theme, Verb
from maillage.offer import services
from maillage.offer.models import Activity, ActivityStatus, Period, Weekday
from maillage.programme.models import Action, ActionStatus
from maillage.territories.models import Commune, Qpv, School
from tests.factories import ActionFactory, ContactFactory, OrganisationFactory, SchoolFactory, holder_of
from tests.offer.factories import WEDNESDAY_AFTERNOON, activity_fields, ludotheque, published_activity


@pytest.fixture
def organisation(creteil):
    return ludotheque(creteil)


@pytest.fixture
def holder(organisation, creteil):
    return holder_of(organisation, creteil, email="porteuse@ludotheque.fr")


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR, creteil, email="coordination@creteil.fr")


def band(code):
    return AgeBand.objects.get(code=code)


def create(actor, cite, organisation, *, slots=WEDNESDAY_AFTERNOON, **changes) -> Activity:
    fields = activity_fields(**changes)
    return services.create_activity(actor=actor, cite=cite, organisation=organisation, slots=slots, **fields)


def update(actor, activity, *, slots=WEDNESDAY_AFTERNOON, **changes) -> Activity:
    return services.update_activity(actor=actor, activity=activity, slots=slots, **activity_fields(**changes))


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- the test helper -------------------------------------------------------------------------------------------


def test_published_activity_helper(creteil):
    first = published_activity(creteil, themes=("sport",), times_of_day=("periscolaire",))
    second = published_activity(creteil, min_age=None, max_age=None, weekday=None)
    assert (first.slug, second.slug) == ("club-dechecs-du-mercredi", "club-dechecs-du-mercredi-2")
    assert list(Activity.objects.published().order_by("pk")) == [first, second]
    assert [b.code for b in first.age_bands.all()] == ["6-10"]
    assert [b.code for b in second.age_bands.all()] == ["parents"]
    assert [t.code for t in first.themes.all()] == ["sport"]
    assert first.commune.insee_code == "94028"
    assert str(first.slots.get()) == "mercredi 14:00-16:00"
    assert not second.slots.exists()
    assert services.missing_for_publication(first) == {}


# --- writing ---------------------------------------------------------------------------------------------------


def test_a_holder_writes_a_draft_completed_from_the_age_bands_and_the_organisation(holder, organisation, creteil):
    activity = create(holder, creteil, organisation, age_bands=[band("6-10"), band("11-14")])
    assert activity.status == ActivityStatus.DRAFT
    assert activity.slug == "ludotheque-du-mercredi"
    assert (activity.min_age, activity.max_age) == (6, 14)
    assert (activity.contact_email, activity.contact_phone) == ("accueil@ludotheque.fr", "01 45 17 00 00")
    assert activity.created_by == holder
    assert [str(slot) for slot in activity.slots.all()] == ["mercredi 14:00-16:00"]
    event = Event.objects.for_object(activity).get()
    assert event.verb == Verb.CREATED and event.actor == holder
    assert event.after["titre"] == "Ludothèque du mercredi" and event.after["créneaux"] == ["mercredi 14:00-16:00"]
    assert event.after["publics"] == ["11-14 ans", "6-10 ans"] and event.after["gratuit"] == "oui"


def test_typed_ages_win_over_the_age_bands(holder, organisation, creteil):
    activity = create(holder, creteil, organisation, min_age=8, max_age=None)
    assert (activity.min_age, activity.max_age) == (8, 10)


def test_a_parents_activity_has_no_ages_and_dates_replace_the_slots(holder, organisation, creteil):
    activity = create(
        holder,
        creteil,
        organisation,
        slots=[],
        age_bands=[band("parents")],
        starts_on=date(2025, 7, 7),
        ends_on=date(2025, 7, 11),
        period=Period.HOLIDAYS,
    )
    assert (activity.min_age, activity.max_age) == (None, None)
    assert not activity.slots.exists() and activity.period == Period.HOLIDAYS


def test_a_school_of_the_cite_gives_the_place(holder, organisation, creteil):
    school = School.objects.get(uai="0940006W")
    activity = create(
        holder, creteil, organisation, school=school, address="", place_name="", latitude=None, longitude=None
    )
    assert (activity.latitude, activity.longitude) == (school.latitude, school.longitude)
    assert (activity.place_name, activity.address, activity.commune) == (school.name, school.address, school.commune)


def test_a_free_activity_has_no_price_and_a_paying_one_keeps_it(holder, organisation, creteil):
    free = create(holder, creteil, organisation, price="5 €")
    paying = create(holder, creteil, organisation, title="Stage de théâtre", is_free=False, price="20 € la semaine")
    assert free.price == "" and paying.price == "20 € la semaine"


def ages(low, high):
    return {"min_age": low, "max_age": high}


INVALID = [
    ({"title": "  "}, "title", "Donnez un titre"),
    ({"title": "x" * 201}, "title", "200 caractères au plus"),
    ({"summary": ""}, "summary", "en une ou deux phrases"),
    ({"description": ""}, "description", "Décrivez l'activité"),
    ({"how_to_join": ""}, "how_to_join", "Expliquez comment participer"),
    ({"age_bands": []}, "age_bands", "Choisissez au moins un public"),
    ({"themes": []}, "themes", "Choisissez au moins une thématique"),
    (ages(12, 8), "max_age", "L'âge maximum (8 ans) est inférieur à l'âge minimum (12 ans)."),
    (ages(None, 30), "max_age", "L'âge maximum s'écrit de 0 à 25 ans."),
    ({"slots": []}, "slots", "Indiquez au moins un créneau hebdomadaire, ou les dates"),
    ({"slots": [(Weekday.MONDAY, time(17), time(16))]}, "slots", "Le créneau du lundi doit finir après"),
    ({"slots": [(9, time(14), time(16))]}, "slots", "Choisissez le jour de chaque créneau."),
    ({"starts_on": date(2025, 9, 1), "ends_on": date(2025, 6, 1)}, "ends_on", "La fin de l'activité précède"),
    ({"period": "always"}, "period", "Choisissez la période"),
    ({"latitude": None}, "latitude", "Indiquez la latitude et la longitude du lieu"),
    ({"latitude": 148.0}, "latitude", "Ces coordonnées n'existent pas"),
    ({"address": ""}, "address", "Indiquez l'adresse du lieu"),
    ({"commune": None}, "commune", "Choisissez la commune du lieu."),
    ({"is_free": False, "price": ""}, "price", "Indiquez le tarif d'une activité payante."),
    ({"registration_url": "inscription"}, "registration_url", "Saisissez un lien complet"),
    ({"contact_email": "pas-une-adresse"}, "contact_email", "Saisissez une adresse e-mail valide"),
]


@pytest.mark.parametrize(("changes", "field", "message"), INVALID)
def test_every_rule_has_a_french_message_and_nothing_is_written(holder, organisation, creteil, changes, field, message):
    changes = dict(changes)
    slots = changes.pop("slots", WEDNESDAY_AFTERNOON)
    events = Event.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        create(holder, creteil, organisation, slots=slots, **changes)
    assert message in " ".join(errors_of(excinfo)[field])
    assert not Activity.objects.exists() and Event.objects.count() == events


def test_the_place_belongs_to_the_cite(holder, organisation, creteil, other_cite):
    elsewhere = SchoolFactory(commune=Commune.objects.get(insee_code="72003"))
    with pytest.raises(ValidationError) as excinfo:
        create(
            holder,
            creteil,
            organisation,
            commune=Commune.objects.get(insee_code="72003"),
            qpv=Qpv.objects.get(code="QN07202I"),
            school=elsewhere,
        )
    errors = errors_of(excinfo)
    assert errors["commune"] == ["Allonnes n'est pas une commune de la cité Créteil."]
    assert errors["qpv"] == ["Choisissez un quartier prioritaire de la cité."]
    assert errors["school"] == ["Choisissez un établissement scolaire de la cité."]
    assert not Activity.objects.exists()


def test_a_way_to_join_is_required_and_never_a_persons_address(holder, creteil):
    silent = OrganisationFactory(cites=[creteil], name="Club sans adresse")
    ContactFactory(organisation=silent, email="marie.dupont@exemple.fr")
    its_holder = holder_of(silent, creteil)
    with pytest.raises(ValidationError) as excinfo:
        create(its_holder, creteil, silent)
    assert errors_of(excinfo)["contact_email"] == [
        "Indiquez au moins un moyen de joindre la structure : e-mail, téléphone ou lien d'inscription."
    ]
    for personal in ("Marie.Dupont@exemple.fr", its_holder.email):
        with pytest.raises(ValidationError) as excinfo:
            create(its_holder, creteil, silent, contact_email=personal)
        assert "celle d'une personne" in errors_of(excinfo)["contact_email"][0]
    assert not Activity.objects.exists()
    by_link = create(its_holder, creteil, silent, registration_url="https://club.exemple.fr")
    assert by_link.contact_email == "" and by_link.registration_url == "https://club.exemple.fr"


def test_unknown_fields_are_a_programming_error(holder, organisation, creteil):
    with pytest.raises(TypeError):
        create(holder, creteil, organisation, colour="bleu")


# --- the address (slug) ----------------------------------------------------------------------------------------


def test_the_slug_is_unique_in_the_cite_and_free_in_another(holder, organisation, creteil, other_cite, user_in):
    first = create(holder, creteil, organisation)
    second = create(holder, creteil, organisation)
    third = create(holder, creteil, organisation)
    assert [first.slug, second.slug, third.slug] == [
        "ludotheque-du-mercredi",
        "ludotheque-du-mercredi-2",
        "ludotheque-du-mercredi-3",
    ]
    there = published_activity(other_cite, title="Ludothèque du mercredi", commune=other_cite.communes.get())
    assert there.slug == "ludotheque-du-mercredi"


def test_the_slug_follows_the_title_until_the_first_publication(holder, coordinator, organisation, creteil):
    activity = create(holder, creteil, organisation)
    create(holder, creteil, organisation, title="Jeux en famille")
    update(holder, activity, title="Jeux en famille")
    activity.refresh_from_db()
    assert activity.slug == "jeux-en-famille-2"
    update(holder, activity, title="Jeux en famille")
    activity.refresh_from_db()
    assert activity.slug == "jeux-en-famille-2"  # its own slug is not "taken"
    services.submit_activity(actor=holder, activity=activity)
    services.moderate_activity(actor=coordinator, activity=activity, decision="publish")
    update(holder, activity, title="Jeux de société")
    activity.refresh_from_db()
    assert (activity.title, activity.slug) == ("Jeux de société", "jeux-en-famille-2")


# --- who writes ------------------------------------------------------------------------------------------------


def test_a_holder_writes_only_its_own_organisations_activities(holder, organisation, creteil, coordinator):
    neighbour = OrganisationFactory(cites=[creteil], name="Centre social Kennedy", email="kennedy@exemple.fr")
    with pytest.raises(ValidationError) as excinfo:
        create(holder, creteil, neighbour)
    assert errors_of(excinfo)["organisation"] == [
        "Vous n'écrivez que les activités des structures que vous représentez dans la cité."
    ]
    theirs = create(coordinator, creteil, neighbour)
    before = theirs.title
    with pytest.raises(ValidationError, match="Seuls la coordination de la cité et le porteur"):
        update(holder, theirs, title="Pris")
    theirs.refresh_from_db()
    assert theirs.title == before and Activity.objects.count() == 1


def test_the_coordinator_writes_for_organisations_of_the_cite_only(coordinator, creteil, other_cite):
    outside = OrganisationFactory(cites=[other_cite], name="Association d'Allonnes", email="a@exemple.fr")
    with pytest.raises(ValidationError) as excinfo:
        create(coordinator, creteil, outside)
    assert errors_of(excinfo)["organisation"] == ["Association d'Allonnes n'intervient pas dans la cité Créteil."]


@pytest.mark.parametrize("role", [Role.TROIKA_STATE, Role.GRANT_OFFICER, Role.EVALUATOR, Role.NATIONAL])
def test_other_roles_write_nothing(user_in, creteil, organisation, role):
    with pytest.raises(ValidationError, match="écrivent son offre publique"):
        create(user_in(role, creteil), creteil, organisation)
    assert not Activity.objects.exists()


def test_a_coordinator_of_another_cite_writes_nothing_here(user_in, other_cite, creteil, organisation):
    with pytest.raises(ValidationError):
        create(user_in(Role.COORDINATOR, other_cite), creteil, organisation)


# --- moderation ------------------------------------------------------------------------------------------------


def test_submit_then_publish_emails_the_coordinator_then_the_holders(
    holder, coordinator, organisation, creteil, mailoutbox, django_capture_on_commit_callbacks
):
    activity = create(holder, creteil, organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_activity(actor=holder, activity=activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PENDING
    assert mailoutbox[-1].to == ["coordination@creteil.fr"]
    assert mailoutbox[-1].subject == "Activité à modérer : « Ludothèque du mercredi » — Créteil"
    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_activity(actor=coordinator, activity=activity, decision="publish")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED and activity.published_at is not None
    assert mailoutbox[-1].to == ["porteuse@ludotheque.fr"]
    assert mailoutbox[-1].subject == "Votre activité « Ludothèque du mercredi » est publiée"
    summaries = list(Event.objects.for_object(activity).order_by("pk").values_list("verb", "summary"))
    assert summaries[1:] == [
        (Verb.UPDATED, "Activité soumise à la modération"),
        (Verb.UPDATED, "Activité publiée"),
    ]


def test_a_refusal_needs_a_note_emailed_to_the_holders_and_the_activity_comes_back(
    holder, coordinator, organisation, creteil, mailoutbox, django_capture_on_commit_callbacks
):
    activity = create(holder, creteil, organisation)
    services.submit_activity(actor=holder, activity=activity)
    with pytest.raises(ValidationError) as excinfo:
        services.moderate_activity(actor=coordinator, activity=activity, decision="refuse", note="  ")
    assert "Expliquez pourquoi l'activité est refusée" in errors_of(excinfo)["note"][0]
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        services.moderate_activity(
            actor=coordinator, activity=activity, decision="refuse", note="Précisez l'adresse exacte."
        )
    activity.refresh_from_db()
    assert (activity.status, activity.moderation_note) == (ActivityStatus.REFUSED, "Précisez l'adresse exacte.")
    assert mailoutbox[-1].to == ["porteuse@ludotheque.fr"]
    assert "Précisez l'adresse exacte." in mailoutbox[-1].body and "refusée" in mailoutbox[-1].subject
    # Corrected and submitted again.
    update(holder, activity, address="3 place de l'Abbaye")
    services.submit_activity(actor=holder, activity=activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PENDING


def test_withdrawing_a_published_activity_needs_a_note(holder, coordinator, organisation, creteil):
    activity = create(holder, creteil, organisation)
    services.submit_activity(actor=holder, activity=activity)
    with pytest.raises(ValidationError) as excinfo:
        services.moderate_activity(actor=coordinator, activity=activity, decision="withdraw", note="Fermée")
    assert errors_of(excinfo)["decision"] == [
        "Une activité en attente de modération ne peut pas être retirée de l'offre publique."
    ]
    services.moderate_activity(actor=coordinator, activity=activity, decision="publish")
    with pytest.raises(ValidationError) as excinfo:
        services.moderate_activity(actor=coordinator, activity=activity, decision="withdraw")
    assert "retirée" in errors_of(excinfo)["note"][0]
    services.moderate_activity(actor=coordinator, activity=activity, decision="withdraw", note="La salle a fermé.")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.WITHDRAWN and activity.moderation_note == "La salle a fermé."
    with pytest.raises(ValidationError) as excinfo:
        services.moderate_activity(actor=coordinator, activity=activity, decision="publish")
    assert errors_of(excinfo)["decision"] == ["Une activité retirée ne peut pas être publiée."]
    services.submit_activity(actor=holder, activity=activity)  # corrected, it comes back to moderation
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PENDING


def test_only_the_coordinator_or_an_administrator_moderates(holder, organisation, creteil, user_in, other_cite):
    activity = create(holder, creteil, organisation)
    services.submit_activity(actor=holder, activity=activity)
    for actor in (holder, user_in(Role.TROIKA_CITY, creteil), user_in(Role.COORDINATOR, other_cite)):
        with pytest.raises(ValidationError, match="Seule la coordination de la cité modère"):
            services.moderate_activity(actor=actor, activity=activity, decision="publish")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PENDING
    services.moderate_activity(actor=user_in("admin"), activity=activity, decision="publish")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED


def test_unknown_decisions_and_statuses_that_do_not_allow_them(holder, coordinator, organisation, creteil):
    activity = create(holder, creteil, organisation)
    with pytest.raises(ValidationError) as excinfo:
        services.moderate_activity(actor=coordinator, activity=activity, decision="archive")
    assert errors_of(excinfo)["decision"] == ["Choisissez une décision : publier, refuser ou retirer l'activité."]
    # A holder's draft is not the coordinator's: it is submitted first.
    with pytest.raises(ValidationError) as excinfo:
        services.moderate_activity(actor=coordinator, activity=activity, decision="publish")
    assert errors_of(excinfo)["decision"] == ["Une activité brouillon ne peut pas être publiée."]
    services.submit_activity(actor=holder, activity=activity)
    with pytest.raises(ValidationError, match="en attente de modération : elle n'est pas à soumettre"):
        services.submit_activity(actor=holder, activity=activity)


def test_the_coordinator_publishes_its_own_activity_directly(coordinator, organisation, creteil, mailoutbox):
    activity = create(coordinator, creteil, organisation)
    assert services.moderation_decisions(activity, coordinator) == ["publish"]
    services.moderate_activity(actor=coordinator, activity=activity, decision="publish")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED


LATER = [(Weekday.WEDNESDAY, time(15), time(17))]


def test_a_holders_change_to_a_published_activity_keeps_it_published_and_tells_the_coordinator(
    holder, coordinator, organisation, creteil, mailoutbox, django_capture_on_commit_callbacks
):
    activity = create(holder, creteil, organisation)
    services.submit_activity(actor=holder, activity=activity)
    services.moderate_activity(actor=coordinator, activity=activity, decision="publish")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update(holder, activity, slots=LATER, how_to_join="Inscription à l'accueil.")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED
    [message] = mailoutbox
    assert message.to == ["coordination@creteil.fr"]
    assert "comment participer : Venez avec un parent, sans inscription. → Inscription à l'accueil." in message.body
    assert "créneaux : mercredi 14:00-16:00 → mercredi 15:00-17:00" in message.body
    event = Event.objects.for_object(activity).latest("pk")
    assert event.verb == Verb.UPDATED
    assert event.before["comment participer"] == "Venez avec un parent, sans inscription."
    # The coordinator's own changes, and changes that change nothing, send nothing.
    with django_capture_on_commit_callbacks(execute=True):
        update(coordinator, activity, slots=LATER, how_to_join="Inscription à l'accueil du centre.")
        update(holder, activity, slots=LATER, how_to_join="Inscription à l'accueil du centre.")
    assert len(mailoutbox) == 1
    assert Event.objects.for_object(activity).filter(summary="Activité modifiée").count() == 2


# --- from an action --------------------------------------------------------------------------------------------


@pytest.fixture
def selected_action(creteil, organisation):
    action = ActionFactory(
        cite=creteil,
        call__cite=creteil,
        organisation=organisation,
        title="Échecs au collège",
        summary="Un club d'échecs au collège Schweitzer, pour les 11-14 ans, le mercredi.",
        status=ActionStatus.SELECTED,
        address="",
        starts_on=date(2025, 9, 1),
        ends_on=date(2026, 6, 30),
    )
    action.age_bands.set([band("11-14")])
    action.themes.set([Theme.objects.get(code="culture")])
    action.schools.set([School.objects.get(uai="0940006W")])
    action.qpvs.set([Qpv.objects.get(code="QN09405M")])
    return action


def test_the_holder_prepares_the_public_activity_of_a_selected_action(holder, selected_action, creteil):
    activity = services.activity_from_action(actor=holder, action=selected_action)
    assert activity.action == selected_action and activity.status == ActivityStatus.DRAFT
    assert (activity.title, activity.slug) == ("Échecs au collège", "echecs-au-college")
    assert activity.summary == selected_action.summary and activity.description == selected_action.summary
    assert (activity.min_age, activity.max_age) == (11, 14)
    assert [t.code for t in activity.themes.all()] == ["culture"]
    assert activity.school.uai == "0940006W" and activity.place_name == "Collège Albert Schweitzer"
    assert activity.latitude == activity.school.latitude and activity.qpv.code == "QN09405M"
    assert (activity.starts_on, activity.ends_on) == (date(2025, 9, 1), date(2026, 6, 30))
    assert activity.contact_email == "accueil@ludotheque.fr"
    assert Event.objects.for_object(activity).get().summary.startswith("Activité de l'offre publique préparée")
    # Asked again: the same one.
    assert services.activity_from_action(actor=holder, action=selected_action) == activity
    assert Activity.objects.count() == 1
    # It lacks how to join: not submitted until completed.
    assert set(services.missing_for_publication(activity)) == {"how_to_join"}
    with pytest.raises(ValidationError) as excinfo:
        services.submit_activity(actor=holder, activity=activity)
    assert "Expliquez comment participer" in errors_of(excinfo)["how_to_join"][0]


@pytest.mark.parametrize("status", [ActionStatus.SUBMITTED, ActionStatus.REJECTED, ActionStatus.DONE])
def test_only_a_selected_agreed_or_running_action_is_made_public(holder, selected_action, status):
    Action.objects.filter(pk=selected_action.pk).update(status=status)
    with pytest.raises(ValidationError, match="n'entre pas dans l'offre publique"):
        services.activity_from_action(actor=holder, action=Action.objects.get(pk=selected_action.pk))
    assert not Activity.objects.exists()


def test_only_the_holder_makes_its_action_public(coordinator, selected_action, user_in, creteil):
    for actor in (coordinator, user_in(Role.PROJECT_HOLDER, creteil)):
        with pytest.raises(ValidationError, match="Seul le porteur de l'action"):
            services.activity_from_action(actor=actor, action=selected_action)
    assert not Activity.objects.exists()
