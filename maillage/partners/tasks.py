"""Background tasks of the partner import (django-tasks; the worker is `manage.py db_worker`).

The tasks receive ids, never objects (their arguments are stored as JSON), and do their work in
`maillage.partners.importers`, which records every failure on the import itself for the page to show.
"""

from django_tasks import task


@task()
def analyse_partner_import(import_id: int) -> dict[str, int]:
    """Read, validate and match every line of the file; store the preview. Writes nothing to the directory."""
    from maillage.partners.importers import run_analysis  # the importers enqueue these tasks

    return run_analysis(import_id)


@task()
def apply_partner_import(import_id: int, actor_id: int | None) -> dict[str, int]:
    """Write the confirmed preview to the directory in one transaction."""
    from maillage.partners.importers import run_apply

    return run_apply(import_id, actor_id)
