"""`python manage.py load_demo`: the demo cité of Créteil with one account per role."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maillage.core.models import Role
from maillage.demo.builders import DEMO_PASSWORD, DemoError, load_demo


class Command(BaseCommand):
    help = "Construit la cité éducative de démonstration (Créteil) et un compte par rôle."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="charger la démonstration même sur une plateforme en HTTPS (production) : à éviter",
        )

    def handle(self, *args, force: bool, **options):
        if settings.HTTPS and not force:
            raise CommandError(
                "Refus : cette plateforme est configurée pour la production (HTTPS=true). "
                "Les comptes de démonstration ont un mot de passe public. Utilisez --force si vous y tenez."
            )
        try:
            accounts = load_demo()
        except DemoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("Cité éducative de démonstration : Créteil (cite-021)."))
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        width = max(len(account.email) for account in accounts)
        for account in accounts:
            role = Role(account.role).label if account.role else "Administrateur de la plateforme"
            self.stdout.write(f"  {account.email.ljust(width)}  {role}")
