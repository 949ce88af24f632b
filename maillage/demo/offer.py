"""The demo's public offer: Créteil's activities (demo/offer_data.py), written through the offer's services. The
coordinator writes and publishes them (the holders' path — write, submit, moderation — is shown once: the café
des parents' holder publishes its running action from its sheet and submits it)."""

import datetime

from django.utils.text import slugify

from maillage.core.models import AgeBand, Role, Theme, TimeOfDay, User
from maillage.demo.offer_data import ACTIVITIES, PLACES, DemoActivity
from maillage.offer.models import Activity
from maillage.offer.services import (
    activity_from_action,
    create_activity,
    moderate_activity,
    submit_activity,
    update_activity,
)
from maillage.partners.models import Contact, Organisation
from maillage.programme.models import Action, ActionStatus
from maillage.territories.models import Cite, Qpv, School

FROM_ACTION = "Café des parents au collège Laplace"
"""This activity is the public face of the café des parents' action of the programme."""


def build_offer(creteil: Cite, coordinator: User) -> None:
    existing = set(Activity.objects.filter(cite=creteil).values_list("title", flat=True))
    organisations = {organisation.name: organisation for organisation in creteil.organisations.all()}
    holders = holder_accounts(creteil)
    vocabularies = {
        "age_bands": {band.code: band for band in AgeBand.objects.all()},
        "themes": {theme.code: theme for theme in Theme.objects.all()},
        "times_of_day": {time.code: time for time in TimeOfDay.objects.all()},
    }
    qpvs = {qpv.code: qpv for qpv in Qpv.objects.filter(cites=creteil)}
    schools = {school.uai: school for school in School.objects.filter(cites=creteil)}
    for demo in ACTIVITIES:
        if demo.title in existing:
            continue
        organisation = organisations[demo.organisation]
        fields = activity_fields(demo, creteil, vocabularies, qpvs, schools) | public_contact(organisation)
        holder = holders.get(organisation.pk)
        action = running_action(organisation) if demo.title == FROM_ACTION and holder else None
        if action is not None:
            activity = activity_from_action(actor=holder, action=action)
            activity = update_activity(actor=holder, activity=activity, **fields)
            activity = submit_activity(actor=holder, activity=activity)
        else:
            activity = create_activity(actor=coordinator, cite=creteil, organisation=organisation, **fields)
        moderate_activity(actor=coordinator, activity=activity, decision="publish")


def holder_accounts(creteil: Cite) -> dict[int, User]:
    """The project holder account of each organisation that has one in the cité."""
    contacts = Contact.objects.filter(
        user__memberships__cite=creteil, user__memberships__role=Role.PROJECT_HOLDER
    ).select_related("user")
    return {contact.organisation_id: contact.user for contact in contacts.order_by("-pk")}


def running_action(organisation: Organisation) -> Action | None:
    return Action.objects.filter(organisation=organisation, status=ActionStatus.RUNNING).order_by("-call__year").first()


def public_contact(organisation: Organisation) -> dict:
    """The organisation's public reception address and phone (fictitious), when the directory has none."""
    return {
        "contact_email": organisation.email or f"accueil@{slugify(organisation.name)[:40].strip('-')}.test",
        "contact_phone": organisation.phone or f"01 45 17 {organisation.pk % 100:02d} {organisation.pk * 7 % 100:02d}",
    }


def activity_fields(demo: DemoActivity, creteil: Cite, vocabularies, qpvs, schools) -> dict:
    if demo.place in schools:
        school = schools[demo.place]
        place = {"school": school, "qpv": None, "commune": school.commune}
    else:
        name, address, latitude, longitude, qpv = PLACES[demo.place]
        place = {
            "place_name": name,
            "address": address,
            "latitude": latitude,
            "longitude": longitude,
            "qpv": qpvs.get(qpv),
            "commune": creteil.communes.get(insee_code="94028"),
        }
    min_age, max_age = demo.ages
    return {
        "title": demo.title,
        "summary": demo.summary,
        "description": demo.description,
        "age_bands": [vocabularies["age_bands"][code] for code in demo.age_bands],
        "themes": [vocabularies["themes"][code] for code in demo.themes],
        "times_of_day": [vocabularies["times_of_day"][code] for code in demo.times_of_day],
        "min_age": min_age,
        "max_age": max_age,
        "period": demo.period,
        "is_free": not demo.price,
        "price": demo.price,
        "how_to_join": demo.how_to_join,
        "registration_url": demo.registration_url,
        "accessibility": demo.accessibility,
        "slots": [
            (weekday, datetime.time.fromisoformat(starts), datetime.time.fromisoformat(ends))
            for weekday, starts, ends in demo.slots
        ],
        **place,
    }
