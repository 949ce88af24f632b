"""Exports of the governance module: the decision register as an XLSX workbook."""

from django.utils import timezone

from maillage.core.exports import DATE, EXPORT_CHUNK, Column, xlsx_workbook
from maillage.governance.models import Pillar, Verdict

DECISION_COLUMNS = [
    Column("N°", 8),
    Column("Date", 12, DATE),
    Column("Instance", 28),
    Column("Réunion", 36),
    Column("Intitulé", 48),
    Column("Structure", 32),
    Column("Statut", 24),
    *(Column(f"Avis {pillar.label.split(' (')[0]}", 30) for pillar in Pillar),
    Column("Motif de rejet", 48),
]


def pillar_answer_text(approval) -> str:
    if approval is None:
        return "en attente"
    by = f" par {approval.user}" if approval.user else ""
    return f"{approval.get_verdict_display()} le {timezone.localtime(approval.given_at):%d/%m/%Y}{by}"


def decision_row(decision) -> list:
    approvals = {approval.pillar: approval for approval in decision.approvals.all()}
    rejection = next((a for a in approvals.values() if a.verdict == Verdict.REJECTED), None)
    return [
        decision.number,
        timezone.localtime(decision.meeting.starts_at).date(),
        decision.meeting.body.name,
        decision.meeting.title,
        decision.title,
        decision.organisation.name if decision.organisation else "",
        decision.get_status_display(),
        *(pillar_answer_text(approvals.get(pillar)) for pillar in Pillar),
        rejection.reason if rejection else "",
    ]


def decision_workbook(decisions):
    """The register as an .xlsx file. `decisions` must select meeting, body and organisation, and prefetch
    approvals with their user."""
    rows = (decision_row(decision) for decision in decisions.iterator(chunk_size=EXPORT_CHUNK))
    return xlsx_workbook("Décisions", DECISION_COLUMNS, rows)
