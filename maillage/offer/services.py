"""Use cases of the public offer: writing an activity, submitting it, moderating it, and preparing one from an
action of the programme.

An activity is given as plain fields (`ACTIVITY_FIELDS`), related choices (`RELATED_FIELDS`: lists of age bands,
themes, times of day) and its weekly slots as a list of (weekday, starts_at, ends_at). `clean_activity` checks and
completes them (ages from the age bands, place from the school, contact from the organisation) and lists every
problem at once, in French, by field.

Statuses: a new activity is a draft; `submit_activity` sends it to the coordinator (pending), who publishes or
refuses it, and may withdraw it later. A refused or withdrawn activity is corrected and submitted again. A
published activity stays published when its holder edits it (families keep finding it): the coordinator is told.
"""

from dataclasses import dataclass, field
from datetime import time

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import EmailValidator, URLValidator
from django.db import models, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator, slugify

from maillage.core.events import record_event
from maillage.core.models import Role, User, Verb
from maillage.offer.models import Activity, ActivitySlot, ActivityStatus, Period, Weekday
from maillage.partners.models import Contact, Organisation
from maillage.programme.models import Action, holder_organisations
from maillage.programme.rules import holds_action
from maillage.programme.services.accounts import coordinator_emails
from maillage.territories.models import Cite

ACTIVITY_FIELDS = (
    "title",
    "summary",
    "description",
    "min_age",
    "max_age",
    "place_name",
    "address",
    "commune",
    "qpv",
    "school",
    "latitude",
    "longitude",
    "starts_on",
    "ends_on",
    "period",
    "is_free",
    "price",
    "how_to_join",
    "contact_email",
    "contact_phone",
    "registration_url",
    "accessibility",
)
RELATED_FIELDS = ("age_bands", "themes", "times_of_day")
TEXT_FIELDS = tuple(
    name for name in ACTIVITY_FIELDS if isinstance(Activity._meta.get_field(name), models.CharField | models.TextField)
)
OLDEST_AGE = 25
"""Cités éducatives work for young people from 0 to 25."""

SLUG_LENGTH = 100
"""Room is left in the 120-character slug for a "-2", "-3"… suffix."""

SUBMITTABLE = (ActivityStatus.DRAFT, ActivityStatus.REFUSED, ActivityStatus.WITHDRAWN)
DECISIONS = {"publish": "Publier", "refuse": "Refuser", "withdraw": "Retirer de l'offre publique"}
DECIDED = {
    "publish": (ActivityStatus.PUBLISHED, "publiée"),
    "refuse": (ActivityStatus.REFUSED, "refusée"),
    "withdraw": (ActivityStatus.WITHDRAWN, "retirée de l'offre publique"),
}
NOTE_REQUIRED = {
    "refuse": "Expliquez pourquoi l'activité est refusée : ce message est envoyé à la structure.",
    "withdraw": "Expliquez pourquoi l'activité est retirée : ce message est envoyé à la structure.",
}
NOT_A_WRITER = "Seuls la coordination de la cité et le porteur de l'activité écrivent cette activité."
NOT_A_MODERATOR = "Seule la coordination de la cité modère l'offre publique."

Slot = tuple[int, time, time]


@dataclass
class Cleaned:
    """An activity checked and completed by `clean_activity`; `errors` is empty when it can be published."""

    values: dict
    related: dict
    slots: list[Slot]
    errors: dict = field(default_factory=dict)

    def raise_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def organisations_for(user, cite: Cite) -> QuerySet:
    """The organisations `user` writes activities for in `cite`: every organisation working in the cité for its
    coordinator (and administrators), its own ones for a project holder; none for anybody else."""
    organisations = Organisation.objects.in_cites([cite.pk]).order_by("name")
    if user.has_perm("offer.moderate_activity", cite):
        return organisations
    if user.has_perm("offer.write_activity", cite):
        return organisations.filter(pk__in=holder_organisations(user))
    return Organisation.objects.none()


def unique_slug(cite: Cite, title: str, *, exclude: Activity | None = None) -> str:
    """The title as a URL part, unique among the cité's activities (`-2`, `-3`… when taken)."""
    base = slugify(title)[:SLUG_LENGTH].strip("-") or "activite"
    taken = Activity.objects.filter(cite=cite, slug__startswith=base)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    slugs = set(taken.values_list("slug", flat=True))
    slug, number = base, 1
    while slug in slugs:
        number += 1
        slug = f"{base}-{number}"
    return slug


def fields_of(activity: Activity) -> dict:
    """The stored activity in the shape the services take (and the form starts from), slots included."""
    fields = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
    for name in RELATED_FIELDS:
        fields[name] = list(getattr(activity, name).all())
    fields["slots"] = [(slot.weekday, slot.starts_at, slot.ends_at) for slot in activity.slots.all()]
    return fields


def describe(activity: Activity) -> dict:
    """What the event log keeps of an activity: every field under its French name, choices as text."""
    described = {}
    for name in ACTIVITY_FIELDS:
        model_field = Activity._meta.get_field(name)
        value = getattr(activity, name)
        if isinstance(value, models.Model):
            value = str(value)
        elif isinstance(value, bool):
            value = "oui" if value else "non"
        elif model_field.choices:
            value = getattr(activity, f"get_{name}_display")()
        described[str(model_field.verbose_name)] = value
    for name in RELATED_FIELDS:
        described[str(Activity._meta.get_field(name).verbose_name)] = sorted(
            str(item) for item in getattr(activity, name).all()
        )
    described["créneaux"] = [str(slot) for slot in activity.slots.all()]
    return described


def clean_activity(*, cite: Cite, organisation: Organisation, fields: dict, slots) -> Cleaned:
    """Check an activity against every rule of the public offer and complete what can be deduced: ages from the
    age bands, coordinates, commune, place name and address from the school, contact from the organisation's
    public address and phone. Nothing is written; `Cleaned.errors` lists every problem, in French, by field."""
    unknown = set(fields) - {*ACTIVITY_FIELDS, *RELATED_FIELDS}
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    values = {name: fields.get(name) for name in ACTIVITY_FIELDS}
    for name in TEXT_FIELDS:
        values[name] = (values[name] or "").strip()
    values["period"] = values["period"] or Period.ALL_YEAR
    values["is_free"] = fields.get("is_free", True) is not False
    related = {name: list(fields.get(name) or []) for name in RELATED_FIELDS}
    cleaned = Cleaned(values, related, [])
    check_texts(cleaned)
    check_audience(cleaned)
    check_schedule(cleaned, slots)
    check_place(cleaned, cite)
    check_joining(cleaned, organisation)
    return cleaned


def check_texts(cleaned: Cleaned) -> None:
    values, errors = cleaned.values, cleaned.errors
    required = {
        "title": "Donnez un titre à l'activité.",
        "summary": "Présentez l'activité en une ou deux phrases (« en bref »).",
        "description": "Décrivez l'activité : ce qu'on y fait, avec qui, comment se passe une séance.",
        "how_to_join": "Expliquez comment participer : inscription, pièces à fournir, premier contact.",
    }
    for name, message in required.items():
        if not values[name]:
            errors[name] = message
    for name in TEXT_FIELDS:
        length = Activity._meta.get_field(name).max_length
        if length and len(values[name]) > length:
            label = Activity._meta.get_field(name).verbose_name
            errors[name] = f"{label.capitalize()} : {length} caractères au plus ({len(values[name])} saisis)."


def check_audience(cleaned: Cleaned) -> None:
    """At least one audience and one theme; the ages (0 to 25) default from the age bands, and may stay empty
    for an audience without ages (parents, professionals)."""
    values, related, errors = cleaned.values, cleaned.related, cleaned.errors
    if not related["age_bands"]:
        errors["age_bands"] = "Choisissez au moins un public : une tranche d'âge ou les parents."
    if not related["themes"]:
        errors["themes"] = "Choisissez au moins une thématique."
    bands = [band for band in related["age_bands"] if band.min_age is not None and band.max_age is not None]
    if values["min_age"] is None and bands:
        values["min_age"] = min(band.min_age for band in bands)
    if values["max_age"] is None and bands:
        values["max_age"] = max(band.max_age for band in bands)
    for name, label in (("min_age", "L'âge minimum"), ("max_age", "L'âge maximum")):
        if values[name] is not None and not 0 <= values[name] <= OLDEST_AGE:
            errors[name] = f"{label} s'écrit de 0 à {OLDEST_AGE} ans."
    if "min_age" not in errors and "max_age" not in errors:
        low, high = values["min_age"], values["max_age"]
        if low is not None and high is not None and high < low:
            errors["max_age"] = f"L'âge maximum ({high} ans) est inférieur à l'âge minimum ({low} ans)."


def check_schedule(cleaned: Cleaned, slots) -> None:
    """At least one weekly slot, or the dates of the activity; each slot ends after it starts."""
    values, errors = cleaned.values, cleaned.errors
    problems = []
    for weekday, starts_at, ends_at in slots or []:
        if weekday not in Weekday.values:
            problems.append("Choisissez le jour de chaque créneau.")
        elif starts_at is None or ends_at is None:
            problems.append(f"Indiquez l'heure de début et l'heure de fin du créneau du {Weekday(weekday).label}.")
        elif ends_at <= starts_at:
            problems.append(
                f"Le créneau du {Weekday(weekday).label} doit finir après avoir commencé "
                f"(de {starts_at:%H:%M} à {ends_at:%H:%M})."
            )
        else:
            cleaned.slots.append((int(weekday), starts_at, ends_at))
    if values["period"] not in Period.values:
        errors["period"] = "Choisissez la période de l'année : toute l'année, période scolaire ou vacances."
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if problems:
        errors["slots"] = list(dict.fromkeys(problems))
    elif not cleaned.slots and not (starts_on and ends_on):
        errors["slots"] = "Indiquez au moins un créneau hebdomadaire, ou les dates de début et de fin de l'activité."
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "La fin de l'activité précède son début."


def check_place(cleaned: Cleaned, cite: Cite) -> None:
    """A place on the map: a school of the cité (its coordinates, commune and address are used) or an address
    with coordinates; the commune is one of the cité's, the neighbourhood one of its QPVs."""
    values, errors = cleaned.values, cleaned.errors
    school = values["school"]
    if school is not None:
        if not cite.schools.filter(pk=school.pk).exists():
            errors["school"] = "Choisissez un établissement scolaire de la cité."
        else:
            if school.latitude is not None and school.longitude is not None:
                values["latitude"], values["longitude"] = school.latitude, school.longitude
            values["commune"] = values["commune"] or school.commune
            values["place_name"] = values["place_name"] or school.name
            values["address"] = values["address"] or school.address
    latitude, longitude = values["latitude"], values["longitude"]
    if latitude is None or longitude is None:
        errors["latitude"] = (
            "Indiquez la latitude et la longitude du lieu pour le placer sur la carte, "
            "ou choisissez un établissement de la cité."
        )
    elif not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["latitude"] = "Ces coordonnées n'existent pas : la latitude va de -90 à 90, la longitude de -180 à 180."
    if not values["address"] and "school" not in errors:
        errors["address"] = "Indiquez l'adresse du lieu, ou choisissez un établissement de la cité."
    if values["commune"] is None:
        errors["commune"] = "Choisissez la commune du lieu."
    elif not cite.communes.filter(pk=values["commune"].pk).exists():
        errors["commune"] = f"{values['commune'].name} n'est pas une commune de la cité {cite.name}."
    if values["qpv"] is not None and not cite.qpvs.filter(pk=values["qpv"].pk).exists():
        errors["qpv"] = "Choisissez un quartier prioritaire de la cité."


def check_joining(cleaned: Cleaned, organisation: Organisation) -> None:
    """A price for a paying activity; a way to join: the organisation's public address and phone unless others
    are given, or a registration link. Never a person's address: the offer names no one."""
    values, errors = cleaned.values, cleaned.errors
    if values["is_free"]:
        values["price"] = ""
    elif not values["price"]:
        errors["price"] = "Indiquez le tarif d'une activité payante."
    values["contact_email"] = values["contact_email"] or organisation.email
    values["contact_phone"] = values["contact_phone"] or organisation.phone
    email, url = values["contact_email"], values["registration_url"]
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["contact_email"] = "Saisissez une adresse e-mail valide, par exemple accueil@association.fr."
        else:
            if email.lower() != organisation.email.lower() and is_a_persons_email(email):
                errors["contact_email"] = (
                    "Cette adresse est celle d'une personne : indiquez l'adresse publique de la structure."
                )
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["registration_url"] = "Saisissez un lien complet, qui commence par https://."
    if not (email or values["contact_phone"] or url):
        errors["contact_email"] = (
            "Indiquez au moins un moyen de joindre la structure : e-mail, téléphone ou lien d'inscription."
        )


def is_a_persons_email(email: str) -> bool:
    """The address of a contact person or of an account of the platform."""
    return Contact.objects.filter(email__iexact=email).exists() or User.objects.filter(email__iexact=email).exists()


def missing_for_publication(activity: Activity) -> dict:
    """What the stored activity still lacks to be submitted or published, by field (empty when complete): an
    activity prepared from an action starts incomplete."""
    fields = fields_of(activity)
    slots = fields.pop("slots")
    return clean_activity(cite=activity.cite, organisation=activity.organisation, fields=fields, slots=slots).errors


def write_activity(activity: Activity, cleaned: Cleaned) -> None:
    for name, value in cleaned.values.items():
        setattr(activity, name, value)
    activity.save()
    for name, items in cleaned.related.items():
        getattr(activity, name).set(items)
    activity.slots.all().delete()
    ActivitySlot.objects.bulk_create(
        ActivitySlot(activity=activity, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
        for weekday, starts_at, ends_at in cleaned.slots
    )


def locked(activity: Activity) -> Activity:
    """The activity read again under a row lock, for a read-modify-write."""
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("cite", "organisation", "created_by")
        .get(pk=activity.pk)
    )


def holder_emails(activity: Activity) -> list[str]:
    """The organisation's project holders in the cité (active accounts of its contacts)."""
    users = User.objects.filter(
        is_active=True,
        contacts__organisation=activity.organisation_id,
        memberships__cite=activity.cite_id,
        memberships__role=Role.PROJECT_HOLDER,
    )
    return sorted(set(users.values_list("email", flat=True)))


def notify(*, actor, recipients: list[str], subject: str, template: str, context: dict) -> None:
    """E-mail `recipients` (but the actor) once the transaction commits."""
    recipients = [email for email in recipients if email != getattr(actor, "email", None)]
    if not recipients:
        return
    message = render_to_string(f"offer/emails/{template}.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject=subject, message=message, from_email=None, recipient_list=recipients)
    )


def insert_activity(*, actor, cite: Cite, organisation: Organisation, cleaned: Cleaned, summary: str, action=None):
    """Write a new draft with an address (slug) free in the cité, and log it."""
    Cite.objects.select_for_update().filter(pk=cite.pk).first()  # one slug chosen at a time in the cité
    activity = Activity(
        cite=cite,
        organisation=organisation,
        action=action,
        slug=unique_slug(cite, cleaned.values["title"]),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    write_activity(activity, cleaned)
    record_event(actor=actor, verb=Verb.CREATED, obj=activity, summary=summary, after=describe(activity))
    return activity


@transaction.atomic
def create_activity(*, actor, cite: Cite, organisation: Organisation, slots, **fields) -> Activity:
    """A new draft activity of `organisation` in `cite`, complete, written by one of the organisation's project
    holders or by the cité's coordinator. Its address (slug) comes from its title, unique in the cité."""
    if not actor.has_perm("offer.write_activity", cite):
        raise ValidationError("Seuls la coordination de la cité et ses porteurs de projet écrivent son offre publique.")
    if not organisations_for(actor, cite).filter(pk=organisation.pk).exists():
        if actor.has_perm("offer.moderate_activity", cite):
            raise ValidationError({"organisation": f"{organisation.name} n'intervient pas dans la cité {cite.name}."})
        raise ValidationError(
            {"organisation": "Vous n'écrivez que les activités des structures que vous représentez dans la cité."}
        )
    cleaned = clean_activity(cite=cite, organisation=organisation, fields=fields, slots=slots)
    cleaned.raise_errors()
    return insert_activity(
        actor=actor,
        cite=cite,
        organisation=organisation,
        cleaned=cleaned,
        summary=f"Activité de l'offre publique rédigée (brouillon) pour {organisation.name}",
    )


@transaction.atomic
def update_activity(*, actor, activity: Activity, slots, **fields) -> Activity:
    """Save changes to an activity, whatever its status. Its address follows the title until it is first
    published, then stays (links must not break). A published activity stays published; when its holder
    changes it, the coordinator is told what changed."""
    activity = locked(activity)
    if not actor.has_perm("offer.write_activity", activity):
        raise ValidationError(NOT_A_WRITER)
    cleaned = clean_activity(cite=activity.cite, organisation=activity.organisation, fields=fields, slots=slots)
    cleaned.raise_errors()
    before = describe(activity)
    if activity.published_at is None and cleaned.values["title"] != activity.title:
        Cite.objects.select_for_update().filter(pk=activity.cite_id).first()
        activity.slug = unique_slug(activity.cite, cleaned.values["title"], exclude=activity)
    write_activity(activity, cleaned)
    after = describe(activity)
    if after == before:
        return activity
    event = record_event(
        actor=actor, verb=Verb.UPDATED, obj=activity, summary="Activité modifiée", before=before, after=after
    )
    if activity.is_published and not actor.has_perm("offer.moderate_activity", activity):
        notify(
            actor=actor,
            recipients=coordinator_emails(activity.cite),
            subject=f"Activité publiée modifiée : « {activity.title} » — {activity.cite.name}",
            template="changed",
            context={"activity": activity, "actor": actor, "changes": event.changes},
        )
    return activity


@transaction.atomic
def submit_activity(*, actor, activity: Activity) -> Activity:
    """Send a complete draft (or a refused or withdrawn activity, corrected) to the coordinator's moderation."""
    activity = locked(activity)
    if not actor.has_perm("offer.write_activity", activity):
        raise ValidationError(NOT_A_WRITER)
    if activity.status not in SUBMITTABLE:
        raise ValidationError(f"Cette activité est {activity.get_status_display()} : elle n'est pas à soumettre.")
    missing = missing_for_publication(activity)
    if missing:
        raise ValidationError(missing)
    before = activity.get_status_display()
    activity.status = ActivityStatus.PENDING
    activity.save(update_fields=["status", "updated_at"])
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=activity,
        summary="Activité soumise à la modération",
        before={"statut": before},
        after={"statut": activity.get_status_display()},
    )
    notify(
        actor=actor,
        recipients=coordinator_emails(activity.cite),
        subject=f"Activité à modérer : « {activity.title} » — {activity.cite.name}",
        template="submitted",
        context={"activity": activity},
    )
    return activity


def moderation_decisions(activity: Activity, user) -> list[str]:
    """The decisions `user` may take on the activity now: publish or refuse what waits for moderation, withdraw
    what is published; the coordinator publishes its own draft directly."""
    if not user.has_perm("offer.moderate_activity", activity):
        return []
    if activity.status == ActivityStatus.PENDING:
        return ["publish", "refuse"]
    if activity.status == ActivityStatus.PUBLISHED:
        return ["withdraw"]
    if activity.created_by_id is not None and activity.created_by_id == user.pk:
        return ["publish"]
    return []


@transaction.atomic
def moderate_activity(*, actor, activity: Activity, decision: str, note: str = "") -> Activity:
    """The coordinator publishes, refuses or withdraws an activity; a refusal or a withdrawal says why. The
    organisation's project holders are e-mailed the decision."""
    activity = locked(activity)
    if not actor.has_perm("offer.moderate_activity", activity):
        raise ValidationError(NOT_A_MODERATOR)
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choisissez une décision : publier, refuser ou retirer l'activité."})
    status, decided = DECIDED[decision]
    if decision not in moderation_decisions(activity, actor):
        raise ValidationError({"decision": f"Une activité {activity.get_status_display()} ne peut pas être {decided}."})
    note = (note or "").strip()
    if decision in NOTE_REQUIRED and not note:
        raise ValidationError({"note": NOTE_REQUIRED[decision]})
    if decision == "publish":
        missing = missing_for_publication(activity)
        if missing:
            raise ValidationError(missing)
    before = {"statut": activity.get_status_display(), "message de la modération": activity.moderation_note}
    activity.status, activity.moderation_note = status, note
    if decision == "publish":
        activity.published_at = timezone.now()
    activity.save(update_fields=["status", "moderation_note", "published_at", "updated_at"])
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=activity,
        summary=f"Activité {decided}" + (f" : {note}" if note else ""),
        before=before,
        after={"statut": activity.get_status_display(), "message de la modération": note},
    )
    notify(
        actor=actor,
        recipients=holder_emails(activity),
        subject=f"Votre activité « {activity.title} » est {decided}",
        template="moderated",
        context={"activity": activity, "decided": decided, "note": note},
    )
    return activity


@transaction.atomic
def activity_from_action(*, actor, action: Action) -> Activity:
    """The holder of a selected (agreed, running) action prepares its public activity from the action sheet: a
    draft linked to the action, to complete (schedule, how to join) and submit. One per action: asked again, it
    returns the existing one."""
    action = Action.objects.select_for_update(of=("self",)).select_related("cite", "organisation").get(pk=action.pk)
    existing = Activity.objects.filter(action=action).first()
    if existing is not None and actor.has_perm("offer.view_activities", existing):
        return existing
    if not actor.has_perm("offer.publish_action", action):
        if not holds_action(actor, action):
            raise ValidationError("Seul le porteur de l'action la publie dans l'offre publique.")
        raise ValidationError(
            f"Une action {action.get_status_display()} n'entre pas dans l'offre publique : "
            "elle doit être retenue, conventionnée ou en cours."
        )
    cite, organisation = action.cite, action.organisation
    summary = " ".join(action.summary.split())
    fields = {
        "title": action.title,
        "summary": Truncator(summary).chars(Activity._meta.get_field("summary").max_length),
        "description": action.summary,
        "address": action.address,
        "school": action.schools.order_by("name").first(),
        "qpv": action.qpvs.order_by("name").first(),
        "starts_on": action.starts_on,
        "ends_on": action.ends_on,
        **{name: list(getattr(action, name).all()) for name in RELATED_FIELDS},
    }
    cleaned = clean_activity(cite=cite, organisation=organisation, fields=fields, slots=[])
    cleaned.values["title"] = cleaned.values["title"][: Activity._meta.get_field("title").max_length]
    return insert_activity(
        actor=actor,
        cite=cite,
        organisation=organisation,
        cleaned=cleaned,
        action=action,
        summary=f"Activité de l'offre publique préparée depuis l'action « {action.title} » (brouillon)",
    )
