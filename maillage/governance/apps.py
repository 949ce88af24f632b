from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "maillage.governance"
    label = "governance"
    verbose_name = "Gouvernance"

    def ready(self):
        from maillage.governance import signals  # noqa: F401  (every new cité gets its troïka)
