"""Exports of the funding module: a cité's grant list as an XLSX workbook."""

from maillage.core.exports import AMOUNT, DATE, EXPORT_CHUNK, Column, xlsx_workbook

GRANT_COLUMNS = [
    Column("Exercice", 10),
    Column("Action", 48),
    Column("Structure porteuse", 36),
    Column("SIRET", 16),
    Column("Source de financement", 28),
    Column("Statut", 12),
    Column("Montant demandé (€)", 18, AMOUNT),
    Column("Montant attribué (€)", 18, AMOUNT),
    Column("Montant versé (€)", 18, AMOUNT),
    Column("Acte attributif", 24),
    Column("Acte signé le", 14, DATE),
]


def grant_row(grant) -> list:
    """One grant: amounts as numbers, dates as dates. `grant` carries its `paid` annotation."""
    act = grant.legal_act
    return [
        grant.envelope.year,
        grant.action.title,
        grant.action.organisation.name,
        grant.action.organisation.siret,
        grant.envelope.source.label,
        grant.get_status_display(),
        grant.requested,
        grant.granted,
        grant.paid,
        str(act) if act else "",
        act.signed_on if act else None,
    ]


def grant_workbook(grants):
    """The grants as an .xlsx file. `grants` must select action, organisation, envelope, source and legal act,
    and annotate `paid`."""
    rows = (grant_row(grant) for grant in grants.iterator(chunk_size=EXPORT_CHUNK))
    return xlsx_workbook("Subventions", GRANT_COLUMNS, rows)
