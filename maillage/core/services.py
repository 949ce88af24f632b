"""Use cases on accounts: invite a person, give or take back a role, enrol a second factor.
Each writes its events."""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.core.events import record_event
from maillage.core.models import Membership, Role, User, Verb


def set_password_url(user: User, base_url: str) -> str:
    """The one-time link with which a person chooses their password (invitation or reset)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("core:password_reset_confirm", args=[uid, token])


@transaction.atomic
def invite_user(
    *,
    actor,
    email: str,
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
    is_admin: bool = False,
    memberships: list[tuple[object | None, str]] = (),
    base_url: str,
) -> User:
    """Create an account without a password, give its roles and e-mail a link to choose a password."""
    user = User.objects.create_user(
        email=email,
        password=None,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    record_event(
        actor=actor,
        verb=Verb.USER_INVITED,
        obj=user,
        summary=f"Invitation de {user.email}" + (" (administrateur)" if is_admin else ""),
        after={"email": user.email, "administrateur": is_admin},
    )
    for cite, role in memberships:
        grant_membership(actor=actor, user=user, cite=cite, role=role)
    transaction.on_commit(lambda: send_invitation(user, base_url))
    return user


def send_invitation(user: User, base_url: str) -> None:
    context = {"user": user, "url": set_password_url(user, base_url), "base_url": base_url}
    send_mail(
        subject="Votre accès à Maillage",
        message=render_to_string("core/emails/invitation.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def grant_membership(*, actor, user: User, cite, role: str) -> Membership:
    role = Role(role)
    membership, created = Membership.objects.get_or_create(
        user=user, cite=None if role == Role.NATIONAL else cite, role=role
    )
    if created:
        where = f"dans la {cite}" if membership.cite_id else "au niveau national"
        record_event(
            actor=actor,
            verb=Verb.MEMBERSHIP_GRANTED,
            obj=user,
            cite=membership.cite,
            summary=f"{user} : rôle « {role.label} » {where}",
            after={"rôle": role.label},
        )
    return membership


@transaction.atomic
def revoke_membership(*, actor, membership: Membership) -> None:
    role = Role(membership.role)
    record_event(
        actor=actor,
        verb=Verb.MEMBERSHIP_REVOKED,
        obj=membership.user,
        cite=membership.cite,
        summary=f"{membership.user} : rôle « {role.label} » retiré",
        before={"rôle": role.label},
    )
    membership.delete()


def pending_totp_device(user: User) -> TOTPDevice:
    """The TOTP device being enrolled (unconfirmed), created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)


@transaction.atomic
def confirm_totp_device(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm enrolment when the code from the person's app matches; a wrong code changes nothing."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    record_event(
        actor=user,
        verb=Verb.SECOND_FACTOR_ENROLLED,
        obj=user,
        summary=f"{user} : double authentification activée",
    )
    return True


@transaction.atomic
def remove_totp_devices(*, actor, user: User) -> None:
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        record_event(
            actor=actor,
            verb=Verb.SECOND_FACTOR_REMOVED,
            obj=user,
            summary=f"{user} : double authentification retirée",
        )


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()
