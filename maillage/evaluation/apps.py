from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "maillage.evaluation"
    label = "evaluation"
    verbose_name = "Évaluation"

    def ready(self):
        from maillage.evaluation import rules, signals  # noqa: F401  (permissions; the troïka validates reviews)
