"""Account requests of new project holders: a partner asks for an account from a call's public page, the
cité's coordinators hear of it, and one of them accepts it (the person gets an account as project holder of the
cité, as a contact of an organisation of the directory) or refuses it with a reason, which the person is told.
"""

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Role, User, Verb
from maillage.core.services import grant_membership, invite_user
from maillage.core.validators import rna_error, siret_error
from maillage.partners.models import Organisation
from maillage.partners.services import (
    compact,
    create_contact,
    create_organisation,
    phone_error,
    set_contact_account,
)
from maillage.programme.models import AccountRequest, AccountRequestStatus, CallForProjects

REQUEST_FIELDS = [
    "organisation_name",
    "siret",
    "rna",
    "first_name",
    "last_name",
    "job_title",
    "email",
    "phone",
    "message",
]
PHONE_LENGTH = 20
"""As long as a contact's phone in the directory."""
ALREADY_ANSWERED = "Cette demande a déjà reçu une réponse : elle est {status}."


def coordinator_emails(cite) -> list[str]:
    """The addresses of the cité's coordinators (active accounts)."""
    users = User.objects.filter(memberships__cite=cite, memberships__role=Role.COORDINATOR, is_active=True)
    return sorted(set(users.values_list("email", flat=True)))


def validate_request(data: dict) -> dict:
    """The request's values, cleaned, or a ValidationError listing every problem by field."""
    values = {name: (data.get(name) or "").strip() for name in REQUEST_FIELDS}
    values["siret"], values["rna"] = compact(values["siret"]), compact(values["rna"])
    values["email"] = values["email"].lower()
    errors = {}
    required = {
        "organisation_name": "Indiquez le nom de votre structure.",
        "first_name": "Indiquez votre prénom.",
        "last_name": "Indiquez votre nom.",
        "email": "Indiquez votre adresse électronique professionnelle.",
    }
    for name, message in required.items():
        if not values[name]:
            errors[name] = message
    if values["siret"] and (error := siret_error(values["siret"])):
        errors["siret"] = error[0].upper() + error[1:] + "."
    if values["rna"] and (error := rna_error(values["rna"])):
        errors["rna"] = error[0].upper() + error[1:] + "."
    if error := phone_error(values["phone"]):
        errors["phone"] = error
    elif len(values["phone"]) > PHONE_LENGTH:
        errors["phone"] = f"Écrivez le numéro en {PHONE_LENGTH} caractères au plus."
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def request_account(*, call: CallForProjects, data: dict, base_url: str) -> AccountRequest:
    """Record a request made from the public page of `call` and tell the cité's coordinators.

    A second request from the same address while the first waits is refused (the first is enough)."""
    if not call.is_published:
        raise ValidationError("Cet appel à projets n'est pas publié.")
    values = validate_request(data)
    waiting = AccountRequest.objects.filter(
        cite_id=call.cite_id, email__iexact=values["email"], status=AccountRequestStatus.PENDING
    )
    if waiting.exists():
        raise ValidationError(
            {"email": "Une demande faite avec cette adresse attend déjà la réponse de la coordination de la cité."}
        )
    account_request = AccountRequest.objects.create(cite_id=call.cite_id, call=call, **values)
    record_event(
        actor=None,
        verb=Verb.ACCOUNT_REQUESTED,
        obj=account_request,
        summary=f"Demande de compte reçue depuis l'appel à projets « {call.title} »",
        after={"structure": values["organisation_name"], "SIRET": values["siret"], "RNA": values["rna"]},
    )
    recipients = coordinator_emails(call.cite)
    if recipients:
        context = {
            "request": account_request,
            "call": call,
            "url": base_url.rstrip("/") + reverse("programme:account_request_answer", args=[account_request.pk]),
        }
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Demande de compte de {account_request.organisation_name} — {call.cite.name}",
                message=render_to_string("programme/emails/account_requested.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
        )
    return account_request


def lock_pending(account_request: AccountRequest) -> AccountRequest:
    """The request, locked and read again; refused when another coordinator has answered it meanwhile."""
    locked = (
        AccountRequest.objects.select_for_update(of=("self",)).select_related("cite", "call").get(pk=account_request.pk)
    )
    if locked.status != AccountRequestStatus.PENDING:
        raise ValidationError(ALREADY_ANSWERED.format(status=locked.get_status_display()))
    return locked


def close_request(
    locked: AccountRequest,
    *,
    actor,
    status,
    summary: str,
    details: dict,
    fields: dict,
    subject: str,
    template: str,
    context: dict,
) -> None:
    """Record the answer to a pending request (its status, `fields`, who answered and when), log it, and e-mail
    the person once the transaction commits."""
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.status = status
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_by", "answered_at", *fields])
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=locked,
        summary=summary,
        before={"état": AccountRequestStatus.PENDING.label},
        after={"état": AccountRequestStatus(status).label, **details},
    )
    message = render_to_string(template, {"request": locked, **context})
    transaction.on_commit(
        lambda: send_mail(subject=subject, message=message, from_email=None, recipient_list=[locked.email])
    )


def organisation_for(*, actor, account_request: AccountRequest, organisation, kind: str) -> Organisation:
    """The organisation of the directory the person will act for: the one chosen (working in the cité), or a
    new one made from the request's name, SIRET and RNA number."""
    cite = account_request.cite
    if organisation is not None:
        if not Organisation.objects.in_cites([cite.pk]).filter(pk=organisation.pk).exists():
            raise ValidationError({"organisation": "Cette structure ne figure pas dans l'annuaire de la cité."})
        return organisation
    if not kind:
        raise ValidationError({"kind": "Choisissez une structure de l'annuaire, ou le type de la structure à créer."})
    data = {
        "name": account_request.organisation_name,
        "kind": kind,
        "siret": account_request.siret,
        "rna": account_request.rna,
    }
    return create_organisation(actor=actor, cite=cite, data=data)


@transaction.atomic
def accept_account_request(
    *, actor, account_request: AccountRequest, base_url: str, organisation: Organisation | None = None, kind: str = ""
) -> User:
    """Give the person an account as project holder of the cité, acting for `organisation` (or for a new
    organisation of the directory, of `kind`, made from the request), as one of its contacts.

    A person who already has an account gets the role; otherwise they are invited (an e-mail to choose a
    password). Everything happens in one transaction: a problem leaves nothing behind.
    """
    locked = lock_pending(account_request)
    cite = locked.cite
    organisation = organisation_for(actor=actor, account_request=locked, organisation=organisation, kind=kind)
    user = User.objects.filter(email__iexact=locked.email).first()
    invited = user is None
    if invited:
        user = invite_user(
            actor=actor,
            email=locked.email,
            first_name=locked.first_name,
            last_name=locked.last_name,
            job_title=locked.job_title,
            memberships=[(cite, Role.PROJECT_HOLDER)],
            base_url=base_url,
        )
    else:
        grant_membership(actor=actor, user=user, cite=cite, role=Role.PROJECT_HOLDER)
    contact = (
        organisation.contacts.filter(user=user).first()
        or organisation.contacts.filter(email__iexact=locked.email, user__isnull=True).first()
    )
    if contact is None:
        contact_data = {
            "first_name": locked.first_name,
            "last_name": locked.last_name,
            "job_title": locked.job_title,
            "email": locked.email,
            "phone": locked.phone,
        }
        contact = create_contact(actor=actor, organisation=organisation, data=contact_data)
    set_contact_account(actor=actor, contact=contact, user=user)

    close_request(
        locked,
        actor=actor,
        status=AccountRequestStatus.ACCEPTED,
        summary=f"Demande de compte acceptée : porteur de projet pour la structure « {organisation.name} »",
        details={"structure rattachée": organisation.name},
        fields={"organisation": organisation},
        subject=f"Votre demande de compte est acceptée — cité éducative {cite.name}",
        template="programme/emails/account_accepted.txt",
        context={"organisation": organisation, "invited": invited, "base_url": base_url},
    )
    return user


@transaction.atomic
def refuse_account_request(*, actor, account_request: AccountRequest, reason: str) -> AccountRequest:
    """Refuse a request, with a reason that is e-mailed to the person."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus : il est transmis à la personne."})
    locked = lock_pending(account_request)
    close_request(
        locked,
        actor=actor,
        status=AccountRequestStatus.REFUSED,
        summary="Demande de compte refusée",
        details={"motif": reason},
        fields={"refusal_reason": reason},
        subject=f"Votre demande de compte — cité éducative {locked.cite.name}",
        template="programme/emails/account_refused.txt",
        context={"reason": reason},
    )
    return locked
