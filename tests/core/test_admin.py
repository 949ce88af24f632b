"""The administrator invites people and gives them roles; every change is in the event log."""

import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from maillage.core.forms import MembershipForm
from maillage.core.models import Event, Membership, Role, User, Verb


@pytest.fixture
def admin_client(client, user_in):
    admin = user_in("admin", email="admin@exemple.fr")
    client.force_login(admin)
    client.admin = admin
    return client


def inline_management(prefix="memberships", total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_invite_a_person_from_the_admin_screen(admin_client, creteil, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:core_user_add"),
            {"email": "Nouvelle.Personne@Exemple.fr", "first_name": "Inès", "last_name": "Caron", "job_title": "CPO"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle.personne@exemple.fr")
    assert not user.has_usable_password()
    assert Event.objects.filter(verb=Verb.USER_INVITED, actor=admin_client.admin).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nouvelle.personne@exemple.fr"]
    link = re.search(r"https?://\S+(/mot-de-passe/\S+/)", mail.outbox[0].body)[1]

    change_url = reverse("admin:core_user_change", args=[user.pk])
    data = {
        "email": user.email,
        "first_name": "Inès",
        "last_name": "Caron",
        "job_title": "CPO",
        "is_active": "on",
        **inline_management(total=1),
        "memberships-0-cite": creteil.pk,
        "memberships-0-role": Role.COORDINATOR,
    }
    assert admin_client.post(change_url, data).status_code == 302
    assert list(user.memberships.values_list("cite__anct_id", "role")) == [("cite-021", "coordinator")]
    granted = Event.objects.get(verb=Verb.MEMBERSHIP_GRANTED)
    assert granted.cite == creteil and granted.actor == admin_client.admin

    admin_client.logout()
    page = admin_client.get(link, follow=True)
    assert page.context["validlink"]
    password = "un très long mot de passe"
    admin_client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    landing = admin_client.post(reverse("core:login"), {"username": user.email, "password": password}, follow=True)
    assert landing.redirect_chain[-1][0] == reverse("territories:cite_detail", args=["cite-021"])


def test_revoking_a_role_is_logged(admin_client, user_in, creteil):
    user = user_in(Role.EVALUATOR.value, creteil)
    membership = user.memberships.get()
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": "",
        "is_active": "on",
        **inline_management(total=1, initial=1),
        "memberships-0-id": membership.pk,
        "memberships-0-user": user.pk,
        "memberships-0-cite": creteil.pk,
        "memberships-0-role": Role.EVALUATOR,
        "memberships-0-DELETE": "on",
    }
    assert admin_client.post(reverse("admin:core_user_change", args=[user.pk]), data).status_code == 302
    assert not user.memberships.exists()
    assert Event.objects.filter(verb=Verb.MEMBERSHIP_REVOKED, cite=creteil).count() == 1


def test_invitation_refuses_an_existing_email(admin_client, user_in):
    user_in(None, email="deja@exemple.fr")
    response = admin_client.post(reverse("admin:core_user_add"), {"email": "DEJA@exemple.fr"})
    assert response.status_code == 200
    assert "Un compte existe déjà avec cette adresse e-mail." in response.text
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("role", [*[role.value for role in Role if role != Role.NATIONAL]])
def test_only_administrators_reach_the_admin(client, user_in, creteil, role):
    client.force_login(user_in(role, creteil))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_national_users_do_not_reach_the_admin(client, user_in):
    client.force_login(user_in(Role.NATIONAL.value))
    assert client.get(reverse("admin:core_user_changelist")).status_code == 302


def test_membership_rules_are_enforced_by_the_form_and_the_database(user_in, creteil):
    user = user_in(None)
    form_class = type(
        "F", (MembershipForm,), {"Meta": type("Meta", (), {"model": Membership, "fields": ["cite", "role"]})}
    )
    assert "cite" in form_class(data={"cite": creteil.pk, "role": Role.NATIONAL}).errors
    assert "cite" in form_class(data={"cite": "", "role": Role.COORDINATOR}).errors
    assert form_class(data={"cite": creteil.pk, "role": Role.COORDINATOR}).is_valid()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Membership.objects.create(user=user, cite=creteil, role=Role.NATIONAL)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Membership.objects.create(user=user, cite=None, role=Role.COORDINATOR)
    Membership.objects.create(user=user, cite=creteil, role=Role.COORDINATOR)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Membership.objects.create(user=user, cite=creteil, role=Role.COORDINATOR)


def test_emails_are_unique_whatever_their_case(user_in):
    user_in(None, email="camille@exemple.fr")
    with transaction.atomic(), pytest.raises(IntegrityError):
        User.objects.create_user(email="Camille@Exemple.FR")
