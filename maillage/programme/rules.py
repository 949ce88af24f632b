"""Who may see and change what in the programme. Objectives, calls and account requests belong to a cité;
an action belongs to a cité and to its holder organisation. A predicate given a cité answers for the cité.

- the cité's team (every cité role but the project holder) reads the submitted actions of its cités;
- a project holder writes its own organisations' action sheets, and reads only those;
- the coordinator runs the objective tree, the calls and the selection;
- the grant officer checks eligibility; committee members score; neither alone decides (the troïka does).
"""

import rules

from maillage.core.models import TROIKA_ROLES, Role
from maillage.core.rules import has_cite_role, is_admin, is_cite_member, reads_everything
from maillage.partners.rules import holds_organisation
from maillage.programme.models import HOLDER_STATUSES_ONLY, TEAM_ROLES, ActionStatus

coordinates = has_cite_role(Role.COORDINATOR)
in_team = has_cite_role(*TEAM_ROLES)
holds_in_cite = has_cite_role(Role.PROJECT_HOLDER)
instructs = has_cite_role(Role.GRANT_OFFICER)
sits_on_committee = has_cite_role(Role.COMMITTEE_MEMBER)


@rules.predicate
def is_submitted(user, action) -> bool:
    return action is not None and action.status not in HOLDER_STATUSES_ONLY


@rules.predicate
def is_draft(user, action) -> bool:
    return action is not None and action.status == ActionStatus.DRAFT


@rules.predicate
def holds_action(user, action) -> bool:
    """The user is a project holder of the cité and a contact of the action's organisation."""
    if action is None or not getattr(user, "is_authenticated", False):
        return False
    return holds_in_cite(user, action) and holds_organisation(user, action.organisation)


# On a cité: the objective tree, the calls, the lists.
rules.add_perm("programme.view_programme", reads_everything | is_cite_member)
rules.add_perm("programme.manage_programme", is_admin | coordinates)
rules.add_perm("programme.write_action", holds_in_cite)
rules.add_perm("programme.review_account_requests", is_admin | coordinates)
# On an action.
rules.add_perm("programme.view_action", ((reads_everything | in_team) & is_submitted) | holds_action)
rules.add_perm("programme.change_action", holds_action & is_draft)
rules.add_perm("programme.instruct_action", is_admin | instructs)
rules.add_perm("programme.score_action", sits_on_committee)
rules.add_perm("programme.follow_action", is_admin | coordinates | holds_action)
# On a call: its ranking and the committee's choice.
rules.add_perm(
    "programme.view_ranking",
    is_admin | coordinates | instructs | sits_on_committee | has_cite_role(*TROIKA_ROLES),
)
rules.add_perm("programme.select_actions", is_admin | coordinates)
