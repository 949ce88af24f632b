"""Template tags of the public offer shown elsewhere: the "public offer" block of an action's page."""

from django import template

from maillage.offer.models import Activity

register = template.Library()


@register.inclusion_tag("offer/_action_offer.html", takes_context=True)
def action_offer(context, action):
    """The link to the action's public activity for who may see it, or, for the holder of a selected (agreed,
    running) action that has none yet, the button to prepare it. One query; `action` with `organisation`."""
    user = context["request"].user
    activity = Activity.objects.filter(action=action).select_related("cite").first()
    if activity is not None and activity.organisation_id == action.organisation_id:
        activity.organisation = action.organisation  # its holders are already known from the action's page
    return {
        "action": action,
        "activity": activity,
        "can_view": activity is not None and user.has_perm("offer.view_activities", activity),
        "can_publish": activity is None and user.has_perm("offer.publish_action", action),
    }
