"""Use cases of the partner directory: validation in French, nothing written on bad input, events written."""

import pytest
from django.core.exceptions import ValidationError

from maillage.core.models import AgeBand, Event, Role, Theme, Verb
from maillage.partners import services
from maillage.partners.forms.directory import DirectoryFilterForm
from maillage.partners.models import Contact, Organisation, OrganisationKind
from maillage.territories.models import Commune
from tests.factories import ContactFactory, OrganisationFactory, grant, siren_for, siret_for


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil)


@pytest.fixture
def organisation(creteil):
    return OrganisationFactory(name="Les Petits Débrouillards", cites=[creteil])


def valid_data(**changes) -> dict:
    data = {
        "name": "Maison des jeunes de Créteil",
        "kind": OrganisationKind.ASSOCIATION,
        "siret": siret_for(41234567),
        "rna": "W942001234",
        "commune": Commune.objects.get(insee_code="94028"),
        "postcode": "94000",
        "latitude": 48.79,
        "longitude": 2.455,
        "phone": "01 43 99 12 34",
        "themes": list(Theme.objects.filter(code__in=["culture", "sport"])),
        "age_bands": list(AgeBand.objects.filter(code="11-14")),
    }
    return data | changes


def partner_events():
    return Event.objects.filter(object_type__app_label="partners")


def written() -> tuple[int, int]:
    return Organisation.objects.count(), partner_events().count()


def messages_of(error: ValidationError, field: str) -> str:
    return " ".join(error.value.message_dict[field])


def test_create_organisation_writes_it_in_the_cite_with_its_event(coordinator, creteil):
    organisation = services.create_organisation(actor=coordinator, cite=creteil, data=valid_data())
    organisation.refresh_from_db()
    assert list(organisation.cites.all()) == [creteil]
    assert organisation.siren == siret_for(41234567)[:9]
    assert organisation.name_key == "maison des jeunes de creteil"
    assert sorted(organisation.themes.values_list("code", flat=True)) == ["culture", "sport"]
    event = Event.objects.for_object(organisation).get()
    assert (event.verb, event.actor, event.cite) == (Verb.CREATED, coordinator, creteil)
    assert event.after["nom"] == "Maison des jeunes de Créteil"
    assert event.after["type de structure"] == "Association"
    assert event.after["thématiques"] == ["Culture", "Sport"]
    assert event.after["cités éducatives"] == [creteil.name]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"siret": "12345678901234"}, "siret", "clé de contrôle du SIRET est fausse"),
        ({"siret": "1234"}, "siret", "SIRET compte 14 chiffres"),
        ({"siren": "123456789"}, "siren", "clé de contrôle du SIREN est fausse"),
        ({"siren": siren_for(11111111)}, "siren", "9 premiers chiffres du SIRET"),
        ({"rna": "942001234"}, "rna", "W suivi de 9 chiffres"),
        ({"longitude": None}, "longitude", "la latitude et la longitude, ou aucune des deux"),
        ({"latitude": 95.0}, "latitude", "entre -90 et 90"),
        ({"postcode": "940"}, "postcode", "5 chiffres"),
        ({"phone": "01 43 99"}, "phone", "10 chiffres"),
        ({"name": ""}, "name", "Ce champ ne peut pas être vide"),
        ({"kind": "club"}, "kind", "pas un choix valide"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_written(coordinator, creteil, changes, field, message):
    before = written()
    with pytest.raises(ValidationError) as error:
        services.create_organisation(actor=coordinator, cite=creteil, data=valid_data(**changes))
    assert message in messages_of(error, field)
    assert written() == before


def test_a_siret_already_used_names_the_organisation_and_says_it_can_be_added_to_the_cite(
    coordinator, creteil, other_cite
):
    existing = OrganisationFactory(name="Ligue de l'enseignement 72", siret=siret_for(77700011), cites=[other_cite])
    before = written()
    with pytest.raises(ValidationError) as error:
        services.create_organisation(actor=coordinator, cite=creteil, data=valid_data(siret=existing.siret))
    message = messages_of(error, "siret")
    assert f"Le SIRET {existing.siret} est déjà celui de la structure « Ligue de l'enseignement 72 »." in message
    assert f"n'est pas encore dans l'annuaire de la cité {creteil.name}" in message
    assert "ajoutez-la à la cité depuis sa fiche" in message
    assert written() == before


def test_an_rna_already_used_in_the_same_cite_says_so(coordinator, creteil, organisation):
    organisation.rna = "W942000001"
    organisation.save()
    with pytest.raises(ValidationError) as error:
        services.create_organisation(actor=coordinator, cite=creteil, data=valid_data(rna="W942000001"))
    message = messages_of(error, "rna")
    assert "Le numéro RNA W942000001 est déjà celui de la structure « Les Petits Débrouillards »." in message
    assert f"Elle figure déjà dans l'annuaire de la cité {creteil.name}." in message


def test_an_organisation_keeps_its_own_siret_when_updated(coordinator, creteil):
    organisation = services.create_organisation(actor=coordinator, cite=creteil, data=valid_data())
    assert services.update_organisation(actor=coordinator, organisation=organisation, data=valid_data(name="MJC"))


def test_update_records_only_the_changed_fields(coordinator, creteil, organisation):
    culture = Theme.objects.get(code="culture")
    changed = services.update_organisation(
        actor=coordinator,
        organisation=organisation,
        data={"name": "Les Petits Débrouillards Île-de-France", "themes": [culture], "description": ""},
    )
    assert changed
    organisation.refresh_from_db()
    assert organisation.name_key == "les petits debrouillards ile de france"
    event = Event.objects.for_object(organisation).get()
    assert (event.verb, event.cite) == (Verb.UPDATED, creteil)
    assert event.before == {"nom": "Les Petits Débrouillards", "thématiques": []}
    assert event.after == {"nom": "Les Petits Débrouillards Île-de-France", "thématiques": ["Culture"]}


def test_an_update_that_changes_nothing_writes_nothing(coordinator, organisation):
    assert not services.update_organisation(
        actor=coordinator, organisation=organisation, data={"name": organisation.name}
    )
    assert not partner_events().exists()


def test_a_bad_update_changes_nothing(coordinator, organisation):
    with pytest.raises(ValidationError):
        services.update_organisation(
            actor=coordinator, organisation=organisation, data={"name": "Nouveau nom", "siret": "12345678901234"}
        )
    organisation.refresh_from_db()
    assert organisation.name == "Les Petits Débrouillards"
    assert not partner_events().exists()


def test_a_project_holder_edits_their_own_organisation_but_not_another(user_in, creteil, organisation):
    holder = user_in(Role.PROJECT_HOLDER.value, creteil)
    ContactFactory(organisation=organisation, user=holder)
    another = OrganisationFactory(cites=[creteil])
    assert holder.has_perm("partners.change_organisation", organisation)
    assert not holder.has_perm("partners.change_organisation", another)
    assert services.update_organisation(actor=holder, organisation=organisation, data={"phone": "0143991234"})
    assert Event.objects.for_object(organisation).get().cite == creteil


def test_a_project_holder_cannot_change_the_cites_of_their_organisation(user_in, creteil, other_cite, organisation):
    holder = user_in(Role.PROJECT_HOLDER.value, creteil)
    ContactFactory(organisation=organisation, user=holder)
    with pytest.raises(ValidationError) as error:
        services.update_organisation(
            actor=holder, organisation=organisation, data={"cites": [creteil, other_cite], "name": "Autre nom"}
        )
    assert "Seul le chef de projet d'une cité" in messages_of(error, "cites")
    organisation.refresh_from_db()
    assert list(organisation.cites.all()) == [creteil]
    assert organisation.name == "Les Petits Débrouillards"
    assert not partner_events().exists()


def test_a_coordinator_changes_only_the_cites_they_coordinate(coordinator, user_in, creteil, other_cite, organisation):
    with pytest.raises(ValidationError) as error:
        services.update_organisation(
            actor=coordinator, organisation=organisation, data={"cites": [creteil, other_cite]}
        )
    assert other_cite.name in messages_of(error, "cites")
    with pytest.raises(ValidationError) as error:
        services.update_organisation(actor=coordinator, organisation=organisation, data={"cites": []})
    assert "au moins une cité" in messages_of(error, "cites")
    grant(coordinator, other_cite, Role.COORDINATOR)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # a fresh perimeter
    assert services.update_organisation(actor=coordinator, organisation=organisation, data={"cites": [other_cite]})
    assert list(organisation.cites.all()) == [other_cite]
    event = Event.objects.for_object(organisation).get()
    assert event.before == {"cités éducatives": [creteil.name]}
    assert event.after == {"cités éducatives": [other_cite.name]}


def test_add_organisation_to_cite_once(coordinator, creteil, other_cite):
    organisation = OrganisationFactory(cites=[other_cite])
    assert services.add_organisation_to_cite(actor=coordinator, organisation=organisation, cite=creteil)
    assert not services.add_organisation_to_cite(actor=coordinator, organisation=organisation, cite=creteil)
    assert set(organisation.cites.all()) == {creteil, other_cite}
    event = Event.objects.for_object(organisation).get()
    assert event.cite == creteil
    assert event.after == {"cités éducatives": sorted([creteil.name, other_cite.name])}


def test_contacts_are_created_updated_and_deleted_with_their_events(coordinator, organisation):
    contact = services.create_contact(
        actor=coordinator,
        organisation=organisation,
        data={"first_name": "Awa", "last_name": "Diallo", "job_title": "Directrice", "phone": "+33 1 43 99 12 34"},
    )
    created = Event.objects.for_object(contact).get()
    assert created.cite is None  # a contact's name stays out of the cité's history
    assert created.summary == "Contact ajouté à la structure « Les Petits Débrouillards »"
    assert created.after["prénom"] == "Awa"

    assert services.update_contact(actor=coordinator, contact=contact, data={"job_title": "Présidente"})
    updated = Event.objects.for_object(contact).filter(verb=Verb.UPDATED).get()
    assert (updated.before, updated.after) == ({"fonction": "Directrice"}, {"fonction": "Présidente"})
    assert not services.update_contact(actor=coordinator, contact=contact, data={"job_title": "Présidente"})

    services.delete_contact(actor=coordinator, contact=contact)
    assert not Contact.objects.exists()
    deleted = Event.objects.filter(verb=Verb.DELETED).get()
    assert deleted.summary == "Contact retiré de la structure « Les Petits Débrouillards »"
    assert deleted.before["nom"] == "Diallo"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": "Awa", "last_name": "Diallo", "phone": "06-12-34-56-78"}, "phone", "que des chiffres"),
        ({"first_name": "Awa", "last_name": "Diallo", "phone": "+33 1"}, "phone", "de 8 à 15 chiffres"),
        ({"first_name": "Awa", "last_name": "Diallo", "email": "awa@"}, "email", "adresse e-mail valide"),
        ({"first_name": "", "last_name": "Diallo"}, "first_name", "ne peut pas être vide"),
    ],
)
def test_bad_contacts_are_refused_and_nothing_is_written(coordinator, organisation, data, field, message):
    with pytest.raises(ValidationError) as error:
        services.create_contact(actor=coordinator, organisation=organisation, data=data)
    assert message in messages_of(error, field)
    assert not Contact.objects.exists()
    assert not partner_events().exists()


def test_only_professional_details_are_accepted(coordinator, organisation):
    with pytest.raises(ValueError, match="birth_date"):
        services.create_contact(
            actor=coordinator, organisation=organisation, data={"first_name": "A", "last_name": "B", "birth_date": "x"}
        )


@pytest.mark.parametrize(
    ("phone", "valid"),
    [
        ("01 43 99 12 34", True),
        ("01.43.99.12.34", True),
        ("0143991234", True),
        ("+33 1 43 99 12 34", True),
        ("+262 262 12 34 56", True),
        ("1 43 99 12 34", False),
        ("01 43 99 12 34 5", False),
        ("01 43 99 12 3a", False),
        ("0143+991234", False),
        ("+3312", False),
    ],
)
def test_phone_numbers(phone, valid):
    assert (services.phone_error(phone) is None) == valid


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("debrouillards", True),
        ("PETITS DÉBROUILLARDS", True),
        ("petits-debrouillards", True),
        ("ligue", False),
        (siret_for(55500011), True),
        (siret_for(55500011)[:9], True),
        ("W942 000 777", True),
        (siret_for(55500012), False),
    ],
)
def test_directory_search_ignores_accents_and_case_and_matches_identifiers(creteil, query, found):
    OrganisationFactory(name="Les Petits Débrouillards", siret=siret_for(55500011), rna="W942000777", cites=[creteil])
    form = DirectoryFilterForm({"q": query}, cite=creteil)
    assert form.search(Organisation.objects.all()).exists() == found


def test_a_contact_invited_to_a_meeting_is_kept_for_the_attendance_sheet(creteil):
    from maillage.governance.models import Invitation
    from tests.factories import MeetingFactory

    contact = ContactFactory(organisation=OrganisationFactory(cites=[creteil]))
    meeting = MeetingFactory(body__cite=creteil)
    Invitation.objects.create(meeting=meeting, contact=contact, attendance="present")
    events = Event.objects.count()
    with pytest.raises(ValidationError, match="conservé pour l'émargement"):
        services.delete_contact(actor=None, contact=contact)
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert Event.objects.count() == events
