"""Writing and moderating the public offer (signed in): a cité's activities, the activity form (with its weekly
slots), the activity's management page with its moderation, and the activity prepared from an action."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.forms import add_service_errors
from maillage.core.middleware import remember_cite
from maillage.core.models import Event
from maillage.offer import services
from maillage.offer.forms import ActivityForm, ModerationForm, StatusFilterForm, show_service_errors, slot_formset
from maillage.offer.models import Activity, ActivityStatus
from maillage.programme.models import Action
from maillage.territories.models import Cite

ACTIVITIES_PER_PAGE = 25
HISTORY_LENGTH = 20
NOT_IN_PERIMETER = "Cette activité n'est pas dans votre périmètre."
MODERATED = {
    "submit": "L'activité est soumise à la coordination de la cité, qui la publiera après relecture.",
    "publish": "L'activité est publiée : elle paraît dans l'offre publique.",
    "refuse": "L'activité est refusée : la structure reçoit votre message.",
    "withdraw": "L'activité est retirée de l'offre publique : la structure reçoit votre message.",
}


def activity_list(request, anct_id):
    """The cité's activities the user may see, by status; the coordinator's moderation queue comes first."""
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("offer.view_activities", cite):
        raise PermissionDenied("L'offre publique de cette cité n'est pas dans votre périmètre.")
    remember_cite(request, cite)
    can_moderate = request.user.has_perm("offer.moderate_activity", cite)
    form = StatusFilterForm(request.GET or None, moderator=can_moderate)
    visible = Activity.objects.for_user(request.user).filter(cite=cite)
    order = ["-updated_at", "pk"]
    if can_moderate:
        waiting = Case(
            When(status=ActivityStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        order = [waiting, *order]
    activities = form.filter(visible).select_related("organisation").order_by(*order)
    page = Paginator(activities, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "offer/manage_list.html",
        {
            "title": f"Offre publique — {cite.name}",
            "cite": cite,
            "form": form,
            "page_obj": page,
            "can_write": request.user.has_perm("offer.write_activity", cite),
            "pending": visible.filter(status=ActivityStatus.PENDING).count() if can_moderate else 0,
        },
    )


def activity_create(request, anct_id):
    cite = get_object_or_404(Cite, anct_id=anct_id)
    if not request.user.has_perm("offer.write_activity", cite):
        raise PermissionDenied(
            "Seuls la coordination de la cité et ses porteurs de projet écrivent son offre publique."
        )
    organisations = services.organisations_for(request.user, cite)
    if not organisations:
        raise PermissionDenied(
            "Votre compte n'est relié à aucune structure qui intervient dans cette cité : demandez à la "
            "coordination de la cité de vous rattacher à votre structure."
        )
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(data, cite=cite, organisations=organisations)
    slots = slot_formset(data)
    if data is not None and form.is_valid() and slots.is_valid():
        try:
            activity = services.create_activity(
                actor=request.user,
                cite=cite,
                organisation=form.chosen_organisation(),
                slots=slots.slots(),
                **form.activity_fields(),
            )
        except ValidationError as error:
            show_service_errors(form, slots, error)
        else:
            messages.success(request, "L'activité est enregistrée (brouillon). Soumettez-la à la modération.")
            return redirect("offer:activity_detail", activity.pk)
    remember_cite(request, cite)
    return render(
        request,
        "offer/manage_form.html",
        {"title": f"Nouvelle activité — {cite.name}", "cite": cite, "form": form, "slots": slots},
    )


def activity_update(request, pk):
    activity = get_activity(request, pk)
    if not request.user.has_perm("offer.write_activity", activity):
        raise PermissionDenied("Seuls la coordination de la cité et le porteur de l'activité la modifient.")
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(data, cite=activity.cite, activity=activity)
    slots = slot_formset(data, activity=activity)
    if data is not None and form.is_valid() and slots.is_valid():
        try:
            services.update_activity(
                actor=request.user, activity=activity, slots=slots.slots(), **form.activity_fields()
            )
        except ValidationError as error:
            show_service_errors(form, slots, error)
        else:
            message = "L'activité est enregistrée."
            if activity.is_published:
                message += " Elle reste publiée ; la coordination de la cité voit vos changements."
            messages.success(request, message)
            return redirect("offer:activity_detail", activity.pk)
    remember_cite(request, activity.cite)
    return render(
        request,
        "offer/manage_form.html",
        {
            "title": f"Modifier — {activity.title}",
            "cite": activity.cite,
            "form": form,
            "slots": slots,
            "activity": activity,
        },
    )


def activity_detail(request, pk):
    return render_activity(request, get_activity(request, pk))


@require_POST
def activity_moderate(request, pk):
    """A step of the moderation: the holder submits; the coordinator publishes, refuses or withdraws."""
    activity = get_activity(request, pk)
    form = ModerationForm(request.POST)
    decision = request.POST.get("decision")
    permission = "offer.write_activity" if decision == "submit" else "offer.moderate_activity"
    if not request.user.has_perm(permission, activity):
        raise PermissionDenied(
            "Seuls la coordination de la cité et le porteur de l'activité la soumettent."
            if decision == "submit"
            else "Seule la coordination de la cité modère l'offre publique."
        )
    if form.is_valid():
        try:
            if decision == "submit":
                services.submit_activity(actor=request.user, activity=activity)
            else:
                services.moderate_activity(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, MODERATED[decision])
            return redirect("offer:activity_detail", activity.pk)
    return render_activity(request, get_activity(request, pk), moderation_form=form)


@require_POST
def activity_from_action(request, pk):
    """The holder of a selected action prepares its public activity (or opens the one already prepared)."""
    action = get_object_or_404(Action.objects.select_related("cite", "organisation"), pk=pk)
    if not request.user.has_perm("offer.publish_action", action):
        raise PermissionDenied(
            "Seul le porteur d'une action retenue, conventionnée ou en cours la publie dans l'offre publique."
        )
    try:
        activity = services.activity_from_action(actor=request.user, action=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(action)
    messages.success(
        request,
        "L'activité est préparée depuis la fiche action. Complétez-la (créneaux, comment participer) puis "
        "soumettez-la à la modération.",
    )
    return redirect("offer:activity_update", activity.pk)


def get_activity(request, pk) -> Activity:
    """The activity with what its pages show; 403 outside the user's perimeter."""
    activity = get_object_or_404(
        Activity.objects.select_related(
            "cite", "organisation", "commune", "qpv", "school", "action", "created_by"
        ).prefetch_related("age_bands", "themes", "times_of_day", "slots"),
        pk=pk,
    )
    if not request.user.has_perm("offer.view_activities", activity):
        raise PermissionDenied(NOT_IN_PERIMETER)
    return activity


def render_activity(request, activity: Activity, *, moderation_form: ModerationForm | None = None):
    remember_cite(request, activity.cite)
    user = request.user
    can_write = user.has_perm("offer.write_activity", activity)
    can_submit = can_write and activity.status in services.SUBMITTABLE
    missing = services.missing_for_publication(activity) if can_submit else {}
    events = Event.objects.for_user(user).for_object(activity).select_related("actor")[:HISTORY_LENGTH]
    return render(
        request,
        "offer/manage_detail.html",
        {
            "title": activity.title,
            "activity": activity,
            "cite": activity.cite,
            "can_write": can_write,
            "can_submit": can_submit,
            "missing": ValidationError(missing).messages if missing else [],
            "decisions": [
                (decision, services.DECISIONS[decision]) for decision in services.moderation_decisions(activity, user)
            ],
            "moderation_form": moderation_form or ModerationForm(),
            "can_view_action": activity.action_id is not None
            and user.has_perm("programme.view_action", activity.action),
            "events": events,
        },
    )
