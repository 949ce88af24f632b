"""`python manage.py export_review --cite cite-021 --year 2023 --format xlsx|pdf --output PATH`, or `--all` in
place of `--cite` for the national consolidation (XLSX only)."""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maillage.evaluation import documents
from maillage.evaluation.exports.review import national_workbook, review_workbook
from maillage.evaluation.models import AnnualReview
from maillage.evaluation.review import assemble_review
from maillage.territories.models import Cite

FIRST_YEAR = 2019
"""The first cités éducatives were labelled in 2019: no review before."""


class Command(BaseCommand):
    help = (
        "Exporte la revue de projet d'une cité pour une année (XLSX ou PDF), ou la consolidation nationale des "
        "revues de toutes les cités (--all, XLSX seulement). Une cité dont la revue de l'année n'est pas commencée "
        "est exportée quand même : ses chiffres sont ceux de la plateforme, son statut « non commencée » et ses "
        "commentaires vides."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--cite", metavar="ANCT_ID", help="identifiant ANCT de la cité (par exemple cite-021)")
        target.add_argument(
            "--all", action="store_true", dest="all_cites", help="toutes les cités : la consolidation nationale"
        )
        parser.add_argument("--year", required=True, metavar="ANNEE", help="année de la revue (par exemple 2023)")
        parser.add_argument("--format", required=True, choices=["xlsx", "pdf"], dest="file_format", help="xlsx ou pdf")
        parser.add_argument("--output", required=True, metavar="CHEMIN", help="fichier à écrire")

    def handle(self, *args, cite: str | None, all_cites: bool, year: str, file_format: str, output: str, **options):
        year = self.checked_year(year)
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Le dossier « {path.parent} » n'existe pas : créez-le ou choisissez un autre chemin.")
        if all_cites:
            if file_format == "pdf":
                raise CommandError(
                    "La consolidation nationale (--all) n'existe qu'au format XLSX : utilisez --format xlsx."
                )
            self.write(national_workbook(year), path)
            self.stdout.write(f"Consolidation nationale des revues {year} écrite dans {path}.")
            return
        chosen = Cite.objects.filter(anct_id=cite).first()
        if chosen is None:
            raise CommandError(f"Cité inconnue : « {cite} ». Donnez son identifiant ANCT, par exemple cite-021.")
        review = AnnualReview.objects.select_related("decision").filter(cite=chosen, year=year).first()
        figures = assemble_review(chosen, year)
        if file_format == "pdf":
            path.write_bytes(documents.review_pdf(figures, review))
        else:
            self.write(review_workbook(figures, review), path)
        status = review.get_status_display() if review else "non commencée"
        self.stdout.write(f"Revue de projet {year} de {chosen.name} ({status}) écrite dans {path}.")

    def checked_year(self, text: str) -> int:
        if not (text.isdigit() and len(text) == 4):
            raise CommandError(f"Année invalide : « {text} ». Donnez une année sur quatre chiffres, par exemple 2023.")
        year = int(text)
        if year < FIRST_YEAR:
            raise CommandError(f"Année invalide : {year}. Les cités éducatives existent depuis {FIRST_YEAR}.")
        if year > timezone.localdate().year:
            raise CommandError(f"Année invalide : {year} n'est pas encore commencée.")
        return year

    @staticmethod
    def write(workbook, path: Path) -> None:
        with workbook, path.open("wb") as target:
            shutil.copyfileobj(workbook, target)
