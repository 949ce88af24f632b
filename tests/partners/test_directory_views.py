"""Each page of the partner directory, for each role, inside and outside the perimeter; then what they do."""

import pytest
from django.urls import reverse

from maillage.core.models import CITE_ROLES, AgeBand, Event, Role, Theme, Verb
from maillage.partners.models import Contact, Organisation
from maillage.territories.models import Commune, School
from tests.factories import ContactFactory, OrganisationFactory, grant, siret_for

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin", "anonymous", "outsider"]
READERS = {*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"}
MANAGERS = {Role.COORDINATOR.value, "admin"}
CONTACT_READERS = READERS - {Role.NATIONAL.value, Role.EVALUATOR.value}


@pytest.fixture
def sign_in(client, user_in, creteil, other_cite):
    """Sign in as `role` in Créteil; "outsider" is the coordinator of another cité."""

    def sign(role):
        if role == "anonymous":
            return None
        user = user_in(Role.COORDINATOR.value, other_cite) if role == "outsider" else user_in(role, creteil)
        client.force_login(user)
        return user

    return sign


@pytest.fixture
def organisation(creteil):
    organisation = OrganisationFactory(
        name="Les Petits Débrouillards", siret=siret_for(44455566), cites=[creteil], latitude=48.79, longitude=2.45
    )
    ContactFactory(organisation=organisation, first_name="Awa", last_name="Diallo", email="awa.diallo@pdb.fr")
    return organisation


def expect(response, role, allowed: set, success: int = 200):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))
    else:
        assert response.status_code == (success if role in allowed else 403)


def organisation_form(**changes) -> dict:
    data = {
        "name": "Maison des jeunes et de la culture",
        "kind": "association",
        "siret": "",
        "siren": "",
        "rna": "",
        "school": "",
        "address": "1 rue Charpy",
        "postcode": "94000",
        "commune": Commune.objects.get(insee_code="94028").pk,
        "latitude": "",
        "longitude": "",
        "description": "",
        "website": "",
        "email": "",
        "phone": "",
    }
    return data | changes


def contact_form(**changes) -> dict:
    return {"first_name": "Karim", "last_name": "Benali", "job_title": "Animateur", "email": "", "phone": ""} | changes


# --- Permissions: every view, every role ---------------------------------------------------------------------


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_directory_permissions(client, sign_in, organisation, role):
    sign_in(role)
    response = client.get(reverse("partners:directory", args=["cite-021"]))
    expect(response, role, READERS)
    if response.status_code == 200:
        assert "Les Petits Débrouillards" in response.text
        assert ("Ajouter une structure" in response.text) == (role in MANAGERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_organisation_create_permissions(client, sign_in, creteil, role):
    sign_in(role)
    url = reverse("partners:organisation_create", args=["cite-021"])
    expect(client.get(url), role, MANAGERS)
    expect(client.post(url, organisation_form()), role, MANAGERS, success=302)
    created = Organisation.objects.filter(name="Maison des jeunes et de la culture")
    assert created.exists() == (role in MANAGERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_organisation_detail_permissions(client, sign_in, organisation, role):
    sign_in(role)
    response = client.get(reverse("partners:organisation_detail", args=[organisation.pk]))
    expect(response, role, READERS)
    if response.status_code == 200:
        assert ("awa.diallo@pdb.fr" in response.text) == (role in CONTACT_READERS)
        assert ("réservées à l'équipe de la cité" in response.text) == (role not in CONTACT_READERS)
        assert ("Modifier la fiche" in response.text) == (role in MANAGERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_organisation_update_permissions(client, sign_in, organisation, creteil, role):
    sign_in(role)
    url = reverse("partners:organisation_update", args=[organisation.pk])
    expect(client.get(url), role, MANAGERS)
    expect(client.post(url, organisation_form(name="Nouveau nom", cites=[creteil.pk])), role, MANAGERS, success=302)
    organisation.refresh_from_db()
    assert (organisation.name == "Nouveau nom") == (role in MANAGERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_organisation_join_cite_permissions(client, sign_in, other_cite, role):
    sign_in(role)
    elsewhere = OrganisationFactory(cites=[other_cite])
    url = reverse("partners:organisation_join_cite", args=[elsewhere.pk])
    if role != "anonymous":
        assert client.get(url).status_code == 405
    expect(client.post(url, {"cite": "cite-021"}), role, MANAGERS, success=302)
    assert elsewhere.cites.filter(anct_id="cite-021").exists() == (role in MANAGERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_contact_create_permissions(client, sign_in, organisation, role):
    sign_in(role)
    url = reverse("partners:contact_create", args=[organisation.pk])
    expect(client.get(url), role, MANAGERS)
    expect(client.post(url, contact_form()), role, MANAGERS, success=302)
    assert organisation.contacts.filter(last_name="Benali").exists() == (role in MANAGERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_contact_update_permissions(client, sign_in, organisation, role):
    sign_in(role)
    contact = organisation.contacts.get()
    url = reverse("partners:contact_update", args=[contact.pk])
    expect(client.get(url), role, MANAGERS)
    expect(client.post(url, contact_form(first_name="Awa", last_name="Diallo")), role, MANAGERS, success=302)
    contact.refresh_from_db()
    assert (contact.job_title == "Animateur") == (role in MANAGERS)


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_contact_delete_permissions(client, sign_in, organisation, role):
    sign_in(role)
    contact = organisation.contacts.get()
    url = reverse("partners:contact_delete", args=[contact.pk])
    expect(client.get(url), role, MANAGERS)
    expect(client.post(url), role, MANAGERS, success=302)
    assert Contact.objects.filter(pk=contact.pk).exists() == (role not in MANAGERS)


@pytest.mark.parametrize(
    "url_name", ["organisation_detail", "organisation_update", "contact_create", "organisation_join_cite"]
)
def test_unknown_organisation_is_not_found(client, sign_in, url_name):
    sign_in("admin")
    response = client.post(reverse(f"partners:{url_name}", args=[999999]), {"cite": "cite-021"})
    assert response.status_code == 404


def test_unknown_cite_is_not_found(client, sign_in):
    sign_in("admin")
    assert client.get(reverse("partners:directory", args=["cite-999"])).status_code == 404
    assert client.get(reverse("partners:organisation_create", args=["cite-999"])).status_code == 404


# --- A project holder and their organisation -----------------------------------------------------------------


@pytest.fixture
def holder(client, user_in, creteil, organisation):
    """A project holder linked to a contact of the organisation (`Contact.user`)."""
    user = user_in(Role.PROJECT_HOLDER.value, creteil)
    ContactFactory(organisation=organisation, user=user)
    client.force_login(user)
    return user


def test_a_project_holder_edits_their_organisation_but_not_its_cites(client, holder, organisation, other_cite):
    url = reverse("partners:organisation_update", args=[organisation.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "cites" not in page.context["form"].fields
    response = client.post(url, organisation_form(name="PDB Créteil", cites=[other_cite.pk]))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "PDB Créteil"
    assert [cite.anct_id for cite in organisation.cites.all()] == ["cite-021"]
    assert "Modifier la fiche" in client.get(organisation.get_absolute_url()).text


def test_a_project_holder_cannot_edit_another_organisation(client, holder, creteil):
    another = OrganisationFactory(cites=[creteil])
    ContactFactory(organisation=another)
    assert client.get(reverse("partners:organisation_update", args=[another.pk])).status_code == 403
    assert client.get(reverse("partners:contact_create", args=[another.pk])).status_code == 403
    contact = another.contacts.get()
    assert client.post(reverse("partners:contact_delete", args=[contact.pk])).status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_project_holder_manages_the_contacts_of_their_organisation(client, holder, organisation):
    response = client.post(reverse("partners:contact_create", args=[organisation.pk]), contact_form())
    assert response.status_code == 302
    assert organisation.contacts.filter(last_name="Benali").exists()


# --- What the pages show and do ------------------------------------------------------------------------------


@pytest.fixture
def coordinator(client, user_in, creteil):
    user = user_in(Role.COORDINATOR.value, creteil)
    client.force_login(user)
    return user


def test_directory_lists_only_the_cite_with_contact_counts_and_themes(client, coordinator, organisation, other_cite):
    organisation.themes.set(Theme.objects.filter(code__in=["culture", "sport"]))
    ContactFactory(organisation=organisation)
    OrganisationFactory(name="Structure de la Sarthe", cites=[other_cite])
    response = client.get(reverse("partners:directory", args=["cite-021"]))
    rows = list(response.context["page_obj"])
    assert [row.name for row in rows] == ["Les Petits Débrouillards"]
    assert rows[0].contact_count == 2
    assert "Culture, Sport" in response.text
    assert "Structure de la Sarthe" not in response.text
    assert 'aria-current="page">Partenaires</a>' in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "DEBROUILLARDS"}, ["Les Petits Débrouillards"]),
        ({"q": "mediatheque"}, ["Médiathèque de l'Abbaye"]),
        ({"kind": "city_service"}, ["Médiathèque de l'Abbaye"]),
        ({"theme": "culture"}, ["Médiathèque de l'Abbaye"]),
        ({"age_band": "parents"}, ["Les Petits Débrouillards"]),
        ({"commune": "94046"}, ["Médiathèque de l'Abbaye"]),
        ({"commune": "99999", "kind": "association"}, ["Les Petits Débrouillards"]),  # a bad filter is ignored
        ({"q": siret_for(44455566)}, ["Les Petits Débrouillards"]),
        ({"q": "Ligue"}, []),
    ],
)
def test_directory_filters(client, coordinator, organisation, creteil, query, expected):
    library = OrganisationFactory(
        name="Médiathèque de l'Abbaye",
        kind="city_service",
        commune=Commune.objects.get(insee_code="94046"),
        cites=[creteil],
    )
    library.themes.add(Theme.objects.get(code="culture"))
    organisation.age_bands.add(AgeBand.objects.get(code="parents"))
    response = client.get(reverse("partners:directory", args=["cite-021"]), query)
    assert [row.name for row in response.context["page_obj"]] == expected


def test_directory_filters_refresh_the_results_only_with_htmx(client, coordinator, organisation):
    response = client.get(reverse("partners:directory", args=["cite-021"]), {"q": "petits"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "1 structure" in response.text
    assert "Les Petits Débrouillards" in response.text


def test_directory_paginates(client, coordinator, creteil):
    OrganisationFactory.create_batch(25, cites=[creteil])
    first = client.get(reverse("partners:directory", args=["cite-021"]))
    second = client.get(reverse("partners:directory", args=["cite-021"]), {"page": 2})
    assert len(first.context["page_obj"]) == 20
    assert len(second.context["page_obj"]) == 5
    assert "25 structures" in first.text


def test_create_an_organisation_from_the_directory(client, coordinator, creteil):
    school = School.objects.get(uai="0940535W")
    response = client.post(
        reverse("partners:organisation_create", args=["cite-021"]),
        organisation_form(siret="123 456 782 00010", school=school.pk, latitude="48.79", longitude="2.455"),
    )
    organisation = Organisation.objects.get(name="Maison des jeunes et de la culture")
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert (organisation.siret, organisation.siren, organisation.school) == ("12345678200010", "123456782", school)
    assert list(organisation.cites.all()) == [creteil]
    page = client.get(response["Location"])
    assert "est ajoutée à l&#x27;annuaire de la cité" in page.text
    assert page.context["map_points"][0]["lat"] == 48.79
    assert [event.verb for event in page.context["events"]] == [Verb.CREATED]  # the history
    assert "Structure ajoutée à l&#x27;annuaire de la cité" in page.text


def test_the_form_offers_the_schools_of_the_cite_and_the_communes_of_its_departements(client, coordinator):
    form = client.get(reverse("partners:organisation_create", args=["cite-021"])).context["form"]
    assert School.objects.get(uai="0940535W") in form.fields["school"].queryset
    assert not form.fields["school"].queryset.filter(uai="0940176F").exists()  # Fresnes: in no cité
    communes = form.fields["commune"].queryset
    assert communes.filter(insee_code="94046").exists()  # Maisons-Alfort, Val-de-Marne
    assert not communes.exclude(departement__code="94").exists()
    assert "cites" not in form.fields


def test_bad_input_shows_french_errors_and_writes_nothing(client, coordinator):
    response = client.post(
        reverse("partners:organisation_create", args=["cite-021"]),
        organisation_form(siret="12345678901234", latitude="48.8", postcode="94"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["siret"] == ["La clé de contrôle du SIRET est fausse (vérifiez les chiffres)."]
    assert errors["longitude"] == ["Indiquez la latitude et la longitude, ou aucune des deux."]
    assert errors["postcode"] == ["Un code postal compte 5 chiffres."]
    assert "Le formulaire contient 3 erreurs" in response.text
    assert not Organisation.objects.filter(name="Maison des jeunes et de la culture").exists()


def test_a_known_siret_offers_to_add_the_organisation_to_the_cite(client, coordinator, other_cite):
    existing = OrganisationFactory(name="Ligue de l'enseignement", siret=siret_for(77700011), cites=[other_cite])
    response = client.post(
        reverse("partners:organisation_create", args=["cite-021"]), organisation_form(siret=existing.siret)
    )
    assert response.status_code == 200
    assert "est déjà celui de la structure « Ligue de l&#x27;enseignement »" in response.text
    assert response.context["form"].known_elsewhere == (existing,)
    join = reverse("partners:organisation_join_cite", args=[existing.pk])
    assert f'action="{join}"' in response.text
    assert client.post(join, {"cite": "cite-021"}).status_code == 302
    assert existing.cites.filter(anct_id="cite-021").exists()
    assert Organisation.objects.count() == 1


def test_the_organisation_page_offers_a_coordinator_to_add_it_to_their_current_cite(
    client, coordinator, creteil, other_cite
):
    grant(coordinator, other_cite, Role.PROJECT_HOLDER)
    elsewhere = OrganisationFactory(name="Club de la Sarthe", cites=[other_cite])
    client.get(reverse("partners:directory", args=["cite-021"]))  # Créteil becomes the current cité
    page = client.get(elsewhere.get_absolute_url())
    assert page.context["join_cite"] == creteil
    assert f"Ajouter à l'annuaire de la cité {creteil.name}" in page.text
    response = client.post(reverse("partners:organisation_join_cite", args=[elsewhere.pk]), {"cite": "cite-021"})
    assert response.status_code == 302
    page = client.get(elsewhere.get_absolute_url())
    assert page.context["join_cite"] is None
    assert "est ajoutée à l&#x27;annuaire de la cité" in page.text


def test_a_coordinator_removes_the_organisation_from_their_cite(client, coordinator, organisation, other_cite):
    organisation.cites.add(other_cite)
    url = reverse("partners:organisation_update", args=[organisation.pk])
    form = client.get(url).context["form"]
    assert [cite.anct_id for cite in form.fields["cites"].queryset] == ["cite-021"]
    response = client.post(url, organisation_form(name=organisation.name, cites=[]))
    assert response.status_code == 302
    assert [cite.anct_id for cite in organisation.cites.all()] == [other_cite.anct_id]  # the other cité is kept
    assert response["Location"] == reverse("partners:directory", args=["cite-021"])
    event = Event.objects.for_object(organisation).get(verb=Verb.UPDATED)
    assert event.cite.anct_id == "cite-021"


def test_an_organisation_keeps_one_cite(client, coordinator, organisation):
    url = reverse("partners:organisation_update", args=[organisation.pk])
    response = client.post(url, organisation_form(name=organisation.name, cites=[]))
    assert response.status_code == 200
    assert "Cochez au moins une cité" in response.text
    assert organisation.cites.exists()


def test_contact_form_validates_the_phone_and_says_only_professional_details(client, coordinator, organisation):
    url = reverse("partners:contact_create", args=[organisation.pk])
    assert "Seulement des coordonnées professionnelles" in client.get(url).text
    response = client.post(url, contact_form(phone="01 23"))
    assert response.status_code == 200
    assert "Un numéro français compte 10 chiffres" in response.text
    assert not organisation.contacts.filter(last_name="Benali").exists()
    response = client.post(url, contact_form(phone="01 43 99 12 34"))
    assert response["Location"] == organisation.get_absolute_url() + "#contacts"
    assert organisation.contacts.get(last_name="Benali").phone == "01 43 99 12 34"


def test_contact_delete_asks_first(client, coordinator, organisation):
    contact = organisation.contacts.get()
    page = client.get(reverse("partners:contact_delete", args=[contact.pk]))
    assert "Retirer Awa Diallo des contacts de Les Petits Débrouillards" in page.text
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_navigation_links_to_the_directory_of_the_current_cite(client, coordinator):
    page = client.get(reverse("territories:cite_detail", args=["cite-021"]))
    assert f'href="{reverse("partners:directory", args=["cite-021"])}"' in page.text


# --- Administration ------------------------------------------------------------------------------------------


def test_the_administrator_adds_and_changes_an_organisation_through_the_services(admin_client, creteil, other_cite):
    assert admin_client.get(reverse("admin:partners_organisation_add")).status_code == 200
    data = organisation_form(cites=[creteil.pk, other_cite.pk], themes=[Theme.objects.get(code="sport").pk])
    data["commune"] = Commune.objects.get(insee_code="94028").pk
    response = admin_client.post(reverse("admin:partners_organisation_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation = Organisation.objects.get(name="Maison des jeunes et de la culture")
    assert set(organisation.cites.all()) == {creteil, other_cite}
    assert [theme.code for theme in organisation.themes.all()] == ["sport"]
    assert Event.objects.for_object(organisation).filter(verb=Verb.CREATED).exists()

    change = reverse("admin:partners_organisation_change", args=[organisation.pk])
    assert admin_client.get(change).status_code == 200
    duplicate = OrganisationFactory(siret=siret_for(12121212), cites=[creteil])
    response = admin_client.post(change, data | {"siret": duplicate.siret})
    assert "est déjà celui de la structure" in str(response.context["adminform"].form.errors)
    response = admin_client.post(change, data | {"name": "MJC Créteil", "cites": [creteil.pk]})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "MJC Créteil"
    assert list(organisation.cites.all()) == [creteil]
    event = Event.objects.for_object(organisation).filter(verb=Verb.UPDATED).first()  # the latest
    assert event.after == {"nom": "MJC Créteil", "cités éducatives": [creteil.name]}
    assert admin_client.get(reverse("admin:partners_organisation_changelist"), {"q": "mjc"}).status_code == 200


def test_the_administrator_links_a_contact_to_an_account(admin_client, organisation, user_in, creteil):
    holder = user_in(Role.PROJECT_HOLDER.value, creteil)
    contact = organisation.contacts.get()
    change = reverse("admin:partners_contact_change", args=[contact.pk])
    assert admin_client.get(change).status_code == 200
    response = admin_client.post(change, contact_form(first_name="Awa", last_name="Diallo", user=holder.pk))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.user == holder
    assert holder.has_perm("partners.change_organisation", organisation)
    assert Event.objects.for_object(contact).filter(summary__startswith="Compte du contact").exists()
    response = admin_client.post(reverse("admin:partners_contact_delete", args=[contact.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert Event.objects.for_object(contact).filter(verb=Verb.DELETED).exists()
