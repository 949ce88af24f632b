"""Use cases of the territory module."""

from django.db import transaction
from django.utils import timezone

from maillage.core.events import record_event, snapshot
from maillage.core.models import Verb
from maillage.territories.models import Cite


@transaction.atomic
def update_cite_perimeter(*, actor, cite: Cite, qpvs, schools) -> None:
    """Set by hand the QPVs and schools of a cité. From then on the import no longer recomputes them."""
    before = perimeter_snapshot(cite)
    cite.qpvs.set(qpvs)
    cite.schools.set(schools)
    cite.perimeter_edited_at = timezone.now()
    cite.save(update_fields=["perimeter_edited_at"])
    after = perimeter_snapshot(cite)
    added = sorted(set(after["QPV"] + after["établissements"]) - set(before["QPV"] + before["établissements"]))
    removed = sorted(set(before["QPV"] + before["établissements"]) - set(after["QPV"] + after["établissements"]))
    summary = "Périmètre modifié"
    if added:
        summary += f" ; ajout : {', '.join(added)}"
    if removed:
        summary += f" ; retrait : {', '.join(removed)}"
    record_event(actor=actor, verb=Verb.PERIMETER_CHANGED, obj=cite, summary=summary, before=before, after=after)


IDENTITY_FIELDS = ["label_date", "convention_start", "convention_end"]


@transaction.atomic
def update_cite_identity(*, actor, cite: Cite, **values) -> bool:
    """Change a cité's label date or convention period. Returns False when nothing changes."""
    unknown = set(values) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"champs inconnus : {', '.join(sorted(unknown))}")
    before = snapshot(Cite.objects.get(pk=cite.pk), IDENTITY_FIELDS)
    for name, value in values.items():
        setattr(cite, name, value)
    cite.clean()
    after = snapshot(cite, IDENTITY_FIELDS)
    if before == after:
        return False
    cite.save(update_fields=IDENTITY_FIELDS)
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=cite,
        summary="Dates de la cité modifiées",
        before=before,
        after=after,
    )
    return True


def perimeter_snapshot(cite: Cite) -> dict[str, list[str]]:
    return {
        "QPV": sorted(cite.qpvs.values_list("code", flat=True)),
        "établissements": sorted(cite.schools.values_list("uai", flat=True)),
    }
