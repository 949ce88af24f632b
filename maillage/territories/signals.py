"""Signals other modules listen to. Modules above territories react to new cités without territories
importing them (the layering of ARCHITECTURE.md)."""

from django.dispatch import Signal

cites_imported = Signal()
"""Sent inside the reference import's transaction, with `cite_ids`: every cité present after the import."""
