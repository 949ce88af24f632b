from django.apps import AppConfig


class OfferConfig(AppConfig):
    name = "maillage.offer"
    label = "offer"
    verbose_name = "Offre publique"

    def ready(self):
        from maillage.offer import rules, signals  # noqa: F401  (permissions; the public pages' cache follows the data)
