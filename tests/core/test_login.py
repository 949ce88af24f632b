"""Signing in: e-mail and password, the TOTP second step, the rate limit, passwords by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.models import Event, Role, Verb

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def coordinator(user_in, creteil):
    return user_in(Role.COORDINATOR.value, creteil, email="julie.martin@exemple.fr")


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("core:login"), {"username": email, "password": password, **extra})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def reset_throttle(device: TOTPDevice) -> None:
    """A wrong code arms django-otp's throttle (a growing delay); the tests do not wait for it."""
    device.refresh_from_db()
    device.throttle_reset()


def test_login_page_is_public_and_in_french(client, db):
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    assert "Se connecter à Maillage" in response.text
    assert '<label class="fr-label" for="id_username">Adresse e-mail' in response.text


def test_sign_in_with_email_lands_on_the_users_cite(client, coordinator):
    response = sign_in(client, "Julie.Martin@Exemple.fr")
    assert response.status_code == 302
    landing = client.get(response["Location"])
    assert landing["Location"] == reverse("territories:cite_detail", args=["cite-021"])


def test_a_national_user_lands_on_the_list_of_cites(client, user_in):
    user_in(Role.NATIONAL.value, email="anct@exemple.fr")
    sign_in(client, "anct@exemple.fr")
    assert client.get(reverse("core:home"))["Location"] == reverse("territories:cite_list")


def test_wrong_password_gives_a_french_error(client, coordinator):
    response = sign_in(client, coordinator.email, "faux")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.text
    assert "_auth_user_id" not in client.session


def test_next_is_followed_only_inside_the_platform(client, coordinator):
    school = reverse("territories:school_detail", args=["0940003T"])
    assert sign_in(client, coordinator.email, next=school)["Location"] == school
    client.logout()
    assert sign_in(client, coordinator.email, next="https://exemple.org/")["Location"] == reverse("core:home")


def test_login_is_rate_limited(client, coordinator, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = coordinator.email.upper() if attempt % 2 else coordinator.email  # the case does not matter
        sign_in(client, email, "faux")
    locked = sign_in(client, coordinator.email)  # even the right password is refused while locked
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.text
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("core:logout")).status_code == 405
    assert client.post(reverse("core:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_enrol_a_totp_second_factor(client, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("core:second_factor"))
    assert page.status_code == 200
    assert "<svg" in page.text and 'role="img"' in page.text
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    wrong = client.post(
        reverse("core:second_factor"), {"token": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert "ne correspond pas" in wrong.text
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()
    reset_throttle(device)
    done = client.post(reverse("core:second_factor"), {"token": current_code(device)})
    assert done["Location"] == reverse("core:account")
    assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).count() == 1
    assert Event.objects.filter(verb=Verb.SECOND_FACTOR_ENROLLED, actor=coordinator).exists()
    assert "Activée" in client.get(reverse("core:account")).text


def test_a_non_numeric_code_is_refused(client, coordinator):
    client.force_login(coordinator)
    client.get(reverse("core:second_factor"))
    response = client.post(reverse("core:second_factor"), {"token": "abcdef"})
    assert "Le code ne contient que des chiffres." in response.text


def test_sign_in_with_a_second_factor(client, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="téléphone", confirmed=True)
    first = sign_in(client, coordinator.email)
    assert first["Location"] == reverse("core:login_code")
    assert "_auth_user_id" not in client.session  # not signed in before the code
    assert client.get(reverse("core:account"))["Location"].startswith(reverse("core:login"))
    refused = client.post(
        reverse("core:login_code"), {"token": "123456" if current_code(device) != "123456" else "654321"}
    )
    assert "Code incorrect" in refused.text
    throttled = client.post(reverse("core:login_code"), {"token": current_code(device)})
    assert "Code incorrect" in throttled.text  # right code, but too soon after a wrong one
    reset_throttle(device)
    accepted = client.post(reverse("core:login_code"), {"token": current_code(device)})
    assert accepted["Location"] == reverse("core:home")
    assert int(client.session["_auth_user_id"]) == coordinator.pk


def test_the_code_step_needs_a_password_first(client, db):
    assert client.get(reverse("core:login_code"))["Location"] == reverse("core:login")


def test_remove_the_second_factor(client, coordinator):
    TOTPDevice.objects.create(user=coordinator, name="téléphone", confirmed=True)
    client.force_login(coordinator)
    client.post(reverse("core:second_factor_remove"))
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert Event.objects.filter(verb=Verb.SECOND_FACTOR_REMOVED).exists()


def test_forgotten_password_by_email(client, coordinator):
    response = client.post(reverse("core:password_reset"), {"email": coordinator.email})
    assert response["Location"] == reverse("core:password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/mot-de-passe/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert "Choisir votre mot de passe" in form_page.text
    new_password = "un mot de passe long et neuf"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done["Location"] == reverse("core:password_reset_complete")
    coordinator.refresh_from_db()
    assert coordinator.check_password(new_password)


def test_static_pages_are_public(client, db):
    assert "Licence Ouverte" in client.get(reverse("core:data_sources")).text
    assert "partiellement conforme" in client.get(reverse("core:accessibility")).text
