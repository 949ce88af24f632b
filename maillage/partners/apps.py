from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "maillage.partners"
    label = "partners"
    verbose_name = "Partenaires"
