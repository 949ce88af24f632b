"""XLSX exports of the annual review: one cité's review (one sheet per table of the review, and a first sheet
with its status, key figures and texts), and the national consolidation of every cité's review of a year.

Counts of people are masked as on the page ("< 5" in place of the number); amounts are real numbers.
"""

from django.utils import timezone
from openpyxl import Workbook

from maillage.core.exports import AMOUNT, DATE, Column, append_sheet, saved
from maillage.evaluation.figures import NATIONAL_CODES
from maillage.evaluation.models import AnnualReview
from maillage.evaluation.review import NOT_STARTED, ReviewFigures, national_reviews
from maillage.evaluation.services.reviews import TEXT_FIELDS
from maillage.governance.models import DecisionStatus
from maillage.territories.models import Indicator

PERCENT = "0.0"


def local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def status_of(review: AnnualReview | None) -> str:
    return review.get_status_display() if review else NOT_STARTED


def summary_rows(figures: ReviewFigures, review: AnnualReview | None) -> list[tuple[str, object]]:
    decision = review.decision if review else None
    rows = [
        ("Cité éducative", figures.cite.name),
        ("Identifiant ANCT", figures.cite.anct_id),
        ("Année", figures.year),
        ("Statut de la revue", status_of(review)),
        ("Décision de validation", f"n° {decision.number} — {decision.get_status_display()}" if decision else ""),
        ("Validée le", f"{local_date(review.validated_at):%d/%m/%Y}" if review and review.validated_at else ""),
    ]
    rows += [(f"Chiffres clés — {section}", text) for section, text in figures.key_figures()]
    for name in TEXT_FIELDS:
        label = str(AnnualReview._meta.get_field(name).verbose_name).capitalize()
        rows.append((label, getattr(review, name) if review else ""))
    return rows


def review_workbook(figures: ReviewFigures, review: AnnualReview | None):
    """The review of one cité and year as an .xlsx file. `review` is None for a year not started: the figures
    are exported all the same, with the status "non commencée" and no comments."""
    workbook = Workbook(write_only=True)
    append_sheet(workbook, "Revue", [Column("Rubrique", 36), Column("Contenu", 100)], summary_rows(figures, review))

    governance = figures.governance
    body_columns = [
        Column("Instance", 40),
        Column("Type", 30),
        Column("Réunions tenues", 16),
        Column("Personnes invitées", 18),
        Column("Présentes", 12),
        Column("Taux de présence (%)", 20, PERCENT),
    ]
    body_rows = [
        (row.name, row.kind, row.meetings_held, row.invited, row.present, row.attendance)
        for row in [*governance.bodies, governance.total]
    ]
    append_sheet(workbook, "Instances", body_columns, body_rows)
    append_sheet(
        workbook,
        "Décisions",
        [Column("Statut", 30), Column("Décisions proposées dans l'année", 30)],
        [*governance.decisions, ("Total", governance.decision_total)],
    )

    funding = figures.funding
    link_columns = [Column("Actions financées", 18), Column("Montant attribué (€)", 20, AMOUNT)]
    append_sheet(
        workbook,
        "Objectifs",
        [Column("Objectif national", 44), *link_columns],
        [(row.label, row.actions, row.granted) for row in funding.objectives],
    )
    append_sheet(
        workbook,
        "Thématiques",
        [Column("Thématique", 44), *link_columns],
        [(row.label, row.actions, row.granted) for row in funding.themes],
    )
    append_sheet(
        workbook,
        "Statuts",
        [Column("Statut", 30), Column("Actions", 12)],
        [*((label.capitalize(), count) for label, count in funding.statuses), ("Total", funding.action_total)],
    )

    reach = figures.reach
    append_sheet(
        workbook,
        "Bénéficiaires",
        [
            Column("Tranche d'âge ou public", 30),
            Column("Filles et femmes", 18),
            Column("Garçons et hommes", 18),
            Column("Total", 12),
        ],
        [(row.label, row.female, row.male, row.total) for row in figures.bands],
    )
    append_sheet(
        workbook,
        "Bénéficiaires par objectif",
        [Column("Objectif national", 44), Column("Actions (bilans déposés)", 24), Column("Bénéficiaires", 16)],
        figures.objectives_reach,
    )
    append_sheet(
        workbook,
        "Activité",
        [Column("Mesure", 40), Column("Valeur", 16)],
        [
            ("Bilans déposés", reach.reports),
            ("Bilans attendus", reach.expected),
            ("Bénéficiaires résidant en QPV", figures.qpv_residents),
            ("Part des bénéficiaires résidant en QPV (%)", reach.masked_qpv_share),
            ("Séances", reach.sessions),
            ("Heures", reach.hours),
        ],
    )

    money = [
        Column("Enveloppe (€)", 18, AMOUNT),
        Column("Attribué (€)", 18, AMOUNT),
        Column("Versé (€)", 18, AMOUNT),
        Column("Reste à attribuer (€)", 20, AMOUNT),
    ]
    append_sheet(
        workbook,
        "Financements",
        [Column("Source de financement", 36), Column("Crédits de l'État", 16), *money],
        [
            (row.label, "oui" if row.is_state else "non", row.envelope, row.granted, row.paid, row.remaining)
            for row in funding.sources
        ]
        + [("Total", "", funding.total.envelope, funding.total.granted, funding.total.paid, funding.total.remaining)],
    )
    cofunding = funding.co_funding
    append_sheet(
        workbook,
        "Cofinancement",
        [Column("Origine", 36), Column("Montant attribué (€)", 20, AMOUNT)],
        [
            ("Crédits de l'État", cofunding.state),
            ("Cofinanceurs (hors État)", cofunding.others),
            *((f"dont {row.label}", row.granted) for row in cofunding.sources),
            ("Total attribué", cofunding.total),
        ],
    )

    append_sheet(
        workbook,
        "Indicateurs",
        [
            Column("Indicateur", 50),
            Column("Unité", 12),
            Column("Période", 12),
            Column("Valeur", 12),
            Column("Cible", 12),
            Column("Cible atteinte", 14),
            Column("Tendance", 12),
            Column("Référence départementale", 24),
            Column("Référence nationale", 20),
        ],
        [
            (
                row.indicator.label,
                row.indicator.unit,
                row.period,
                row.masked_value,
                row.target,
                {True: "oui", False: "non"}.get(row.meets_target, ""),
                row.trend or "",
                row.departement_reference,
                row.national_reference,
            )
            for row in figures.indicators
        ],
    )
    append_sheet(
        workbook,
        "Établissements",
        [
            Column("UAI", 12),
            Column("Établissement", 40),
            Column("Commune", 24),
            Column("IPS", 10),
            Column("IPS (année)", 12),
            Column("IPS du département", 18),
            Column("IPS national", 14),
            Column("Réussite au brevet (%)", 20, PERCENT),
            Column("Brevet (année)", 14),
            Column("Brevet du département (%)", 24, PERCENT),
        ],
        [
            (
                row.school.uai,
                row.school.name,
                row.school.commune.name,
                row.ips,
                row.ips_period,
                row.ips_departement,
                row.ips_national,
                row.dnb_rate,
                row.dnb_period,
                row.dnb_departement,
            )
            for row in figures.schools
        ],
    )
    return saved(workbook)


def indicator_title(indicator: Indicator) -> str:
    return f"{indicator.label} ({indicator.unit})"


SHARED_TITLES = {
    "reach_total": Column("Bénéficiaires", 14),
    "reach_qpv_share": Column("Part résidant en QPV (%)", 16, PERCENT),
    "actions_funded": Column("Actions financées", 14),
    "granted_total": Column("Montant attribué (€)", 18, AMOUNT),
    "paid_total": Column("Montant versé (€)", 18, AMOUNT),
    "cofunding_share": Column("Part du cofinancement (%)", 18, PERCENT),
    "ips_colleges_cite": Column("IPS moyen des collèges", 16),
    "dnb_success_cite": Column("Réussite au brevet (%)", 16, PERCENT),
}
"""The columns of `figures.NATIONAL_CODES` in the summary sheet."""

CITE_COLUMNS = [Column("Cité éducative", 36), Column("Identifiant ANCT", 14), Column("Département", 28)]


def national_workbook(year: int):
    """Every cité's review of `year` in one .xlsx file: a summary sheet (one row per cité: status and key
    figures), then one sheet per section. A fixed number of queries (`national_reviews`)."""
    consolidation = national_reviews(year)
    workbook = Workbook(write_only=True)
    rows = consolidation.rows

    def cite_cells(row) -> list:
        return [row.cite.name, row.cite.anct_id, row.departement]

    append_sheet(
        workbook,
        f"Revues {consolidation.year}",
        [
            *CITE_COLUMNS,
            Column("Vague", 24),
            Column("Statut de la revue", 24),
            Column("Validée le", 12, DATE),
            Column("Réunions tenues", 14),
            *(SHARED_TITLES[code] for code in NATIONAL_CODES),
        ],
        (
            [
                *cite_cells(row),
                row.cite.get_wave_display(),
                row.status,
                local_date(row.validated_at),
                row.governance.meetings_held,
                *(row.shared[code] for code in NATIONAL_CODES),
            ]
            for row in rows
        ),
    )
    append_sheet(
        workbook,
        "Gouvernance",
        [
            *CITE_COLUMNS,
            Column("Instances actives", 14),
            Column("Réunions tenues", 14),
            Column("Personnes invitées", 16),
            Column("Présentes", 12),
            Column("Taux de présence (%)", 18, PERCENT),
            *(Column(f"Décisions {status.label}", 18) for status in DecisionStatus),
        ],
        (
            [
                *cite_cells(row),
                row.bodies,
                row.governance.meetings_held,
                row.governance.invited,
                row.governance.present,
                row.governance.attendance,
                *(row.decisions[status] for status in DecisionStatus.values),
            ]
            for row in rows
        ),
    )
    append_sheet(
        workbook,
        "Finances",
        [
            *CITE_COLUMNS,
            Column("Enveloppes (€)", 18, AMOUNT),
            SHARED_TITLES["granted_total"],
            SHARED_TITLES["paid_total"],
            SHARED_TITLES["cofunding_share"],
        ],
        (
            [
                *cite_cells(row),
                row.envelope,
                row.shared["granted_total"],
                row.shared["paid_total"],
                row.shared["cofunding_share"],
            ]
            for row in rows
        ),
    )
    append_sheet(
        workbook,
        "Indicateurs",
        [*CITE_COLUMNS, *(Column(indicator_title(indicator), 20) for indicator in consolidation.indicators)],
        ([*cite_cells(row), *(row.computed[indicator.code] for indicator in consolidation.indicators)] for row in rows),
    )
    return saved(workbook)
