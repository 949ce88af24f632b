"""The public offer as open data: one row per published activity, written as CSV, JSON or GeoJSON.

The row is also the API's activity (`maillage.api.serializers.ActivitySerializer`): what is public is defined once,
here. It names no person: the contact is the activity's public e-mail and phone (the organisation's), never a
`Contact` nor a user.

Every writer is a generator of text, so that a view streams the file while the rows are read, `EXPORT_CHUNK` rows at
a time with their prefetched themes, audiences, times of day and slots: the queries do not grow with the rows
(five per chunk).
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from maillage.core.exports import EXPORT_CHUNK
from maillage.offer.models import Activity

LICENCE_NAME = "Licence Ouverte / Open Licence version 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
CSV_LIST_SEPARATOR = "; "

COLUMNS = {
    "id": "identifiant de l'activité (le même dans l'API)",
    "cite_anct_id": "identifiant ANCT de la cité éducative",
    "cite_name": "nom de la cité éducative",
    "title": "titre",
    "summary": "en bref",
    "description": "description",
    "organisation": "structure qui propose l'activité",
    "contact_email": "e-mail de contact public de la structure",
    "contact_phone": "téléphone de contact public de la structure",
    "min_age": "âge minimum (vide : sans limite)",
    "max_age": "âge maximum (vide : sans limite)",
    "audiences": "publics : tranches d'âge et parents (codes et libellés en JSON, libellés en CSV)",
    "themes": "thématiques (codes et libellés en JSON, libellés en CSV)",
    "times_of_day": "temps de l'enfant : scolaire, périscolaire, extrascolaire, vacances, familial",
    "place_name": "lieu",
    "address": "adresse",
    "commune_insee": "code INSEE de la commune",
    "commune_name": "nom de la commune",
    "qpv_code": "code du quartier prioritaire (QPV)",
    "qpv_name": "nom du quartier prioritaire",
    "school_uai": "UAI de l'établissement scolaire où elle a lieu",
    "school_name": "nom de l'établissement scolaire",
    "latitude": "latitude (WGS 84)",
    "longitude": "longitude (WGS 84)",
    "starts_on": "à partir du (AAAA-MM-JJ)",
    "ends_on": "jusqu'au (AAAA-MM-JJ)",
    "period": "période : toute l'année, en période scolaire ou pendant les vacances scolaires",
    "slots": "créneaux hebdomadaires, par exemple « mercredi 14:00-16:00; samedi 10:00-12:00 »",
    "is_free": "gratuite (oui ou non en CSV)",
    "price": "tarif, si elle est payante",
    "how_to_join": "comment participer",
    "registration_url": "lien d'inscription",
    "accessibility": "accessibilité",
    "url": "adresse de la page publique de l'activité",
    "updated_at": "dernière mise à jour (date et heure, heure de Paris)",
}
"""The columns of every format, in order, with what each holds (the data dictionary of the downloads page)."""


def public_activities(cite=None) -> QuerySet:
    """The published activities (of `cite`, or of every cité), with everything a row reads."""
    activities = Activity.objects.published()
    if cite is not None:
        activities = activities.filter(cite=cite)
    return (
        activities.select_related("cite", "organisation", "commune", "qpv", "school")
        .prefetch_related("age_bands", "themes", "times_of_day", "slots")
        .order_by("cite__name", "title", "pk")
    )


def site_url(request) -> str:
    """ "https://host": what makes the public pages' addresses absolute."""
    return request.build_absolute_uri("/").removesuffix("/")


def vocabulary(entries) -> list[dict]:
    return [{"code": entry.code, "label": entry.label} for entry in entries]


def slots_text(activity: Activity) -> str:
    """« mercredi 14:00-16:00; samedi 10:00-12:00 »."""
    return CSV_LIST_SEPARATOR.join(str(slot) for slot in activity.slots.all())


def iso_date(value) -> str | None:
    return value.isoformat() if value else None


def activity_row(activity: Activity, *, site_url: str) -> dict:
    """The public description of one activity, keyed by `COLUMNS`. `site_url` ("https://host") makes the page
    address absolute. Lists of themes, audiences and times of day are {code, label} objects."""
    commune, qpv, school = activity.commune, activity.qpv, activity.school
    return {
        "id": activity.pk,
        "cite_anct_id": activity.cite.anct_id,
        "cite_name": activity.cite.name,
        "title": activity.title,
        "summary": activity.summary,
        "description": activity.description,
        "organisation": activity.organisation.name,
        "contact_email": activity.contact_email,
        "contact_phone": activity.contact_phone,
        "min_age": activity.min_age,
        "max_age": activity.max_age,
        "audiences": vocabulary(activity.age_bands.all()),
        "themes": vocabulary(activity.themes.all()),
        "times_of_day": vocabulary(activity.times_of_day.all()),
        "place_name": activity.place_name,
        "address": activity.address,
        "commune_insee": commune.insee_code if commune else None,
        "commune_name": commune.name if commune else None,
        "qpv_code": qpv.code if qpv else None,
        "qpv_name": qpv.name if qpv else None,
        "school_uai": school.uai if school else None,
        "school_name": school.name if school else None,
        "latitude": activity.latitude,
        "longitude": activity.longitude,
        "starts_on": iso_date(activity.starts_on),
        "ends_on": iso_date(activity.ends_on),
        "period": activity.get_period_display(),
        "slots": slots_text(activity),
        "is_free": activity.is_free,
        "price": activity.price,
        "how_to_join": activity.how_to_join,
        "registration_url": activity.registration_url,
        "accessibility": activity.accessibility,
        "url": site_url + activity.get_absolute_url(),
        "updated_at": timezone.localtime(activity.updated_at).isoformat(),
    }


def activity_rows(activities: QuerySet, *, site_url: str) -> Iterator[dict]:
    for activity in activities.iterator(chunk_size=EXPORT_CHUNK):
        yield activity_row(activity, site_url=site_url)


def csv_cell(value) -> str:
    """A row value as spreadsheet text: lists by their labels, booleans as oui / non, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(entry["label"] for entry in value)
    return str(value)


class LineBuffer:
    """What `csv.writer` writes to when each line is handed on rather than stored."""

    def write(self, line: str) -> str:
        return line


def write_csv(activities: QuerySet, *, site_url: str) -> Iterator[str]:
    """UTF-8 with a byte order mark (so that spreadsheets read the accents) and `;` between cells."""
    writer = csv.writer(LineBuffer(), delimiter=";")
    yield "\ufeff" + writer.writerow(list(COLUMNS))
    for row in activity_rows(activities, site_url=site_url):
        yield writer.writerow([csv_cell(row[column]) for column in COLUMNS])


def json_array(items: Iterable, *, opening: str = "[", closing: str = "]") -> Iterator[str]:
    """A JSON array written one item at a time."""
    yield opening
    for index, item in enumerate(items):
        yield ("," if index else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n" + closing + "\n"


def write_json(activities: QuerySet, *, site_url: str) -> Iterator[str]:
    """A list of rows."""
    return json_array(activity_rows(activities, site_url=site_url))


def feature(row: dict) -> dict:
    return {
        "type": "Feature",
        "id": row["id"],
        "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
        "properties": row,
    }


def write_geojson(activities: QuerySet, *, site_url: str) -> Iterator[str]:
    """A FeatureCollection of points; the activities without coordinates are left out (of this format only)."""
    placed = activities.filter(latitude__isnull=False, longitude__isnull=False)
    features = (feature(row) for row in activity_rows(placed, site_url=site_url))
    return json_array(features, opening='{"type": "FeatureCollection", "features": [', closing="]}")


@dataclass(frozen=True)
class Format:
    extension: str
    label: str
    content_type: str
    write: Callable[..., Iterator[str]]


FORMATS = {
    fmt.extension: fmt
    for fmt in (
        Format("csv", "CSV", "text/csv; charset=utf-8", write_csv),
        Format("json", "JSON", "application/json", write_json),
        Format("geojson", "GeoJSON", "application/geo+json", write_geojson),
    )
}
