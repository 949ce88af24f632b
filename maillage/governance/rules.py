"""Who may see and change what in governance. Every object (body, meeting, decision, task) belongs to one
cité; a predicate given a cité answers for the cité itself.

Meetings name people (invitees, attendance): the national level and the evaluator, who work on
aggregates, see the decision register but not the meetings' attendance.
"""

import rules

from maillage.core.models import TROIKA_ROLES, Role
from maillage.core.rules import has_cite_role, is_admin, is_cite_member, reads_everything
from maillage.partners.models import CONTACT_READERS

reads_names = has_cite_role(*CONTACT_READERS)
coordinates = has_cite_role(Role.COORDINATOR)
sits_in_troika = has_cite_role(*TROIKA_ROLES)


@rules.predicate
def owns_task(user, task) -> bool:
    return task is not None and getattr(task, "owner_id", None) == user.pk


# Bodies and meetings (on a cité, a body or a meeting).
rules.add_perm("governance.view_meetings", is_admin | reads_names)
rules.add_perm("governance.manage_meetings", is_admin | coordinates)
# Decisions (on a cité or a decision). Approving also needs a pillar's role: see services.decisions.
rules.add_perm("governance.view_decisions", reads_everything | is_cite_member)
rules.add_perm("governance.propose_decision", is_admin | coordinates | sits_in_troika)
rules.add_perm("governance.approve_decision", sits_in_troika)
# Follow-up tasks (on a cité or a task).
rules.add_perm("governance.view_tasks", is_admin | reads_names)
rules.add_perm("governance.manage_tasks", is_admin | coordinates | sits_in_troika)
rules.add_perm("governance.change_task", is_admin | coordinates | sits_in_troika | owns_task)
