"""Duplicates of a cité's directory and the merge of two organisations: the services, then the pages for
each role, and the fixed number of queries of the duplicates page."""

import pytest
from django.urls import reverse

from maillage.core.models import CITE_ROLES, AgeBand, Event, Role, Theme, Verb
from maillage.governance.models import Decision, Invitation
from maillage.partners import dedupe
from maillage.partners.dedupe import MergeError, merge_organisations
from maillage.partners.models import Contact, Organisation
from maillage.territories.models import Commune
from tests.factories import ContactFactory, DecisionFactory, MeetingFactory, OrganisationFactory, siret_for
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
MANAGERS = (Role.COORDINATOR.value, "admin")
MAX_QUERIES = 9


@pytest.fixture
def pair(creteil):
    """Two records of the same organisation in Créteil: the older with a SIRET, the newer with more details."""
    kept = OrganisationFactory(name="Ludothèque de Créteil", siret=siret_for(9100001), cites=[creteil])
    other = OrganisationFactory(
        name="LUDOTHEQUE DE CRETEIL",
        address="3 rue des Jeux",
        email="ludo@exemple.fr",
        phone="0102030405",
        cites=[creteil],
    )
    return kept, other


# --- Finding duplicates --------------------------------------------------------------------------------------


def test_duplicates_share_a_name_and_a_commune_or_a_siren(creteil, other_cite, pair):
    kept, other = pair
    champigny = Commune.objects.get(insee_code="94017")
    OrganisationFactory(name="Ludothèque de Créteil", commune=champigny, cites=[creteil])  # another commune
    OrganisationFactory(name="ludotheque de creteil", cites=[other_cite])  # another cité
    first = OrganisationFactory(name="Régie de quartier", siret=siret_for(9100002, 1), cites=[creteil])
    second = OrganisationFactory(name="Régie de quartier — antenne", siret=siret_for(9100002, 2), cites=[creteil])
    OrganisationFactory(name="Sans doublon", cites=[creteil])
    keys = dedupe.duplicate_keys(creteil)
    assert [key.reason for key in keys] == ["même nom et même commune", "même SIREN"]
    groups = dedupe.duplicate_groups(creteil, keys)
    assert [group.organisations for group in groups] == [[kept, other], [first, second]]
    assert groups[0].pairs == [(kept, other)]


# --- Merging -------------------------------------------------------------------------------------------------


def test_a_merge_keeps_every_link_and_the_chosen_values(creteil, other_cite, user_in, pair):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    kept, other = pair
    other.cites.add(other_cite)
    kept.themes.add(Theme.objects.get(code="culture"))
    other.themes.add(Theme.objects.get(code="culture"), Theme.objects.get(code="sport"))
    other.age_bands.add(AgeBand.objects.first())
    same_person_kept = ContactFactory(
        organisation=kept, first_name="Ana", last_name="Lopez", email="ana@ludo.fr", phone=""
    )
    same_person_other = ContactFactory(
        organisation=other, first_name="Ana", last_name="López", email="ANA@ludo.fr", phone="0600000000"
    )
    someone_else = ContactFactory(organisation=other, first_name="Marc", last_name="Petit", email="")
    meeting, second_meeting = MeetingFactory(body__cite=creteil), MeetingFactory(body__cite=creteil)
    Invitation.objects.create(meeting=meeting, contact=same_person_kept)
    Invitation.objects.create(meeting=meeting, contact=same_person_other, attendance="present")  # the same seat
    Invitation.objects.create(meeting=second_meeting, contact=same_person_other)
    decision = DecisionFactory(meeting=meeting, organisation=other)

    merged = merge_organisations(actor=coordinator, kept=kept, other=other, choices={"name": "kept", "phone": "other"})

    assert not Organisation.objects.filter(pk=other.pk).exists()
    merged.refresh_from_db()
    assert (merged.name, merged.siret, merged.address, merged.email, merged.phone) == (
        "Ludothèque de Créteil",
        siret_for(9100001),
        "3 rue des Jeux",  # empty in the kept record: the other's value by default
        "ludo@exemple.fr",
        "0102030405",
    )
    assert set(merged.cites.all()) == {creteil, other_cite}
    assert sorted(merged.themes.values_list("code", flat=True)) == ["culture", "sport"]
    assert merged.age_bands.count() == 1
    assert sorted(merged.contacts.values_list("last_name", flat=True)) == ["Lopez", "Petit"]
    assert not Contact.objects.filter(pk=same_person_other.pk).exists()
    same_person_kept.refresh_from_db()
    assert same_person_kept.phone == "0600000000"  # filled from the duplicate contact
    assert someone_else.__class__.objects.get(pk=someone_else.pk).organisation == merged
    assert sorted(Invitation.objects.filter(contact=same_person_kept).values_list("meeting", flat=True)) == sorted(
        [meeting.pk, second_meeting.pk]
    )
    assert Decision.objects.get(pk=decision.pk).organisation == merged
    event = Event.objects.get(verb=Verb.ORGANISATIONS_MERGED)
    assert (event.cite, event.actor, event.object_id) == (creteil, coordinator, str(kept.pk))
    assert event.summary == "« LUDOTHEQUE DE CRETEIL » fusionnée dans « Ludothèque de Créteil »"
    assert event.before["structure fusionnée"]["nom"] == "LUDOTHEQUE DE CRETEIL"
    assert event.before["structure fusionnée"]["contacts"] == ["Ana López", "Marc Petit"]
    assert event.before["structure conservée"]["téléphone de la structure"] == ""
    assert event.after["structure conservée"]["téléphone de la structure"] == "0102030405"
    assert event.after["structure conservée"]["cités éducatives"] == sorted([creteil.name, other_cite.name])


def test_taking_the_other_siret_is_allowed(creteil, user_in):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    kept = OrganisationFactory(name="A", siret=siret_for(9100003), cites=[creteil])
    other = OrganisationFactory(name="A bis", siret=siret_for(9100004), cites=[creteil])
    merged = merge_organisations(
        actor=coordinator, kept=kept, other=other, choices={"siret": "other", "siren": "other"}
    )
    merged.refresh_from_db()
    assert (merged.siret, merged.siren) == (siret_for(9100004), siret_for(9100004)[:9])


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"siret": "other"}, "SIREN : Le SIREN est formé des 9 premiers chiffres du SIRET"),
        ({"colour": "other"}, "ne correspondent pas aux champs"),
        ({"name": "both"}, "ne correspondent pas aux champs"),
    ],
)
def test_a_merge_refuses_bad_choices_and_changes_nothing(creteil, user_in, choices, message):
    coordinator = user_in(Role.COORDINATOR.value, creteil)
    kept = OrganisationFactory(name="A", siret=siret_for(9100005), cites=[creteil])
    other = OrganisationFactory(name="A bis", siret=siret_for(9100006), cites=[creteil])
    ContactFactory(organisation=other)
    with pytest.raises(MergeError, match=message):
        merge_organisations(actor=coordinator, kept=kept, other=other, choices=choices)
    assert Organisation.objects.filter(pk__in=[kept.pk, other.pk]).count() == 2
    assert other.contacts.count() == 1
    assert not Event.objects.filter(verb=Verb.ORGANISATIONS_MERGED).exists()
    with pytest.raises(MergeError, match="avec elle-même"):
        merge_organisations(actor=coordinator, kept=kept, other=kept, choices={})


# --- Pages ---------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, pair):
    for url in (
        reverse("partners:duplicates", args=["cite-021"]),
        reverse("partners:merge", args=[pair[0].pk, pair[1].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_the_coordinator_and_admins_see_the_duplicates(client, signed_in, pair, role):
    signed_in(role)
    response = client.get(reverse("partners:duplicates", args=["cite-021"]))
    assert response.status_code == (200 if role in MANAGERS else 403)
    if response.status_code == 200:
        assert response.context["page_obj"].paginator.count == 1
        assert reverse("partners:merge", args=[pair[0].pk, pair[1].pk]) + "?cite=cite-021" in response.text


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_the_coordinator_and_admins_merge(client, signed_in, pair, role):
    signed_in(role)
    kept, other = pair
    url = reverse("partners:merge", args=[kept.pk, other.pk]) + "?cite=cite-021"
    allowed = role in MANAGERS
    response = client.get(url)
    assert response.status_code == (200 if allowed else 403)
    response = client.post(
        url, {"name": "other", "siret": "kept", "siren": "kept", "address": "other", "email": "other", "phone": "kept"}
    )
    assert response.status_code == (302 if allowed else 403)
    assert Organisation.objects.filter(pk=other.pk).exists() != allowed
    if allowed:
        assert response["Location"] == reverse("partners:duplicates", args=["cite-021"])
        kept.refresh_from_db()
        assert (kept.name, kept.phone) == ("LUDOTHEQUE DE CRETEIL", "")


def test_a_coordinator_merges_only_organisations_of_a_cite_of_theirs(client, signed_in, creteil, other_cite):
    signed_in(Role.COORDINATOR.value)
    ours = OrganisationFactory(name="Médiathèque", cites=[creteil])
    shared = OrganisationFactory(name="Médiathèque", cites=[creteil, other_cite])
    theirs = OrganisationFactory(name="Médiathèque", cites=[other_cite])
    assert client.get(reverse("partners:merge", args=[ours.pk, theirs.pk])).status_code == 403
    assert client.post(reverse("partners:merge", args=[ours.pk, theirs.pk])).status_code == 403
    assert client.get(reverse("partners:merge", args=[ours.pk, shared.pk])).status_code == 200
    assert client.get(reverse("partners:merge", args=[ours.pk, ours.pk])).status_code == 404
    assert client.get(reverse("partners:merge", args=[ours.pk, 999_999])).status_code == 404
    assert client.get(reverse("partners:duplicates", args=[other_cite.anct_id])).status_code == 403


def test_the_merge_page_shows_both_records_and_the_choices(client, signed_in, pair):
    signed_in(Role.COORDINATOR.value)
    kept, other = pair
    response = client.get(reverse("partners:merge", args=[kept.pk, other.pk]))
    form = response.context["form"]
    assert list(form.fields) == ["name", "siret", "siren", "address", "email", "phone"]
    assert (form["name"].initial, form["address"].initial, form["siret"].initial) == ("kept", "other", "kept")
    assert "Les deux fiches côte à côte" in response.text
    assert f"Conserver plutôt la fiche n°{other.pk}" in response.text


def test_a_merge_refused_by_the_service_is_shown_on_the_form(client, signed_in, creteil):
    signed_in(Role.COORDINATOR.value)
    kept = OrganisationFactory(name="A", siret=siret_for(9100007), cites=[creteil])
    other = OrganisationFactory(name="A", siret=siret_for(9100008), cites=[creteil])
    response = client.post(reverse("partners:merge", args=[kept.pk, other.pk]), {"siret": "other", "siren": "kept"})
    assert response.status_code == 200
    assert "Les valeurs retenues ne vont pas ensemble — SIREN : Le SIREN est formé des 9 premiers" in response.text
    assert Organisation.objects.filter(pk=other.pk).exists()


# --- Queries -------------------------------------------------------------------------------------------------


def make_duplicates(cite, groups, start):
    for n in range(start, start + groups):
        for copy in range(3):
            OrganisationFactory(name=f"Structure n°{n}" if copy else f"STRUCTURE N°{n}", cites=[cite])
        OrganisationFactory(name=f"Antenne {n}", siret=siret_for(9200000 + n, 1), cites=[cite])
        OrganisationFactory(name=f"Antenne {n} bis", siret=siret_for(9200000 + n, 2), cites=[cite])


def test_duplicates_page_queries_do_not_grow(client, signed_in, creteil, django_assert_max_num_queries):
    signed_in(Role.COORDINATOR.value)
    url = reverse("partners:duplicates", args=["cite-021"])
    make_duplicates(creteil, 2, 0)
    small = count_queries(client, url)
    make_duplicates(creteil, 40, 2)
    assert count_queries(client, url) == small <= MAX_QUERIES
    assert count_queries(client, url + "?page=3") == small
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 84
    assert len(response.context["groups"]) == 20
