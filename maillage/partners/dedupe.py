"""Duplicate organisations in a cité's directory, and the merge of two organisations into one.

Two organisations of a cité are likely duplicates when they share a SIREN (the same legal entity: its
SIRET or RNA cannot be shared, the database forbids it) or the same normalised name (`name_key`) in the
same commune. The merge keeps one organisation and moves every link of the other to it, generically, so
that the links later modules add (actions, grants…) are kept without this module knowing them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Count, Q

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.partners.models import Contact, Organisation, name_key
from maillage.partners.services import labels, validate_organisation
from maillage.partners.services import organisation_snapshot as directory_snapshot
from maillage.territories.models import Cite


class MergeError(Exception):
    """Why two organisations cannot be merged, in French."""


# --- Finding duplicates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupKey:
    """What a group of duplicates shares: a SIREN, or a name_key and a commune."""

    reason: str
    siren: str = ""
    name_key: str = ""
    commune_id: int | None = None

    def condition(self) -> Q:
        if self.siren:
            return Q(siren=self.siren)
        return Q(name_key=self.name_key, commune_id=self.commune_id)

    def holds(self, organisation: Organisation) -> bool:
        if self.siren:
            return organisation.siren == self.siren
        return organisation.name_key == self.name_key and organisation.commune_id == self.commune_id


@dataclass
class DuplicateGroup:
    key: GroupKey
    organisations: list[Organisation]

    @property
    def pairs(self) -> list[tuple[Organisation, Organisation]]:
        """The first organisation with each of the others: what the "Fusionner" links offer."""
        first, *others = self.organisations
        return [(first, other) for other in others]


def duplicate_keys(cite: Cite) -> list[GroupKey]:
    """The keys shared by several organisations of the cité, computed in SQL (two GROUP BY queries)."""
    organisations = Organisation.objects.in_cites([cite.pk])
    by_siren = (
        organisations.exclude(siren="")
        .values("siren")
        .annotate(total=Count("pk"))
        .filter(total__gt=1)
        .order_by("siren")
        .values_list("siren", flat=True)
    )
    by_name = (
        organisations.exclude(name_key="")
        .values("name_key", "commune_id")
        .annotate(total=Count("pk"))
        .filter(total__gt=1)
        .order_by("name_key", "commune_id")
        .values_list("name_key", "commune_id")
    )
    keys = [GroupKey("même nom et même commune", name_key=key, commune_id=commune) for key, commune in by_name]
    return keys + [GroupKey("même SIREN", siren=siren) for siren in by_siren]


def duplicate_groups(cite: Cite, keys: list[GroupKey]) -> list[DuplicateGroup]:
    """The organisations of the cité behind `keys` (one page of them), in one query."""
    if not keys:
        return []
    condition = Q()
    for key in keys:
        condition |= key.condition()
    organisations = list(
        Organisation.objects.in_cites([cite.pk]).filter(condition).select_related("commune").order_by("created_at")
    )
    groups = [DuplicateGroup(key, [org for org in organisations if key.holds(org)]) for key in keys]
    return [group for group in groups if len(group.organisations) > 1]


# --- Merging --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeField:
    """A value the person chooses between the two organisations (coordinates go together)."""

    name: str
    label: str
    fields: tuple[str, ...]


MERGE_FIELDS = (
    MergeField("name", "Nom", ("name",)),
    MergeField("kind", "Type de structure", ("kind",)),
    MergeField("siret", "SIRET", ("siret",)),
    MergeField("siren", "SIREN", ("siren",)),
    MergeField("rna", "Numéro RNA", ("rna",)),
    MergeField("school", "Établissement scolaire", ("school",)),
    MergeField("address", "Adresse", ("address",)),
    MergeField("postcode", "Code postal", ("postcode",)),
    MergeField("commune", "Commune", ("commune",)),
    MergeField("coordinates", "Coordonnées (latitude, longitude)", ("latitude", "longitude")),
    MergeField("website", "Site internet", ("website",)),
    MergeField("email", "E-mail", ("email",)),
    MergeField("phone", "Téléphone", ("phone",)),
    MergeField("description", "Présentation", ("description",)),
)
MERGE_FIELDS_BY_NAME = {merge_field.name: merge_field for merge_field in MERGE_FIELDS}
KEPT, OTHER = "kept", "other"


def is_empty(value) -> bool:
    return value in (None, "")


def field_values(organisation: Organisation, merge_field: MergeField) -> tuple:
    return tuple(getattr(organisation, name) for name in merge_field.fields)


def differing_fields(kept: Organisation, other: Organisation) -> list[MergeField]:
    """The fields whose values differ between the two organisations (one of them may be empty)."""
    return [field for field in MERGE_FIELDS if field_values(kept, field) != field_values(other, field)]


def default_choice(kept: Organisation, other: Organisation, merge_field: MergeField) -> str:
    """Keep the kept organisation's value, unless it is empty and the other's is not."""
    kept_empty = all(is_empty(value) for value in field_values(kept, merge_field))
    other_empty = all(is_empty(value) for value in field_values(other, merge_field))
    return OTHER if kept_empty and not other_empty else KEPT


def shared_cites(kept: Organisation, other: Organisation) -> list[Cite]:
    return list(Cite.objects.filter(organisations=kept).filter(organisations=other).order_by("name"))


def may_merge(user, kept: Organisation, other: Organisation) -> bool:
    """An administrator, or a person who manages the directory of a cité both organisations work in."""
    if user.has_perm("partners.manage_directory"):
        return True
    return any(user.has_perm("partners.manage_directory", cite) for cite in shared_cites(kept, other))


def organisation_snapshot(organisation: Organisation) -> dict:
    """The organisation as the history shows it (the directory's snapshot), with its number and contacts."""
    values = directory_snapshot(
        organisation,
        themes=organisation.themes.all(),
        age_bands=organisation.age_bands.all(),
        cites=organisation.cites.all(),
    )
    return {"numéro": organisation.pk, **values, "contacts": labels(organisation.contacts.all())}


def merge_organisations(*, actor, kept: Organisation, other: Organisation, choices: dict[str, str]) -> Organisation:
    """Merge `other` into `kept`: chosen values, every link of `other` (contacts deduplicated, cités,
    themes, age bands, and any row of any module that points to it), then delete `other`. One transaction,
    one ORGANISATIONS_MERGED event on `kept` whose `before` holds both organisations."""
    if kept.pk == other.pk:
        raise MergeError("Une structure ne peut pas être fusionnée avec elle-même.")
    unknown = set(choices) - set(MERGE_FIELDS_BY_NAME)
    if unknown or set(choices.values()) - {KEPT, OTHER}:
        raise MergeError("Les choix de valeurs ne correspondent pas aux champs de la structure.")
    try:
        with transaction.atomic():
            kept = Organisation.objects.select_for_update().get(pk=kept.pk)
            other = Organisation.objects.select_for_update().get(pk=other.pk)
            before = {
                "structure conservée": organisation_snapshot(kept),
                "structure fusionnée": organisation_snapshot(other),
            }
            cite = event_cite(actor, kept, other)
            for merge_field in MERGE_FIELDS:
                choice = choices.get(merge_field.name, default_choice(kept, other, merge_field))
                if choice == OTHER:
                    for name in merge_field.fields:
                        setattr(kept, name, getattr(other, name))
            merge_contacts(kept, other)
            move_links(other, kept, skip={"contacts"})
            other.delete()
            check_values(kept)  # once `other` is gone: its SIRET or RNA may be the one kept
            kept.save()
            record_event(
                actor=actor,
                verb=Verb.ORGANISATIONS_MERGED,
                obj=kept,
                cite=cite,
                summary=f"« {other.name} » fusionnée dans « {kept.name} »",
                before=before,
                after={"structure conservée": organisation_snapshot(kept)},
            )
    except DatabaseError as error:
        raise MergeError(
            "La fusion n'a pas pu être enregistrée : une des deux structures a changé entre-temps. Réessayez."
        ) from error
    return kept


def event_cite(actor, kept: Organisation, other: Organisation) -> Cite | None:
    """The cité the merge is recorded in: one both work in where the actor manages the directory."""
    cites = shared_cites(kept, other)
    managed = [cite for cite in cites if actor.has_perm("partners.manage_directory", cite)]
    return (managed or cites or [None])[0]


def check_values(organisation: Organisation) -> None:
    """The values kept must be valid together, as the directory's form checks them."""
    try:
        validate_organisation(organisation)
    except ValidationError as error:
        fields = {field.name: field.verbose_name for field in Organisation._meta.fields}
        messages = [f"{fields.get(name, name)} : {' '.join(errors)}" for name, errors in error.message_dict.items()]
        raise MergeError("Les valeurs retenues ne vont pas ensemble — " + " ; ".join(messages)) from error


def contact_matches(contact: Contact, candidate: Contact) -> bool:
    """Same person: same e-mail, or same first and last name when one of the two has no e-mail."""
    if contact.email and candidate.email:
        return contact.email.lower() == candidate.email.lower()
    return name_key(contact.full_name) == name_key(candidate.full_name)


def merge_contacts(kept: Organisation, other: Organisation) -> None:
    """Move the contacts of `other` to `kept`; a person both have becomes one contact with every link."""
    kept_contacts = list(kept.contacts.all())
    for contact in other.contacts.all():
        twin = next((candidate for candidate in kept_contacts if contact_matches(contact, candidate)), None)
        if twin is None:
            contact.organisation = kept
            contact.save(update_fields=["organisation", "updated_at"])
            kept_contacts.append(contact)
            continue
        move_links(contact, twin)
        for name in ("job_title", "email", "phone", "user"):
            if is_empty(getattr(twin, name)) and not is_empty(getattr(contact, name)):
                setattr(twin, name, getattr(contact, name))
        contact.delete()
        twin.save()


def move_links(old: models.Model, new: models.Model, *, skip: set[str] = frozenset()) -> None:
    """Point every row that refers to `old` at `new`: the many-to-many links of `old` are added to `new`'s,
    and every foreign key of any model that points to `old` is moved. A row that would then repeat one
    `new` already has (a unique constraint) is dropped: `new` has the same link."""
    meta = old._meta
    for m2m in meta.many_to_many:
        if m2m.name not in skip and m2m.remote_field.through._meta.auto_created:
            getattr(new, m2m.name).add(*getattr(old, m2m.name).all())
        # A many-to-many through a model of its own is moved below, through that model's foreign key.
    for relation in meta.related_objects:
        if relation.name in skip or relation.get_accessor_name() in skip:
            continue
        if relation.many_to_many:
            through = relation.through
            if through._meta.auto_created:
                target = relation.field.m2m_reverse_field_name()
                move_foreign_key(through, target, old, new)
            continue
        move_foreign_key(relation.related_model, relation.field.name, old, new)


def unique_field_sets(model: type[models.Model], field_name: str) -> list[tuple[str, ...]]:
    """The other fields that, together with `field_name`, must be unique in `model`."""
    meta = model._meta
    sets = [tuple(fields) for fields in meta.unique_together]
    sets += [tuple(constraint.fields) for constraint in meta.total_unique_constraints]
    if meta.get_field(field_name).unique:
        sets.append((field_name,))
    return [tuple(name for name in fields if name != field_name) for fields in sets if field_name in fields]


def move_foreign_key(model: type[models.Model], field_name: str, old, new) -> None:
    rows = model._base_manager.filter(**{field_name: old})
    for others in unique_field_sets(model, field_name):
        if not others:
            if rows.exists() and model._base_manager.filter(**{field_name: new}).exists():
                raise MergeError(
                    f"Les deux fiches ont chacune leur « {model._meta.verbose_name} » : "
                    "la fusion ne peut pas les réunir."
                )
            continue
        taken = set(model._base_manager.filter(**{field_name: new}).values_list(*others))
        repeated = [pk for pk, *values in rows.values_list("pk", *others) if tuple(values) in taken]
        model._base_manager.filter(pk__in=repeated).delete()
    rows.update(**{field_name: new})
