"""Who may read, write and moderate the public offer of a cité (signed-in pages; the public pages need no rule).

- the cité's team (every cité role but the project holder) reads all its activities, a project holder its own
  organisations' ones; administrators and the national level read everything;
- a project holder writes the activities of the organisations it acts for (a contact with an account), the
  coordinator every activity of the cité;
- the coordinator moderates: nothing is public before the coordinator publishes it.

A predicate given a cité answers for the cité (may the user read / write some activity of it).
"""

import rules

from maillage.core.rules import is_admin, reads_everything
from maillage.partners.rules import holds_organisation
from maillage.programme.models import ActionStatus
from maillage.programme.rules import coordinates, holds_action, holds_in_cite, in_team

PUBLISHABLE_ACTION_STATUSES = (ActionStatus.SELECTED, ActionStatus.AGREED, ActionStatus.RUNNING)
"""An action of the programme enters the public offer once selected, and while it runs."""


@rules.predicate
def holds_activity(user, obj) -> bool:
    """On an activity: the user is a project holder of its cité and a contact of its organisation.
    On a cité: the user is one of its project holders (who writes for its own organisations)."""
    if obj is None or not holds_in_cite(user, obj):
        return False
    if obj._meta.label == "territories.Cite":
        return True
    return holds_organisation(user, obj.organisation)


@rules.predicate
def is_publishable_action(user, action) -> bool:
    return action is not None and action.status in PUBLISHABLE_ACTION_STATUSES


# On a cité (the list, the new activity form) or an activity.
rules.add_perm("offer.view_activities", reads_everything | in_team | holds_activity)
rules.add_perm("offer.write_activity", is_admin | coordinates | holds_activity)
rules.add_perm("offer.moderate_activity", is_admin | coordinates)
# On an action of the programme: its holder makes it public once it is selected.
rules.add_perm("offer.publish_action", holds_action & is_publishable_action)
