"""Account requests of new project holders: the public form, the e-mails, and the coordinator's answer (accept
for an organisation of the directory or a new one, in one transaction; refuse with a reason)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core.models import CITE_ROLES, Event, Membership, Role, User, Verb
from maillage.partners.models import Contact, Organisation
from maillage.programme.models import AccountRequest, AccountRequestStatus
from maillage.programme.services.accounts import (
    accept_account_request,
    refuse_account_request,
    request_account,
)
from tests.factories import CallFactory, ContactFactory, OrganisationFactory, UserFactory, siret_for
from tests.queries import count_queries

EVERY_ROLE = [*(role.value for role in CITE_ROLES), Role.NATIONAL.value, "admin"]
REVIEWERS = {Role.COORDINATOR.value, "admin"}
BASE_URL = "http://testserver/"


@pytest.fixture
def call(creteil):
    return CallFactory(cite=creteil, title="Appel à projets 2025")


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil, email="cpo@creteil.fr")


def request_data(**changes) -> dict:
    data = {
        "organisation_name": "Les Petits Débrouillards du Mont-Mesly",
        "siret": siret_for(41234567),
        "rna": "W942001234",
        "first_name": "Samira",
        "last_name": "Benali",
        "job_title": "Coordinatrice",
        "email": "Samira.Benali@debrouillards.test",
        "phone": "01 43 99 12 34",
        "message": "Des ateliers scientifiques le mercredi.",
    }
    return data | changes


@pytest.fixture
def pending(call, coordinator):
    account_request = request_account(call=call, data=request_data(), base_url=BASE_URL)
    mail.outbox.clear()
    return account_request


# --- Services -------------------------------------------------------------------------------------------------


def test_a_request_is_recorded_and_e_mailed_to_the_cite_coordinators(
    call, coordinator, user_in, creteil, other_cite, django_capture_on_commit_callbacks
):
    user_in(Role.COORDINATOR.value, other_cite, email="cpo@ailleurs.fr")
    user_in(Role.GRANT_OFFICER.value, creteil, email="prefecture@creteil.fr")
    with django_capture_on_commit_callbacks(execute=True):
        account_request = request_account(call=call, data=request_data(), base_url=BASE_URL)
    assert account_request.status == AccountRequestStatus.PENDING and account_request.cite == creteil
    assert account_request.email == "samira.benali@debrouillards.test"
    assert [message.to for message in mail.outbox] == [["cpo@creteil.fr"]]
    body = mail.outbox[0].body
    assert "Les Petits Débrouillards du Mont-Mesly" in body and "Samira Benali" in body
    assert BASE_URL.rstrip("/") + reverse("programme:account_request_answer", args=[account_request.pk]) in body
    event = Event.objects.for_object(account_request).get()
    assert event.verb == Verb.ACCOUNT_REQUESTED and event.actor is None and event.cite == creteil


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"siret": "12345678901234"}, "siret"),
        ({"siret": "1234"}, "siret"),
        ({"rna": "942001234"}, "rna"),
        ({"phone": "12 34"}, "phone"),
        ({"organisation_name": ""}, "organisation_name"),
        ({"email": ""}, "email"),
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_written(call, changes, field):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as error:
        request_account(call=call, data=request_data(**changes), base_url=BASE_URL)
    assert field in error.value.message_dict
    assert AccountRequest.objects.count() == 0 and Event.objects.count() == events


def test_a_second_request_from_the_same_address_waits_for_the_first(call, pending):
    with pytest.raises(ValidationError) as error:
        request_account(call=call, data=request_data(email="samira.benali@DEBROUILLARDS.test"), base_url=BASE_URL)
    assert "attend déjà" in error.value.message_dict["email"][0]


def test_accepting_with_a_new_organisation_invites_the_person(
    pending, coordinator, creteil, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = accept_account_request(actor=coordinator, account_request=pending, kind="association", base_url=BASE_URL)
    organisation = Organisation.objects.get(name="Les Petits Débrouillards du Mont-Mesly")
    assert (organisation.siret, organisation.rna) == (pending.siret, "W942001234")
    assert list(organisation.cites.all()) == [creteil]
    assert (user.email, user.first_name, user.job_title) == (
        "samira.benali@debrouillards.test",
        "Samira",
        "Coordinatrice",
    )
    assert Membership.objects.filter(user=user, cite=creteil, role=Role.PROJECT_HOLDER).exists()
    contact = Contact.objects.get(organisation=organisation)
    assert contact.user == user and contact.phone == "01 43 99 12 34"
    pending.refresh_from_db()
    assert (pending.status, pending.organisation, pending.answered_by) == (
        AccountRequestStatus.ACCEPTED,
        organisation,
        coordinator,
    )
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == ["Votre accès à Maillage", "Votre demande de compte est acceptée — cité éducative Créteil"]
    assert all(message.to == [user.email] for message in mail.outbox)
    assert coordinator.has_perm("programme.review_account_requests", creteil)
    assert User.objects.get(pk=user.pk).has_perm("programme.write_action", creteil)


def test_accepting_for_an_organisation_of_the_directory_grants_an_existing_account(
    pending, coordinator, creteil, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(cites=[creteil])
    existing = UserFactory(email="samira.benali@debrouillards.test")
    contact = ContactFactory(organisation=organisation, email="Samira.Benali@debrouillards.test")
    with django_capture_on_commit_callbacks(execute=True):
        user = accept_account_request(
            actor=coordinator, account_request=pending, organisation=organisation, base_url=BASE_URL
        )
    assert user == existing and User.objects.count() == 2  # nobody invited again
    assert Membership.objects.filter(user=existing, cite=creteil, role=Role.PROJECT_HOLDER).exists()
    contact.refresh_from_db()
    assert contact.user == existing and organisation.contacts.count() == 1
    assert Organisation.objects.count() == 1
    assert [message.subject for message in mail.outbox] == [
        "Votre demande de compte est acceptée — cité éducative Créteil"
    ]
    assert "Vous avez déjà un compte" in mail.outbox[0].body


def test_an_organisation_of_another_cite_is_refused_and_nothing_is_written(pending, coordinator, other_cite):
    elsewhere = OrganisationFactory(cites=[other_cite])
    users, events = User.objects.count(), Event.objects.count()
    with pytest.raises(ValidationError) as error:
        accept_account_request(actor=coordinator, account_request=pending, organisation=elsewhere, base_url=BASE_URL)
    assert "organisation" in error.value.message_dict
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.PENDING
    assert (User.objects.count(), Event.objects.count(), Contact.objects.count()) == (users, events, 0)


def test_a_siret_already_in_the_directory_rolls_everything_back(pending, coordinator, creteil):
    OrganisationFactory(cites=[creteil], name="Autre nom", siret=pending.siret)
    users, organisations = User.objects.count(), Organisation.objects.count()
    with pytest.raises(ValidationError) as error:
        accept_account_request(actor=coordinator, account_request=pending, kind="association", base_url=BASE_URL)
    assert "siret" in error.value.message_dict
    assert (User.objects.count(), Organisation.objects.count()) == (users, organisations)
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.PENDING


def test_refusing_needs_a_reason_and_e_mails_it(pending, coordinator, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        refuse_account_request(actor=coordinator, account_request=pending, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        refuse_account_request(actor=coordinator, account_request=pending, reason="Structure hors du territoire.")
    pending.refresh_from_db()
    assert (pending.status, pending.refusal_reason) == (AccountRequestStatus.REFUSED, "Structure hors du territoire.")
    assert mail.outbox[0].to == ["samira.benali@debrouillards.test"]
    assert "Structure hors du territoire." in mail.outbox[0].body
    assert "&#x27;" not in mail.outbox[0].body
    with pytest.raises(ValidationError) as error:
        accept_account_request(actor=coordinator, account_request=pending, kind="association", base_url=BASE_URL)
    assert "déjà reçu une réponse" in error.value.messages[0]


# --- Pages ----------------------------------------------------------------------------------------------------


def form(**changes) -> dict:
    return {**request_data(), "website": "", **changes}


def test_anonymous_visitors_request_an_account(client, call, coordinator, django_capture_on_commit_callbacks):
    url = reverse("programme:account_request", args=[call.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form(siret="412 345 67" + siret_for(41234567)[8:]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("programme:call_public", args=[call.pk])
    assert "Votre demande est envoyée" in response.text
    account_request = AccountRequest.objects.get()
    assert account_request.siret == siret_for(41234567) and len(mail.outbox) == 1


def test_a_robot_filling_the_trap_writes_nothing(client, call, coordinator):
    response = client.post(reverse("programme:account_request", args=[call.pk]), form(website="http://spam.test"))
    assert response.status_code == 302
    assert AccountRequest.objects.count() == 0 and len(mail.outbox) == 0


def test_a_bad_request_shows_french_errors_and_writes_nothing(client, call):
    response = client.post(
        reverse("programme:account_request", args=[call.pk]), form(siret="12345678901234", email="pas-une-adresse")
    )
    assert response.status_code == 200
    assert "La clé de contrôle du SIRET est fausse" in response.text
    assert "Cette adresse électronique n&#x27;est pas valide" in response.text
    assert AccountRequest.objects.count() == 0


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_only_the_coordinator_handles_requests(client, user_in, creteil, pending, role):
    client.force_login(user_in(role, creteil))
    expected = 200 if role in REVIEWERS else 403
    listing = client.get(reverse("programme:account_requests", args=[creteil.anct_id]))
    assert listing.status_code == expected
    answer_url = reverse("programme:account_request_answer", args=[pending.pk])
    assert client.get(answer_url).status_code == expected
    if role not in REVIEWERS:
        assert client.post(answer_url, {"verdict": "refuse", "reason": "Non."}).status_code == 403
        pending.refresh_from_db()
        assert pending.status == AccountRequestStatus.PENDING


@pytest.mark.parametrize("role", [role.value for role in CITE_ROLES])
def test_another_cite_is_refused(client, user_in, other_cite, creteil, pending, role):
    client.force_login(user_in(role, other_cite))
    assert client.get(reverse("programme:account_requests", args=[creteil.anct_id])).status_code == 403
    assert client.get(reverse("programme:account_request_answer", args=[pending.pk])).status_code == 403


def test_anonymous_visitors_cannot_read_the_requests(client, creteil, pending):
    response = client.get(reverse("programme:account_request_answer", args=[pending.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("core:login"))


def test_the_coordinator_accepts_through_the_page(client, coordinator, creteil, pending):
    organisation = OrganisationFactory(cites=[creteil], name="Les petits débrouillards du Mont Mesly")
    client.force_login(coordinator)
    url = reverse("programme:account_request_answer", args=[pending.pk])
    page = client.get(url)
    assert page.context["form"].initial["organisation"] == organisation.pk  # the same name, found
    assert "1 demande" in client.get(reverse("programme:account_requests", args=[creteil.anct_id])).text
    response = client.post(url, {"verdict": "accept", "organisation": organisation.pk})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.ACCEPTED and pending.organisation == organisation
    assert organisation.contacts.get().user.email == "samira.benali@debrouillards.test"
    assert "form" in client.get(url).context and client.get(url).context["form"] is None


def test_refusing_without_a_reason_shows_a_french_error(client, coordinator, pending):
    client.force_login(coordinator)
    url = reverse("programme:account_request_answer", args=[pending.pk])
    response = client.post(url, {"verdict": "refuse", "reason": ""})
    assert response.status_code == 200 and "Indiquez le motif du refus" in response.text
    pending.refresh_from_db()
    assert pending.status == AccountRequestStatus.PENDING
    assert client.post(url, {"verdict": "refuse", "reason": "Hors territoire."}).status_code == 302


def test_the_programme_home_counts_the_pending_requests(client, coordinator, creteil, pending):
    client.force_login(coordinator)
    text = client.get(reverse("programme:cite_programme", args=[creteil.anct_id])).text
    assert "1 demande de compte de porteur de projet attend votre réponse." in text


def test_the_request_list_costs_the_same_whatever_the_number_of_requests(client, coordinator, creteil, call):
    client.force_login(coordinator)
    url = reverse("programme:account_requests", args=[creteil.anct_id])

    def grow(count, start):
        for n in range(start, start + count):
            request_account(
                call=call, data=request_data(email=f"p{n}@exemple.test", siret="", rna=""), base_url=BASE_URL
            )

    grow(2, 0)
    small = count_queries(client, url)
    grow(6, 10)
    assert count_queries(client, url) == small
