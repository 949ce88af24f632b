"""Moving an action through its statuses (DOMAIN.md). Every use case that changes an action's status goes
through `move_action`: it applies the django-fsm-2 transition, saves, writes the event and e-mails the holder.
"""

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_fsm import can_proceed

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.programme.models import Action


def holder_emails(action: Action) -> list[str]:
    """Who hears of a status change: the person who wrote the sheet, the organisation's contacts who sign in
    for it, and the organisation's own address."""
    emails = [action.created_by.email] if action.created_by_id else []
    emails += action.organisation.contacts.filter(user__isnull=False).values_list("user__email", flat=True)
    if action.organisation.email:
        emails.append(action.organisation.email)
    return sorted(set(emails))


def move_action(*, actor, action: Action, transition: str, note: str = "", fields: tuple[str, ...] = ()) -> Action:
    """Apply `transition` (a method of Action: submit, review, select, reject, agree, start, finish, abandon,
    postpone, close). Raises a French ValidationError when the action's status does not allow it.

    `fields` are other fields the caller changed on `action` and wants saved with the status. Call it inside
    the caller's transaction; the e-mail leaves once that transaction commits.
    """
    method = getattr(action, transition, None)
    if method is None or not can_proceed(method):
        raise ValidationError(f"Une action « {action.get_status_display()} » ne peut pas passer à cette étape.")
    before = action.get_status_display()
    method()
    action.save(update_fields=["status", "submitted_at", "updated_at", *fields])
    after = action.get_status_display()
    summary = f"Statut : {before} → {after}" + (f" ({note})" if note else "")
    record_event(
        actor=actor,
        verb=Verb.ACTION_STATUS_CHANGED,
        obj=action,
        summary=summary,
        before={"statut": before},
        after={"statut": after, **({"motif": note} if note else {})},
    )
    recipients = holder_emails(action)
    if recipients:
        context = {"action": action, "before": before, "after": after, "note": note}
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Votre action « {action.title} » est {after}",
                message=render_to_string("programme/emails/status_changed.txt", context),
                from_email=None,
                recipient_list=recipients,
            )
        )
    return action
