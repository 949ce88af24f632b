"""Who may see and change the money of a cité.

The cité's team reads its envelopes, grants and dashboards; a project holder reads only its own grants and
acts. The grant officer (préfecture) sets envelopes, grants, prepares legal acts and records payments —
except on the fonds de la cité, which only its manager (the collège's gestionnaire) commits and pays.
A committee member scores actions but grants nothing.
"""

import rules

from maillage.core.models import Role
from maillage.core.rules import has_cite_role, is_admin, reads_everything
from maillage.funding.models import CITY_FUND
from maillage.partners.rules import holds_organisation
from maillage.programme.models import TEAM_ROLES
from maillage.programme.rules import holds_action, holds_in_cite

in_team = has_cite_role(*TEAM_ROLES)
keeps_grants = has_cite_role(Role.GRANT_OFFICER)
keeps_city_fund = has_cite_role(Role.CITY_FUND_MANAGER)


def source_code_of(obj) -> str | None:
    """The funding source of an envelope, a grant or a legal act."""
    if obj is None:
        return None
    if hasattr(obj, "envelope"):
        obj = obj.envelope
    source = getattr(obj, "source", None)
    return getattr(source, "code", None)


@rules.predicate
def is_city_fund_money(user, obj) -> bool:
    return source_code_of(obj) == CITY_FUND


@rules.predicate
def holds_grant(user, grant) -> bool:
    return grant is not None and holds_action(user, grant.action)


@rules.predicate
def holds_legal_act(user, act) -> bool:
    if act is None or not getattr(user, "is_authenticated", False):
        return False
    return holds_in_cite(user, act) and holds_organisation(user, act.organisation)


keeps_this_money = (keeps_grants & ~is_city_fund_money) | (keeps_city_fund & is_city_fund_money)

# On a cité.
rules.add_perm("funding.view_funding", reads_everything | in_team)
rules.add_perm("funding.manage_envelopes", is_admin | keeps_grants)
rules.add_perm("funding.view_city_fund", reads_everything | in_team)
# On a grant (or on a legal act: its source decides who keeps it).
rules.add_perm("funding.view_grant", reads_everything | in_team | holds_grant)
rules.add_perm("funding.manage_grant", is_admin | keeps_this_money)
rules.add_perm("funding.view_legal_act", reads_everything | in_team | holds_legal_act)
