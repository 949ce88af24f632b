"""Use cases of the grants: deciding what one source gives a selected action, or refusing it.

Rules (DOMAIN.md): what is granted never exceeds what is left in the envelope, unless someone who keeps that
money overrides it with a written reason (kept in the history); it never drops below what is already paid;
it no longer changes once its legal act is signed. Two officers editing one grant: each form carries the
grant's `version`, and a form posted on an older version is refused with the current values.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.core.templatetags.ui import euros
from maillage.funding.models import Envelope, Grant, GrantStatus, Payment
from maillage.funding.services.envelopes import granted_on
from maillage.funding.services.legal_acts import SIGNED_ACT_IS_FROZEN, prepare_legal_act
from maillage.programme.models import FUNDED_STATUSES, Action, FundingRequest

CONFLICT = "conflict"
"""The code of the ValidationError raised when a grant changed since the form was loaded."""
GRANT_SOMETHING = "Le montant attribué est un nombre d'euros positif. Pour ne rien attribuer, refusez la demande."
NO_GRANT_YET = 0
"""The version a creation form posts: it expects that no grant exists yet for the action and envelope."""


def requested_from(action: Action, envelope: Envelope) -> Decimal:
    """What the action's funding plan asks from the envelope's source (0 when it asks nothing)."""
    request = FundingRequest.objects.filter(action=action, source_id=envelope.source_id).first()
    return request.amount if request else Decimal("0")


def paid_on(grant: Grant) -> Decimal:
    if not grant.pk:
        return Decimal("0")
    return Payment.objects.filter(grant=grant).aggregate(total=Sum("amount"))["total"] or Decimal("0")


def conflict_error(current: Grant) -> ValidationError:
    """The French message telling an officer that someone else changed the grant since the form was loaded."""
    values = f"statut « {current.get_status_display()} », montant attribué {euros(current.granted)}"
    if current.override_reason:
        values += f", motif du dépassement : « {current.override_reason} »"
    who = f" ({current.decided_by})" if current.decided_by_id else ""
    return ValidationError(
        f"Un autre gestionnaire{who} a modifié cette subvention pendant que vous la modifiiez. Valeurs actuelles : "
        f"{values}. Votre saisie est conservée ci-dessous : vérifiez-la puis enregistrez à nouveau pour confirmer.",
        code=CONFLICT,
    )


def check_fundable(action: Action, envelope: Envelope) -> None:
    if action.status not in FUNDED_STATUSES:
        raise ValidationError(
            f"Cette action est « {action.get_status_display()} » : seule une action retenue peut être financée."
        )
    if envelope.cite_id != action.cite_id or envelope.year != action.call.year:
        raise ValidationError(
            {"envelope": f"Choisissez une enveloppe de la cité de l'action pour l'exercice {action.call.year}."}
        )


def locked_grant(action: Action, envelope: Envelope, version: int | None) -> Grant | None:
    """The (action, envelope) grant, its row locked, after checking it is still at the form's `version`."""
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("legal_act", "decided_by")
        .filter(action=action, envelope=envelope)
        .first()
    )
    if grant is not None and version is not None and grant.version != version:
        raise conflict_error(grant)
    if grant is not None and grant.legal_act_id and grant.legal_act.is_signed:
        raise ValidationError(SIGNED_ACT_IS_FROZEN.format(act=str(grant.legal_act).capitalize()))
    return grant


def save_versioned(grant: Grant, version: int | None, **values) -> Grant:
    """Write `values` on an existing grant only if it is still at `version` (when given), bumping the version.
    No row changed means another officer saved it meanwhile: the current values are reported."""
    rows = Grant.objects.filter(pk=grant.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(**values, version=F("version") + 1, updated_at=timezone.now()):
        raise conflict_error(Grant.objects.select_related("decided_by").get(pk=grant.pk))
    return Grant.objects.select_related("envelope__source", "action__organisation", "legal_act").get(pk=grant.pk)


def grant_snapshot(grant: Grant | None) -> dict:
    if grant is None:
        return {}
    return {
        "statut": grant.get_status_display(),
        "montant demandé": euros(grant.requested),
        "montant attribué": euros(grant.granted),
    }


@transaction.atomic
def decide_grant(
    *,
    actor,
    action: Action,
    envelope: Envelope,
    granted: Decimal,
    override_reason: str = "",
    version: int | None = None,
    requested: Decimal | None = None,
) -> Grant:
    """Grant `granted` euros from `envelope` to `action`: create or update their grant, move it to granted
    and prepare its legal act.

    `version` is the grant's version the form was built on (`NO_GRANT_YET` for a creation form; None skips
    the check, for scripts); `requested` defaults to the action's funding plan for the envelope's source.
    """
    override_reason = (override_reason or "").strip()
    check_fundable(action, envelope)
    if granted is None or Decimal(granted) <= 0:
        raise ValidationError({"granted": GRANT_SOMETHING})
    if requested is not None and Decimal(requested) < 0:
        raise ValidationError({"requested": "Le montant demandé est un nombre d'euros positif ou nul."})
    granted = Decimal(granted)
    envelope = Envelope.objects.select_for_update(of=("self",)).select_related("source", "cite").get(pk=envelope.pk)
    grant = locked_grant(action, envelope, version)
    if grant is not None and grant.status == GrantStatus.REFUSED:
        raise ValidationError("Cette demande a été refusée : elle ne peut plus être attribuée.")
    already_paid = paid_on(grant) if grant else Decimal("0")
    if granted < already_paid:
        raise ValidationError(
            {
                "granted": f"{euros(already_paid)} sont déjà versés sur cette subvention : "
                f"le montant attribué ne peut pas descendre en dessous."
            }
        )
    left = envelope.amount - granted_on(envelope, excluding=grant)
    overrides = granted > left
    if overrides and not override_reason:
        raise ValidationError(
            {
                "granted": f"Il reste {euros(left)} dans l'enveloppe {envelope.source} {envelope.year} : "
                f"{euros(granted)} la dépassent. Réduisez le montant, ou écrivez le motif du dépassement."
            }
        )
    candidate = grant or Grant(cite_id=action.cite_id, action=action, envelope=envelope)
    if overrides and not getattr(actor, "has_perm", lambda *args: False)("funding.manage_grant", candidate):
        raise ValidationError(
            {"override_reason": "Seul le gestionnaire de cette enveloppe peut autoriser un dépassement."}
        )
    if not overrides:
        override_reason = ""

    before = grant_snapshot(grant)
    values = {
        "granted": granted,
        "override_reason": override_reason,
        "decided_on": timezone.localdate(),
        "decided_by": actor if getattr(actor, "is_authenticated", False) else None,
    }
    if requested is not None:
        values["requested"] = Decimal(requested)
    if grant is None:
        values.setdefault("requested", requested_from(action, envelope))
        grant = Grant(cite_id=action.cite_id, action=action, envelope=envelope, **values)
        grant.grant()
        grant.save()
    else:
        grant.grant()  # checks the transition is allowed; the status is written with the values below
        grant = save_versioned(grant, version, status=GrantStatus.GRANTED, **values)

    record_event(
        actor=actor,
        verb=Verb.GRANT_DECIDED,
        obj=grant,
        summary=f"{euros(granted)} attribués par {envelope.source} {envelope.year} à « {action.title} »",
        before=before,
        after=grant_snapshot(grant),
    )
    if overrides:
        record_event(
            actor=actor,
            verb=Verb.ENVELOPE_OVERRIDDEN,
            obj=grant,
            summary=f"Enveloppe {envelope.source} {envelope.year} dépassée de {euros(granted - left)} : "
            f"{override_reason}",
            after={
                "restait dans l'enveloppe": euros(left),
                "montant attribué": euros(granted),
                "motif": override_reason,
            },
        )
    prepare_legal_act(actor=actor, grant=grant)
    return grant


@transaction.atomic
def refuse_grant(*, actor, action: Action, envelope: Envelope, reason: str = "", version: int | None = None) -> Grant:
    """Refuse what `action` asked from `envelope` (its grant is created from the funding plan if needed)."""
    reason = (reason or "").strip()
    check_fundable(action, envelope)
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du refus : il est obligatoire."})
    grant = locked_grant(action, envelope, version)
    if grant is not None and grant.status != GrantStatus.REQUESTED:
        raise ValidationError(
            f"Cette subvention est déjà {grant.get_status_display()} : seule une demande en attente peut être refusée."
        )
    before = grant_snapshot(grant)
    if grant is None:
        grant = Grant(cite_id=action.cite_id, action=action, envelope=envelope)
        grant.requested = requested_from(action, envelope)
        grant.refuse()
        grant.save()
    else:
        grant.refuse()
        grant = save_versioned(grant, version, status=GrantStatus.REFUSED)
    record_event(
        actor=actor,
        verb=Verb.GRANT_DECIDED,
        obj=grant,
        summary=f"Demande à {envelope.source} {envelope.year} refusée : {reason}",
        before=before,
        after={**grant_snapshot(grant), "motif du refus": reason},
    )
    return grant
