"""Exports of the programme: a cité's action list as an XLSX workbook (openpyxl, write-only)."""

import tempfile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

ACTION_COLUMNS = [
    ("Intitulé", 48),
    ("Structure porteuse", 36),
    ("Appel à projets", 36),
    ("Exercice", 10),
    ("Statut", 16),
    ("Objectifs nationaux", 40),
    ("Thématiques", 40),
    ("Début", 12),
    ("Fin", 12),
    ("Bénéficiaires attendus", 14),
    ("Budget prévisionnel (€)", 16),
    ("Financement demandé (€)", 16),
    ("Déposée le", 12),
]
DATE_COLUMNS = {"Début", "Fin", "Déposée le"}
AMOUNT_COLUMNS = {"Budget prévisionnel (€)", "Financement demandé (€)"}
EXPORT_CHUNK = 500


def action_row(action) -> list:
    nationals = sorted({objective.get_national_objective_display() for objective in action.objectives.all()})
    return [
        action.title,
        action.organisation.name,
        action.call.title,
        action.call.year,
        action.get_status_display(),
        ", ".join(nationals),
        ", ".join(theme.label for theme in action.themes.all()),
        action.starts_on,
        action.ends_on,
        action.expected_beneficiaries,
        action.budget_total,
        action.requested_total,
        timezone.localtime(action.submitted_at).date() if action.submitted_at else None,
    ]


def action_workbook(actions):
    """The actions as an .xlsx file, written row by row (rows stream from the database in chunks).

    `actions` must select organisation and call, prefetch objectives and themes, and carry `budget_total` and
    `requested_total` (see `services.actions.with_totals`). Returns an open temporary file at its start.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    for index, (_, width) in enumerate(ACTION_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title, _ in ACTION_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for action in actions.iterator(chunk_size=EXPORT_CHUNK):
        row = []
        for (title, _), value in zip(ACTION_COLUMNS, action_row(action), strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            if title in DATE_COLUMNS:
                cell.number_format = "DD/MM/YYYY"
            elif title in AMOUNT_COLUMNS:
                cell.number_format = "#,##0.00"
            row.append(cell)
        sheet.append(row)
    output = tempfile.TemporaryFile()  # noqa: SIM115  (returned open: the response streams then closes it)
    workbook.save(output)
    output.seek(0)
    return output
