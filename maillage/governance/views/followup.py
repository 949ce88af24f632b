"""Follow-up task pages: adding a task at a meeting, a cité's tasks, a task and its status, "my tasks"."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.governance.forms.followup import TaskFilterForm, TaskForm, TaskStatusForm
from maillage.governance.models import Meeting, Task
from maillage.governance.services import followup as services
from maillage.territories.models import Cite

TASKS_PER_PAGE = 25
HISTORY_LENGTH = 20


def task_create(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("cite", "body"), pk=pk)
    if not request.user.has_perm("governance.manage_tasks", meeting):
        raise PermissionDenied("Seuls la coordination et la troïka de la cité confient des tâches de suivi.")
    form = TaskForm(request.POST if request.method == "POST" else None, cite=meeting.cite)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_task(actor=request.user, cite=meeting.cite, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La tâche de suivi est enregistrée.")
            return redirect(meeting)
    return render(
        request,
        "governance/task_form.html",
        {"title": f"Ajouter une tâche de suivi — {meeting.title}", "meeting": meeting, "form": form},
    )


def cite_tasks(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("governance.view_tasks", cite):
        raise PermissionDenied("Les tâches de suivi de cette cité ne vous sont pas accessibles.")
    remember_cite(request, cite)
    form = TaskFilterForm(request.GET or None, cite=cite)
    tasks = form.filter(Task.objects.for_user(request.user).filter(cite=cite))
    tasks = tasks.select_related("owner", "meeting").order_by("due_on", "pk")
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/task_list.html",
        {"title": f"Tâches de suivi — {cite.name}", "cite": cite, "form": form, "page_obj": page},
    )


def task_update(request, pk):
    """A task and its history; its owner, the coordination and the troïka change its status."""
    task = get_object_or_404(Task.objects.select_related("cite", "owner", "meeting", "created_by"), pk=pk)
    can_change = request.user.has_perm("governance.change_task", task)
    if not (can_change or request.user.has_perm("governance.view_tasks", task)):
        raise PermissionDenied("Cette tâche n'est pas dans le périmètre de vos cités.")
    if request.method == "POST" and not can_change:
        raise PermissionDenied("Seuls son responsable, la coordination et la troïka changent l'état d'une tâche.")
    form = None
    if can_change:
        form = TaskStatusForm(request.POST if request.method == "POST" else None, initial={"status": task.status})
    if request.method == "POST" and form.is_valid():
        if services.change_task_status(actor=request.user, task=task, status=form.cleaned_data["status"]):
            messages.success(request, "L'état de la tâche est enregistré.")
        return redirect("governance:task_update", task.pk)
    remember_cite(request, task.cite)
    events = Event.objects.for_user(request.user).for_object(task).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "governance/task_detail.html",
        {
            "title": task.title,
            "task": task,
            "form": form,
            "events": events,
            "can_view_meeting": task.meeting is not None and request.user.has_perm("governance.view_meetings", task),
        },
    )


def my_tasks(request):
    """The user's open tasks in all their cités. Ordered by due date, the overdue ones come first."""
    tasks = (
        Task.objects.for_user(request.user)
        .open()
        .filter(owner=request.user)
        .select_related("cite", "meeting", "owner")
        .order_by("due_on", "pk")
    )
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "governance/my_tasks.html", {"title": "Mes tâches", "page_obj": page})
