from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "maillage.programme"
    label = "programme"
    verbose_name = "Programme"

    def ready(self):
        from maillage.programme import signals  # noqa: F401  (the troïka's decision moves the actions it selects)
