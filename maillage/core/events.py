"""Writing to the domain event log. Every service of every module calls `record_event`."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from maillage.core.models import Event, Verb


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The values of `fields` on `obj`, ready for an event's before/after (foreign keys as text)."""
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = str(value) if isinstance(value, models.Model) else value
    return values


def record_event(
    *,
    actor,
    verb: Verb,
    obj: models.Model | None = None,
    cite=None,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> Event:
    """Append one event. `verb` must be one of `Verb`; `cite` defaults to the object's cité if it has one."""
    verb = Verb(verb)
    if cite is None and obj is not None:
        cite = obj if obj._meta.label == "territories.Cite" else getattr(obj, "cite", None)
    return Event.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        cite=cite,
        object_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        summary=summary[:500],
        before=before or {},
        after=after or {},
    )
