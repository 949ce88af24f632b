"""Reminding the holders of the reports they owe (run every morning by `maillage.evaluation.tasks`, or by the
`send_report_reminders` command from cron).

- "upcoming": once, when the due date is 30 days away or less;
- "late": the day after the due date, then every 30 days until the report is submitted.

Each reminder sent is a `ReportReminder` row, which is how it is never sent twice: running the service twice the
same day sends nothing the second time. The due actions are found in one query, the reminders written in one
insert; the e-mails leave once that is committed.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format

from maillage.evaluation.models import ReminderKind, ReportReminder, report_due_on
from maillage.evaluation.services.reports import awaiting_report, last_late_year, report_state
from maillage.programme.models import Action
from maillage.programme.services.transitions import holder_emails

UPCOMING_NOTICE = timedelta(days=30)
"""How long before the due date the "upcoming" reminder goes out."""
LATE_REPEAT = timedelta(days=30)
"""How long after a "late" reminder the next one goes out."""


def years_due_soon(today: date) -> list[int]:
    """The call years whose reports fall due within `UPCOMING_NOTICE` from `today` (not yet passed)."""
    years = []
    year = last_late_year(today) + 1
    while report_due_on(year) - UPCOMING_NOTICE <= today:
        years.append(year)
        year += 1
    return years


def actions_to_remind(today: date):
    """The actions owing a report that get a reminder `today`, in one query: those due soon that were never
    reminded, and the late ones not reminded of it in the last 30 days."""
    upcoming_sent = ReportReminder.objects.filter(action=OuterRef("pk"), kind=ReminderKind.UPCOMING)
    late_sent = ReportReminder.objects.filter(
        action=OuterRef("pk"), kind=ReminderKind.LATE, sent_on__gt=today - LATE_REPEAT
    )
    due_soon = Q(call__year__in=years_due_soon(today)) & ~Exists(upcoming_sent)
    late = Q(call__year__lte=last_late_year(today)) & ~Exists(late_sent)
    return (
        awaiting_report(Action.objects.all())
        .filter(due_soon | late)
        .select_related("call", "cite", "organisation", "created_by")
        .order_by("pk")
    )


def reminder_mail(action: Action, kind: str, today: date, recipients: list[str]) -> tuple:
    """The (subject, text, sender, recipients) of one reminder, for `send_mass_mail`."""
    state = report_state(action, today, None)
    due = date_format(state.due_on, "j F Y")
    if kind == ReminderKind.UPCOMING:
        subject = f"Bilan de l'action « {action.title} » à déposer avant le {due}"
    else:
        subject = f"Bilan de l'action « {action.title} » en retard"
    context = {
        "action": action,
        "due": due,
        "days_late": state.days_late,
        "url": settings.PLATFORM_URL.rstrip("/") + reverse("evaluation:report_detail", args=[action.pk]),
    }
    return subject, render_to_string(f"evaluation/emails/report_{kind}.txt", context), None, recipients


@transaction.atomic
def send_report_reminders(*, today: date) -> int:
    """Send the reminders due `today`; returns how many were sent. An action whose holder has no address gets
    none (and nothing is recorded: the late list shows that no reminder went out)."""
    reminders, mails = [], []
    for action in actions_to_remind(today):
        recipients = holder_emails(action)
        if not recipients:
            continue
        kind = ReminderKind.LATE if today > report_due_on(action.call.year) else ReminderKind.UPCOMING
        reminders.append(ReportReminder(action=action, kind=kind, sent_on=today, recipients=", ".join(recipients)))
        mails.append(reminder_mail(action, kind, today, recipients))
    ReportReminder.objects.bulk_create(reminders)
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails))
    return len(reminders)
