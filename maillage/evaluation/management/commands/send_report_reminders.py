"""Send today's report reminders now (for cron), and with `--schedule` start the daily background run."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.formats import date_format

from maillage.evaluation.services.reminders import send_report_reminders
from maillage.evaluation.tasks import schedule_report_reminders


class Command(BaseCommand):
    help = (
        "Envoie aux porteurs de projet les relances de bilans d'action dues aujourd'hui. Avec --schedule, programme "
        "aussi l'envoi automatique chaque matin à 7 h (tâche de fond, exécutée par manage.py db_worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Programme l'envoi quotidien à 7 h, s'il ne l'est pas déjà.",
        )

    def handle(self, *args, schedule: bool = False, **options):
        sent = send_report_reminders(today=timezone.localdate())
        self.stdout.write(f"{sent} relance{'s' if sent > 1 else ''} de bilan envoyée{'s' if sent > 1 else ''}.")
        if not schedule:
            return
        result = schedule_report_reminders()
        if result is not None:
            moment = date_format(timezone.localtime(result.task.run_after), "j F Y à H:i")
            self.stdout.write(f"Prochain envoi automatique programmé le {moment}.")
        else:
            self.stdout.write(
                "Aucun envoi automatique ajouté : un envoi est déjà programmé, ou le moteur de tâches ne permet pas "
                "de programmer une tâche à l'avance (TASKS_IMMEDIATE)."
            )
