"""Every cité has its troïka: created with the cité, whether the cité comes from the reference import
(many at once) or is added one by one."""

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from maillage.governance.models import Body, BodyKind
from maillage.territories.models import Cite
from maillage.territories.signals import cites_imported

decision_closed = Signal()
"""Sent with `decision` when the troïka validates or rejects it, inside the answering transaction, so modules
above (the programme's selection) follow the decision."""

TROIKA_NAME = "Troïka"
TROIKA_DESCRIPTION = (
    "Le préfet (ou son délégué), l'Éducation nationale (principal du collège chef de file, IEN) "
    "et le maire (ou son représentant) pilotent ensemble la cité éducative et valident ses décisions."
)


def troika_for(cite_id: int) -> Body:
    return Body(cite_id=cite_id, kind=BodyKind.TROIKA, name=TROIKA_NAME, description=TROIKA_DESCRIPTION)


@receiver(cites_imported)
def create_missing_troikas(sender, cite_ids, **kwargs):
    having = set(Body.objects.filter(kind=BodyKind.TROIKA, cite_id__in=cite_ids).values_list("cite_id", flat=True))
    Body.objects.bulk_create([troika_for(cite_id) for cite_id in cite_ids if cite_id not in having])


@receiver(post_save, sender=Cite)
def create_troika(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        create_missing_troikas(sender, cite_ids=[instance.pk])
