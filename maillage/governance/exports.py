"""Exports of the governance module: the decision register as an XLSX workbook (openpyxl, write-only)."""

import tempfile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from maillage.governance.models import Pillar, Verdict

DECISION_COLUMNS = [
    ("N°", 8),
    ("Date", 12),
    ("Instance", 28),
    ("Réunion", 36),
    ("Intitulé", 48),
    ("Structure", 32),
    ("Statut", 24),
    *((f"Avis {pillar.label.split(' (')[0]}", 30) for pillar in Pillar),
    ("Motif de rejet", 48),
]
EXPORT_CHUNK = 500


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
    """The register as an .xlsx file, written row by row (rows stream from the database in chunks).

    `decisions` must select meeting, body and organisation, and prefetch approvals with their user.
    Returns an open temporary file positioned at its start; the caller closes it.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Décisions")
    for index, (_, width) in enumerate(DECISION_COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _ in DECISION_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for decision in decisions.iterator(chunk_size=EXPORT_CHUNK):
        date_cell = WriteOnlyCell(sheet, value=None)
        row = decision_row(decision)
        date_cell.value = row[1]
        date_cell.number_format = "DD/MM/YYYY"
        row[1] = date_cell
        sheet.append(row)
    output = tempfile.TemporaryFile()  # noqa: SIM115  (returned open: the response streams then closes it)
    workbook.save(output)
    output.seek(0)
    return output
