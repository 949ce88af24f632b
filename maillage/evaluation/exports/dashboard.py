"""The evaluation dashboard of a cité as an XLSX workbook: the page's figures, one per line (section, row, column,
value, unit), so that a spreadsheet filters and pivots them. Counts of people are masked exactly as on the page."""

from maillage.core.exports import Column, xlsx_workbook
from maillage.evaluation.figures import CiteDashboard, mask

DASHBOARD_COLUMNS = [
    Column("Rubrique", 34),
    Column("Ligne", 52),
    Column("Colonne", 30),
    Column("Valeur", 16),
    Column("Unité", 12),
]

TRENDS = {"hausse": "en hausse", "baisse": "en baisse", "stable": "stable"}
MET = {True: "atteinte", False: "non atteinte"}


def reach_lines(dashboard: CiteDashboard):
    section = f"Bénéficiaires {dashboard.year}"
    for row in dashboard.reach.masked_rows():
        yield section, row.label, "Filles et femmes", row.female, "personnes"
        yield section, row.label, "Garçons et hommes", row.male, "personnes"
        yield section, row.label, "Total", row.total, "personnes"
    reach = dashboard.reach
    yield section, "Résidents d'un QPV", "", mask(reach.qpv_residents), "personnes"
    yield section, "Part des résidents d'un QPV", "", reach.masked_qpv_share, "%"
    yield section, "Séances", "", reach.sessions, "séances"
    yield section, "Heures d'activité", "", reach.hours, "heures"
    yield section, "Bilans déposés", "", reach.reports, "bilans"
    yield section, "Bilans attendus", "", reach.expected, "bilans"


def link_lines(section: str, rows):
    for row in rows:
        yield section, row.label, "Actions ayant déposé leur bilan", row.actions, "actions"
        yield section, row.label, "Bénéficiaires", mask(row.beneficiaries), "personnes"


def money_lines(dashboard: CiteDashboard):
    section = f"Financements {dashboard.year}"
    money = dashboard.money
    for row in [*money.sources, money.total]:
        yield section, row.label, "Enveloppe", row.envelope, "€"
        yield section, row.label, "Attribué", row.granted, "€"
        yield section, row.label, "Versé", row.paid, "€"
    co_funding = money.co_funding
    yield section, "Crédits de l'État", "Attribué", co_funding.state, "€"
    yield section, "Cofinanceurs (hors État)", "Attribué", co_funding.others, "€"
    yield section, "Part du cofinancement", "", co_funding.share, "%"


def indicator_lines(dashboard: CiteDashboard):
    section = "Indicateurs"
    for row in dashboard.indicators:
        label, unit = row.indicator.label, row.indicator.unit
        yield section, label, f"Valeur {row.period}", row.masked_value, unit
        yield section, label, "Cible", row.target, unit
        yield section, label, "Cible atteinte", MET.get(row.meets_target, ""), ""
        yield section, label, "Évolution", TRENDS.get(row.trend, ""), ""
        yield section, label, "Référence départementale", row.departement_reference, unit
        yield section, label, "Référence nationale", row.national_reference, unit
        for period, value in row.masked_history[:-1]:
            yield section, label, f"Valeur {period}", value, unit


def school_lines(dashboard: CiteDashboard):
    section = "Établissements scolaires"
    for row in dashboard.schools:
        name = f"{row.school.name} ({row.school.uai})"
        if row.ips is not None:
            yield section, name, f"IPS {row.ips_period}", row.ips, "indice"
            yield section, name, "IPS du département", row.ips_departement, "indice"
            yield section, name, "IPS national", row.ips_national, "indice"
        if row.dnb_rate is not None:
            yield section, name, f"Réussite au brevet {row.dnb_period}", row.dnb_rate, "%"
            yield section, name, "Réussite au brevet du département", row.dnb_departement, "%"


def dashboard_workbook(dashboard: CiteDashboard):
    """The dashboard as an .xlsx file (see the module's docstring)."""
    year = dashboard.year
    rows = (
        *reach_lines(dashboard),
        *link_lines(f"Bénéficiaires {year} par objectif national", dashboard.objectives),
        *link_lines(f"Bénéficiaires {year} par thématique", dashboard.themes),
        *money_lines(dashboard),
        *indicator_lines(dashboard),
        *school_lines(dashboard),
    )
    return xlsx_workbook("Tableau de bord", DASHBOARD_COLUMNS, rows)
