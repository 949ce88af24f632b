"""`python manage.py import_reference [--data DIR]`: import the reference open data."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.territories.importers import Counts, ReferenceFileError, import_reference


def n(value) -> str:
    return number_format(value, force_grouping=True)


class Command(BaseCommand):
    help = (
        "Importe les données de référence (régions, départements, EPCI, communes, QPV, cités éducatives, "
        "écoles et collèges, IPS et brevet). Relancer la commande ne change rien si les fichiers n'ont pas changé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data",
            type=Path,
            default=settings.REFERENCE_DATA_DIR,
            help="dossier des données ouvertes (par défaut : %(default)s)",
        )

    def handle(self, *args, data: Path, **options):
        self.verbosity = options["verbosity"]
        if not data.is_dir():
            raise CommandError(f"Dossier de données introuvable : {data}")
        started = time.monotonic()
        self.say(f"Lecture et contrôle des fichiers de {data}…")
        try:
            report, notes = import_reference(data, on_read=self.on_read, on_write=self.on_write)

        except ReferenceFileError as error:
            raise CommandError(f"Import interrompu, rien n'a été écrit. Erreur dans le {error}") from None
        for note in notes:
            self.say(f"  Remarque : {note}")
        changes = sum(counts.changed for counts in report)
        elapsed = number_format(time.monotonic() - started, 1)
        if changes:
            record_event(
                actor=None,
                verb=Verb.REFERENCE_IMPORTED,
                summary=f"Import des données de référence : {n(changes)} changements",
                after={counts.label: [counts.created, counts.updated, counts.deleted] for counts in report},
            )
            self.say(self.style.SUCCESS(f"Import terminé en {elapsed} s : {n(changes)} changements."))
        else:
            self.say(
                self.style.SUCCESS(
                    f"Aucun changement : les données de référence sont déjà à jour (vérifié en {elapsed} s)."
                )
            )

    def say(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)

    def on_read(self, message: str) -> None:
        self.say(f"  ✓ {message}")

    def on_write(self, counts: Counts) -> None:
        parts = [
            f"{n(counts.created)} ajouts",
            f"{n(counts.updated)} mises à jour",
            f"{n(counts.unchanged)} sans changement",
        ]
        if counts.deleted:
            parts.append(f"{n(counts.deleted)} retraits")
        self.say(f"  ✓ {counts.label} : {', '.join(parts)}")
