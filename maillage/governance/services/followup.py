"""Use cases of the follow-up tasks decided in meetings: creating a task, changing its status."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Membership, User, Verb
from maillage.governance.models import Meeting, Task, TaskStatus


def cite_members(cite):
    """The accounts that may own a task of the cité: its members (one query, no duplicates)."""

    return User.objects.filter(is_active=True, pk__in=Membership.objects.filter(cite=cite).values("user_id"))


@transaction.atomic
def create_task(*, actor, cite, meeting: Meeting | None = None, title: str, description: str = "", owner, due_on):
    """A follow-up task of the cité, optionally decided at `meeting`. The owner must be a member of the cité
    and the due date cannot be in the past."""
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Donnez un intitulé à la tâche."
    if meeting is not None and meeting.cite_id != cite.pk:
        errors["meeting"] = "Cette réunion n'appartient pas à la cité."
    if owner is None or not cite_members(cite).filter(pk=owner.pk).exists():
        errors["owner"] = "Le responsable doit être membre de la cité éducative."
    if due_on is None:
        errors["due_on"] = "Indiquez une échéance."
    elif due_on < timezone.localdate():
        errors["due_on"] = "L'échéance ne peut pas être déjà passée."
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(
        cite=cite,
        meeting=meeting,
        title=title,
        description=(description or "").strip(),
        owner=owner,
        due_on=due_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=task,
        summary=f"Tâche confiée à {owner} pour le {due_on:%d/%m/%Y}",
        after={"tâche": title, "responsable": str(owner), "échéance": due_on.isoformat()},
    )
    return task


@transaction.atomic
def change_task_status(*, actor, task: Task, status: str) -> bool:
    """Move a task to `status`; `done_at` is set when it is done. Returns False when nothing changes."""
    if status not in TaskStatus.values:
        raise ValidationError({"status": "Cet état de tâche n'existe pas."})
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status == status:
        return False
    before = task.get_status_display()
    task.status = status
    task.done_at = timezone.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "done_at"])
    record_event(
        actor=actor,
        verb=Verb.TASK_STATUS_CHANGED,
        obj=task,
        summary=f"État : {before} → {task.get_status_display()}",
        before={"état": before},
        after={"état": task.get_status_display()},
    )
    return True
