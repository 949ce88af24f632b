"""Exports of the programme: a cité's action list as an XLSX workbook."""

from django.utils import timezone

from maillage.core.exports import AMOUNT, DATE, EXPORT_CHUNK, Column, xlsx_workbook

ACTION_COLUMNS = [
    Column("Intitulé", 48),
    Column("Structure porteuse", 36),
    Column("Appel à projets", 36),
    Column("Exercice", 10),
    Column("Statut", 16),
    Column("Objectifs nationaux", 40),
    Column("Thématiques", 40),
    Column("Début", 12, DATE),
    Column("Fin", 12, DATE),
    Column("Bénéficiaires attendus", 14),
    Column("Budget prévisionnel (€)", 16, AMOUNT),
    Column("Financement demandé (€)", 16, AMOUNT),
    Column("Déposée le", 12, DATE),
]


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
    """The actions as an .xlsx file. `actions` must select organisation and call, prefetch objectives and
    themes, and carry `budget_total` and `requested_total` (see `services.actions.with_totals`)."""
    rows = (action_row(action) for action in actions.iterator(chunk_size=EXPORT_CHUNK))
    return xlsx_workbook("Actions", ACTION_COLUMNS, rows)
