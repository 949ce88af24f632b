"""The public pages' cache follows the offer: any change to an activity, its sessions, its vocabularies, or to
the cités and organisations the pages show empties it (maillage.offer.cache)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from maillage.offer.cache import clear_public_cache
from maillage.offer.models import Activity, ActivitySlot
from maillage.partners.models import Organisation
from maillage.territories.models import Cite

SHOWN_MODELS = (Activity, ActivitySlot, Cite, Organisation)
SHOWN_RELATIONS = (
    Activity.themes.through,
    Activity.age_bands.through,
    Activity.times_of_day.through,
    Cite.communes.through,
    Cite.qpvs.through,
)


def offer_changed(sender, **kwargs):
    clear_public_cache()


def offer_relation_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        clear_public_cache()


for model in SHOWN_MODELS:
    post_save.connect(offer_changed, sender=model, dispatch_uid=f"offer-cache-save-{model._meta.label}")
    post_delete.connect(offer_changed, sender=model, dispatch_uid=f"offer-cache-delete-{model._meta.label}")
for relation in SHOWN_RELATIONS:
    m2m_changed.connect(offer_relation_changed, sender=relation, dispatch_uid=f"offer-cache-m2m-{relation._meta.label}")
