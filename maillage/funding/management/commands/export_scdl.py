"""`python manage.py export_scdl [--cite cite-021] [--year 2023]`: the grants as SCDL CSV on standard output."""

import io

from django.core.management.base import BaseCommand, CommandError

from maillage.funding.opendata import skipped_warning, write_scdl
from maillage.territories.models import Cite


class Command(BaseCommand):
    help = (
        "Écrit sur la sortie standard les subventions attribuées et signées, au format SCDL « subventions » "
        "(CSV UTF-8, séparateur virgule)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cite", metavar="ANCT_ID", help="identifiant ANCT de la cité (par exemple cite-021)")
        parser.add_argument("--year", type=int, metavar="ANNEE", help="exercice budgétaire (par exemple 2023)")

    def handle(self, *args, cite: str | None, year: int | None, **options):
        chosen = None
        if cite:
            chosen = Cite.objects.filter(anct_id=cite).first()
            if chosen is None:
                raise CommandError(f"Cité inconnue : « {cite} ». Donnez son identifiant ANCT, par exemple cite-021.")
        output = io.StringIO(newline="")
        skipped = write_scdl(output, cite=chosen, year=year)
        self.stdout.write(output.getvalue(), ending="")
        if warning := skipped_warning(skipped):
            self.stderr.write(f"Attention : {warning}")
