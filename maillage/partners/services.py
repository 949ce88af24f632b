"""Use cases of the partner directory: organisations and their contacts.

An organisation is shared by the cités it works in. Each use case validates everything first (a clear French
error, nothing written), runs in one transaction and writes its event in the domain event log.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models, transaction

from maillage.core.events import record_event
from maillage.core.models import CITE_ROLES, Role, Verb
from maillage.core.perimeter import perimeter_of
from maillage.partners.models import Contact, Organisation

ORGANISATION_FIELDS = [
    "name",
    "kind",
    "siret",
    "siren",
    "rna",
    "school",
    "address",
    "postcode",
    "commune",
    "latitude",
    "longitude",
    "description",
    "website",
    "email",
    "phone",
]
ORGANISATION_LINKS = ["themes", "age_bands"]
CONTACT_FIELDS = ["first_name", "last_name", "job_title", "email", "phone"]


# --- Checks shared by the services and the forms -----------------------------------------------------------


def compact(value: str | None) -> str:
    """An identifier as typed (`123 456 789 00012`, `w942.001.234`) without spaces or dots, in capitals."""
    return re.sub(r"[\s.]", "", value or "").upper()


PHONE_PATTERN = re.compile(r"\+?[\d\s.]+")


def phone_error(value: str) -> str | None:
    """Why `value` is not a phone number, or None: a French number has 10 digits, an international one
    starts with + and has 8 to 15 digits. Spaces and dots are allowed between digits."""
    if not value:
        return None
    if not PHONE_PATTERN.fullmatch(value.strip()):
        return "Un numéro de téléphone ne contient que des chiffres, des espaces, des points et un + au début."
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+"):
        if not 8 <= len(digits) <= 15:
            return "Un numéro international compte de 8 à 15 chiffres après le +."
    elif len(digits) != 10 or not digits.startswith("0"):
        return "Un numéro français compte 10 chiffres et commence par 0 (par exemple 01 43 99 12 34)."
    return None


IDENTIFIER_LABELS = {"siret": "Le SIRET", "rna": "Le numéro RNA"}


def same_identifier(organisation: Organisation) -> list[tuple[str, Organisation]]:
    """Other organisations holding the SIRET or the RNA number of `organisation`, as (field, organisation)."""
    found = []
    for field in IDENTIFIER_LABELS:
        value = getattr(organisation, field)
        if value:
            other = Organisation.objects.exclude(pk=organisation.pk).filter(**{field: value}).first()
            if other is not None:
                found.append((field, other))
    return found


def identity_problems(organisation: Organisation, *, cite=None) -> dict[str, str]:
    """What is wrong with an organisation beyond each field's own format, by field, in French.

    `cite` is the directory the organisation is being added to: when its SIRET or RNA number is already
    another organisation's, the message says whether that one is already in this cité's directory.
    """
    problems = {}
    siret, siren = organisation.siret, organisation.siren
    if siret and siren and siren != siret[:9]:
        problems["siren"] = f"Le SIREN est formé des 9 premiers chiffres du SIRET : {siret[:9]}."
    latitude, longitude = organisation.latitude, organisation.longitude
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        problems[missing] = "Indiquez la latitude et la longitude, ou aucune des deux."
    if latitude is not None and not -90 <= latitude <= 90:
        problems["latitude"] = "La latitude est comprise entre -90 et 90 degrés."
    if longitude is not None and not -180 <= longitude <= 180:
        problems["longitude"] = "La longitude est comprise entre -180 et 180 degrés."
    if organisation.postcode and not re.fullmatch(r"\d{5}", organisation.postcode):
        problems["postcode"] = "Un code postal compte 5 chiffres."
    if error := phone_error(organisation.phone):
        problems["phone"] = error
    for field, other in same_identifier(organisation):
        value = getattr(organisation, field)
        message = f"{IDENTIFIER_LABELS[field]} {value} est déjà celui de la structure « {other.name} »."
        if cite is not None:
            if other.cites.filter(pk=cite.pk).exists():
                message += f" Elle figure déjà dans l'annuaire de la cité {cite.name}."
            else:
                message += (
                    f" Elle n'est pas encore dans l'annuaire de la cité {cite.name} : "
                    "ajoutez-la à la cité depuis sa fiche plutôt que de la créer une seconde fois."
                )
        problems[field] = message
    return problems


def validate_organisation(organisation: Organisation, *, cite=None) -> None:
    """Raise one ValidationError listing, by field, everything wrong with `organisation` (unsaved changes)."""
    errors: dict[str, list[str]] = {}
    try:
        organisation.full_clean(exclude=["name_key"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    for field, message in identity_problems(organisation, cite=cite).items():
        errors.setdefault(field, [message])
    if errors:
        raise ValidationError(errors)


def cites_problem(actor, current, wanted) -> str | None:
    """Why `actor` may not move an organisation from the cités `current` to `wanted`, or None."""
    if not wanted:
        return "Une structure de l'annuaire intervient dans au moins une cité éducative."
    changed = set(current) ^ set(wanted)
    refused = sorted(cite.name for cite in changed if not actor.has_perm("partners.manage_directory", cite))
    if refused:
        return (
            "Seul le chef de projet d'une cité ajoute une structure à son annuaire ou l'en retire : "
            f"vous ne pouvez pas le faire pour {', '.join(refused)}."
        )
    return None


def reject_unknown(data: dict, allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"champs inconnus : {', '.join(sorted(unknown))}")


# --- Snapshots for the event log ------------------------------------------------------------------------------


def readable(obj: models.Model, name: str):
    """A field's value as a person reads it: the label of a choice, the name of a linked object."""
    value = getattr(obj, name)
    if isinstance(value, models.Model):
        return str(value)
    field = obj._meta.get_field(name)
    if field.choices and value:
        return dict(field.flatchoices).get(value, value)
    return value


def labels(objects) -> list[str]:
    return sorted(str(obj) for obj in objects)


def organisation_snapshot(organisation: Organisation, *, themes, age_bands, cites) -> dict:
    """The organisation as the history shows it, keyed by the fields' French names."""
    values = {
        Organisation._meta.get_field(name).verbose_name: readable(organisation, name) for name in ORGANISATION_FIELDS
    }
    values["thématiques"] = labels(themes)
    values["publics accueillis"] = labels(age_bands)
    values["cités éducatives"] = labels(cite.name for cite in cites)
    return values


def contact_snapshot(contact: Contact) -> dict:
    return {Contact._meta.get_field(name).verbose_name: getattr(contact, name) for name in CONTACT_FIELDS}


def changes_only(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [key for key in after if before.get(key) != after[key]]
    return {key: before.get(key) for key in changed}, {key: after[key] for key in changed}


def acting_cite(actor, cites):
    """The cité in whose name `actor` changes a shared organisation, for the event log: among its cités
    (before and after the change), one where the actor coordinates, else one where they work, else (an
    administrator) the first."""
    cites = sorted(set(cites), key=lambda cite: cite.name)
    perimeter = perimeter_of(actor)
    for roles in ((Role.COORDINATOR,), CITE_ROLES):
        for cite in cites:
            if perimeter.has_role(cite.pk, *roles):
                return cite
    return cites[0] if cites else None


# --- Organisations --------------------------------------------------------------------------------------------


@transaction.atomic
def create_organisation(*, actor, cite, data: dict) -> Organisation:
    """Add an organisation to the shared directory, working in `cite`.

    `data` holds values of ORGANISATION_FIELDS and, optionally, the `themes` and `age_bands` it serves.
    """
    reject_unknown(data, ORGANISATION_FIELDS + ORGANISATION_LINKS)
    organisation = Organisation(**{name: data[name] for name in ORGANISATION_FIELDS if name in data})
    validate_organisation(organisation, cite=cite)
    organisation.save()
    organisation.cites.add(cite)
    themes, age_bands = list(data.get("themes", [])), list(data.get("age_bands", []))
    organisation.themes.set(themes)
    organisation.age_bands.set(age_bands)
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=organisation,
        cite=cite,
        summary=f"Structure ajoutée à l'annuaire de la cité {cite.name}",
        after=organisation_snapshot(organisation, themes=themes, age_bands=age_bands, cites=[cite]),
    )
    return organisation


@transaction.atomic
def update_organisation(*, actor, organisation: Organisation, data: dict) -> bool:
    """Change an organisation's record. Returns False when nothing changes (nothing is written then).

    `data` holds any of ORGANISATION_FIELDS, `themes`, `age_bands` and `cites` (the whole new set of cités
    it works in: only a coordinator of each cité added or removed may change it).
    """
    reject_unknown(data, [*ORGANISATION_FIELDS, *ORGANISATION_LINKS, "cites"])
    stored = Organisation.objects.prefetch_related("cites", "themes", "age_bands").get(pk=organisation.pk)
    current = {link: list(getattr(stored, link).all()) for link in [*ORGANISATION_LINKS, "cites"]}
    before = organisation_snapshot(stored, **current)
    wanted = {link: list(data[link]) if link in data else current[link] for link in current}
    if "cites" in data and (problem := cites_problem(actor, current["cites"], wanted["cites"])):
        raise ValidationError({"cites": problem})
    for name in ORGANISATION_FIELDS:
        if name in data:
            setattr(stored, name, data[name])
    validate_organisation(stored)
    after = organisation_snapshot(stored, **wanted)
    if after == before:
        return False
    stored.save()
    for link, objects in wanted.items():
        if link in data:
            getattr(stored, link).set(objects)
    before, after = changes_only(before, after)
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=stored,
        cite=acting_cite(actor, [*current["cites"], *wanted["cites"]]),
        summary="Fiche de la structure modifiée",
        before=before,
        after=after,
    )
    return True


@transaction.atomic
def add_organisation_to_cite(*, actor, organisation: Organisation, cite) -> bool:
    """Put an organisation already in the shared directory into the directory of `cite` too.

    Returns False when it is already there.
    """
    cites = list(organisation.cites.all())
    if cite in cites:
        return False
    organisation.cites.add(cite)
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=organisation,
        cite=cite,
        summary=f"Structure ajoutée à l'annuaire de la cité {cite.name}",
        before={"cités éducatives": labels(c.name for c in cites)},
        after={"cités éducatives": labels(c.name for c in [*cites, cite])},
    )
    return True


# --- Contacts -------------------------------------------------------------------------------------------------


def validate_contact(contact: Contact) -> None:
    errors: dict[str, list[str]] = {}
    try:
        contact.full_clean(exclude=["organisation", "user"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if (error := phone_error(contact.phone)) and "phone" not in errors:
        errors["phone"] = [error]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_contact(*, actor, organisation: Organisation, data: dict) -> Contact:
    """Add a person to an organisation's contacts (professional details only: CONTACT_FIELDS)."""
    reject_unknown(data, CONTACT_FIELDS)
    contact = Contact(organisation=organisation, **data)
    validate_contact(contact)
    contact.save()
    # No cité on contact events: they name a person, and a cité's history is read by roles that must not.
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=contact,
        summary=f"Contact ajouté à la structure « {organisation.name} »",
        after=contact_snapshot(contact),
    )
    return contact


@transaction.atomic
def update_contact(*, actor, contact: Contact, data: dict) -> bool:
    """Change a contact's professional details. Returns False when nothing changes."""
    reject_unknown(data, CONTACT_FIELDS)
    stored = Contact.objects.select_related("organisation").get(pk=contact.pk)
    before = contact_snapshot(stored)
    for name, value in data.items():
        setattr(stored, name, value)
    validate_contact(stored)
    after = contact_snapshot(stored)
    if after == before:
        return False
    stored.save()
    before, after = changes_only(before, after)
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=stored,
        summary=f"Contact de la structure « {stored.organisation.name} » modifié",
        before=before,
        after=after,
    )
    return True


@transaction.atomic
def set_contact_account(*, actor, contact: Contact, user) -> bool:
    """Link a contact to a platform account (or unlink it with `user=None`): a project holder linked to a
    contact of an organisation may edit its record. Returns False when the link does not change."""
    if contact.user_id == (user.pk if user else None):
        return False
    before = {"compte sur la plateforme": str(contact.user) if contact.user_id else None}
    contact.user = user
    contact.save(update_fields=["user", "updated_at"])
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=contact,
        summary=f"Compte du contact de la structure « {contact.organisation.name} » modifié",
        before=before,
        after={"compte sur la plateforme": str(user) if user else None},
    )
    return True


@transaction.atomic
def delete_contact(*, actor, contact: Contact) -> None:
    """Remove a person from an organisation's contacts. A person kept on a meeting's attendance sheet (or any
    other record of a later module) is not removed: that record would lose who attended."""
    organisation = contact.organisation
    record_event(
        actor=actor,
        verb=Verb.DELETED,
        obj=contact,
        summary=f"Contact retiré de la structure « {organisation.name} »",
        before=contact_snapshot(contact),
    )
    try:
        contact.delete()
    except models.ProtectedError:
        # Raised inside this transaction: the event above is rolled back with it.
        raise ValidationError(
            f"{contact.full_name} figure sur la liste des invités de réunions de la cité : ce contact est "
            "conservé pour l'émargement. Vous pouvez modifier ses coordonnées."
        ) from None
