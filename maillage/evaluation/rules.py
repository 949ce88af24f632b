"""Who may see and change the evaluation of a cité.

- The cité's team (every cité role but the project holder, the evaluator included) and the national level read
  the dashboards, the indicators and the reviews: aggregates, with small counts masked.
- The coordinator adds local indicators, sets targets, enters values by hand and writes the review; the troïka
  validates the review as a decision.
- A project holder writes and reads its own actions' reports. The cité's team reads them one by one, except
  the evaluator and the national level, who see aggregates only (ARCHITECTURE.md: "aggregates only, no names").
"""

import rules

from maillage.core.models import TROIKA_ROLES, Role
from maillage.core.rules import has_cite_role, is_admin, reads_everything
from maillage.evaluation.models import REPORT_READER_ROLES, ReportStatus
from maillage.programme.models import TEAM_ROLES
from maillage.programme.rules import holds_action

in_team = has_cite_role(*TEAM_ROLES)
coordinates = has_cite_role(Role.COORDINATOR)
reads_reports = has_cite_role(*REPORT_READER_ROLES)
follows_reports = has_cite_role(Role.COORDINATOR, Role.GRANT_OFFICER, *TROIKA_ROLES)


@rules.predicate
def holds_reported_action(user, report) -> bool:
    """`report` is an ActionReport (or an Action, for a report not written yet)."""
    action = getattr(report, "action", report)
    return report is not None and holds_action(user, action)


@rules.predicate
def is_draft_report(user, report) -> bool:
    """A report not written yet (an Action) or still a draft."""
    if report is None:
        return False
    return report._meta.label == "programme.Action" or report.status == ReportStatus.DRAFT


# On a cité.
rules.add_perm("evaluation.view_evaluation", reads_everything | in_team)
rules.add_perm("evaluation.manage_indicators", is_admin | coordinates)
rules.add_perm("evaluation.view_late_reports", is_admin | follows_reports)
rules.add_perm("evaluation.write_review", is_admin | coordinates)
# On the whole platform (no object): every cité compared.
rules.add_perm("evaluation.view_national", reads_everything)
# On a report (or on its action, before the report exists).
rules.add_perm("evaluation.view_report", is_admin | reads_reports | holds_reported_action)
rules.add_perm("evaluation.write_report", holds_reported_action & is_draft_report)
