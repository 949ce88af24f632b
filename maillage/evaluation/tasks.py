"""Background task of the evaluation (django-tasks; the worker is `manage.py db_worker`): the report reminders,
sent every morning at 07:00 (Paris time).

The task runs the service for today, then enqueues its own next run: the chain is started once by
`schedule_report_reminders()` (the `send_report_reminders --schedule` command), which does nothing when a run is
already waiting, so calling it again never doubles the chain.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from maillage.evaluation.services.reminders import send_report_reminders

PARIS = ZoneInfo("Europe/Paris")
MORNING = time(7, 0)


def next_morning(now: datetime) -> datetime:
    """The first 07:00 in Paris after `now` (an aware datetime), summer or winter time."""
    local = now.astimezone(PARIS)
    morning = datetime.combine(local.date(), MORNING, tzinfo=PARIS)
    if morning <= local:
        morning = datetime.combine(local.date() + timedelta(days=1), MORNING, tzinfo=PARIS)
    return morning


@task()
def send_report_reminders_task() -> int:
    """Send today's report reminders, then enqueue tomorrow morning's run (even when today's failed, so that one
    failure does not stop the reminders for good)."""
    try:
        return send_report_reminders(today=timezone.localdate())
    finally:
        schedule_report_reminders()


def schedule_report_reminders() -> TaskResult | None:
    """Enqueue the next morning's run of the reminders, unless one is already waiting. Returns None when nothing
    was enqueued, also when the task backend cannot defer a task (`TASKS_IMMEDIATE`): cron then runs the
    `send_report_reminders` command instead."""
    if not send_report_reminders_task.get_backend().supports_defer:
        return None
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=send_report_reminders_task.module_path
    )
    if waiting.exists():
        return None
    return send_report_reminders_task.using(run_after=next_morning(timezone.now())).enqueue()
