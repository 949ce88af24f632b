"""Use cases of a cité's indicator catalogue: its local indicators, its targets, and the values its coordinator
types with a source note.

National indicators are shared by every cité and read-only here. Values typed by people are only for indicators
whose source is a manual entry or the schools: the partners' reports and the platform's own data are computed
(`maillage.evaluation.figures`), open data is imported with the reference data. Every value and target is checked
by `Indicator.check_value` (numbers only, within the indicator's range and decimals).
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.evaluation import figures
from maillage.evaluation.models import Target
from maillage.territories.models import (
    MAX_INDICATOR_VALUE,
    Cite,
    Indicator,
    IndicatorValue,
    PeriodKind,
    School,
    ValueKind,
    french_number,
    validate_period,
)

MANAGE = "evaluation.manage_indicators"
CANNOT_MANAGE = "Seule la coordination de la cité gère ses indicateurs, ses cibles et les valeurs saisies."
NATIONAL_READ_ONLY = (
    "Les indicateurs nationaux sont communs à toutes les cités : ni leur définition ni leur calendrier ne se "
    "modifient depuis une cité."
)
NOT_IN_CITE = "Cet indicateur n'est pas suivi par la cité (indicateur d'une autre cité ou désactivé)."

TYPED_SOURCES = (Indicator.Source.MANUAL, Indicator.Source.SCHOOL)
"""Sources whose values are typed by people; the only sources a local indicator may have."""
LOCAL_LEVELS = (Indicator.Level.CITE, Indicator.Level.SCHOOL)
MAX_DECIMALS = 2
"""Values are stored with two decimal places (`IndicatorValue.value`)."""

INDICATOR_FIELDS = (
    "code",
    "label",
    "definition",
    "unit",
    "direction",
    "source",
    "level",
    "period_kind",
    "decimals",
    "min_value",
    "max_value",
)
SLUG = re.compile(r"[-a-z0-9_]+")

WHERE_VALUES_COME_FROM = {
    Indicator.Source.PARTNER_REPORT: "Les valeurs de cet indicateur sont calculées à partir des bilans déposés "
    "par les porteurs de projet : elles ne se saisissent pas.",
    Indicator.Source.PLATFORM: "Les valeurs de cet indicateur sont calculées par la plateforme à partir des "
    "actions et des financements de la cité : elles ne se saisissent pas.",
    Indicator.Source.OPEN_DATA: "Les valeurs de cet indicateur sont importées des données ouvertes de l'Éducation "
    "nationale (DEPP) avec les données de référence : elles ne se saisissent pas.",
}
COMPUTED_FROM_OPEN_DATA = (
    "Les valeurs de cet indicateur sont calculées à partir des données ouvertes des établissements de la cité "
    "(DEPP) : elles ne se saisissent pas."
)
FROM_REPORTS_ONLY = "Les valeurs par action viennent uniquement des bilans déposés par les porteurs de projet"
ACTION_LEVEL = (
    f"{FROM_REPORTS_ONLY} : un indicateur local se suit à l'échelle de la cité ou d'un établissement scolaire."
)


def check_manager(actor, cite: Cite) -> None:
    if not actor.has_perm(MANAGE, cite):
        raise ValidationError(CANNOT_MANAGE)


def typed_value_refusal(indicator: Indicator) -> str | None:
    """Why nobody types values of `indicator` (where they come from instead), or None when they are typed."""
    if indicator.level == Indicator.Level.ACTION:
        return f"{FROM_REPORTS_ONLY} : elles ne se saisissent pas."
    computed = indicator.code in figures.COMPUTED_CODES
    if indicator.source in TYPED_SOURCES and not computed:
        return None
    if computed and indicator.source == Indicator.Source.OPEN_DATA:
        return COMPUTED_FROM_OPEN_DATA
    return WHERE_VALUES_COME_FROM.get(indicator.source, WHERE_VALUES_COME_FROM[Indicator.Source.PLATFORM])


def accepts_typed_values(indicator: Indicator) -> bool:
    return typed_value_refusal(indicator) is None


def takes_targets(indicator: Indicator) -> bool:
    """Targets are set for the cité as a whole: any cité-level indicator, computed ones included."""
    return indicator.level == Indicator.Level.CITE


def available_in(cite: Cite, indicator: Indicator) -> bool:
    return Indicator.objects.available_in(cite.pk).filter(pk=indicator.pk).exists()


def period_error(indicator: Indicator, period: str) -> str | None:
    try:
        validate_period(indicator.period_kind, period)
    except ValidationError as error:
        return error.messages[0]
    return None


def value_error(indicator: Indicator, text) -> tuple[Decimal | None, str | None]:
    """The checked value, or the French reason it is refused."""
    try:
        return indicator.check_value(text), None
    except ValidationError as error:
        return None, error.messages[0]


# Local indicators.


def clean_decimal(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors[field] = "Saisissez un nombre, par exemple 0 ou 100."
        return None
    if abs(number) > MAX_INDICATOR_VALUE:
        errors[field] = "Cette limite est trop grande."
        return None
    if number != number.quantize(Decimal("0.01")):
        errors[field] = "Une limite a au plus deux décimales."
        return None
    return number


def clean_definition(fields: dict, errors: dict) -> dict:
    """The definition of a local indicator, normalised; every problem goes into `errors` by field."""
    cleaned = {name: (fields[name] or "").strip() for name in ("code", "label", "definition", "unit")}
    cleaned["code"] = cleaned["code"].lower()
    if not cleaned["code"]:
        errors["code"] = "Donnez un code à l'indicateur, par exemple absenteisme-college."
    elif len(cleaned["code"]) > 60 or not SLUG.fullmatch(cleaned["code"]):
        errors["code"] = (
            "Le code s'écrit en minuscules sans accents, avec des chiffres, des tirets ou des soulignés "
            "(60 caractères au plus), par exemple absenteisme-college."
        )
    if not cleaned["label"]:
        errors["label"] = "Donnez un libellé à l'indicateur."
    elif len(cleaned["label"]) > 200:
        errors["label"] = "Le libellé tient en 200 caractères."
    if not cleaned["unit"]:
        errors["unit"] = "Indiquez l'unité, par exemple %, élèves ou personnes."
    elif len(cleaned["unit"]) > 30:
        errors["unit"] = "L'unité tient en 30 caractères."

    cleaned["direction"] = fields["direction"]
    if cleaned["direction"] not in Indicator.Direction.values:
        errors["direction"] = "Choisissez le sens de progression de l'indicateur."
    cleaned["source"] = fields["source"]
    if cleaned["source"] not in TYPED_SOURCES:
        errors["source"] = (
            "Les valeurs d'un indicateur local sont saisies par la coordination ou fournies par les "
            "établissements scolaires : les données ouvertes, les bilans des partenaires et les calculs de la "
            "plateforme alimentent les indicateurs nationaux."
        )
    cleaned["level"] = fields["level"]
    if cleaned["level"] == Indicator.Level.ACTION:
        errors["level"] = ACTION_LEVEL
    elif cleaned["level"] not in LOCAL_LEVELS:
        errors["level"] = "Choisissez le niveau : la cité ou un établissement scolaire."
    cleaned["period_kind"] = fields["period_kind"]
    if cleaned["period_kind"] not in PeriodKind.values:
        errors["period_kind"] = "Choisissez le calendrier : année scolaire ou exercice budgétaire."

    decimals = fields["decimals"]
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        errors["decimals"] = f"Indiquez un nombre de décimales entre 0 et {MAX_DECIMALS}."
    cleaned["decimals"] = decimals
    cleaned["min_value"] = clean_decimal(fields["min_value"], "min_value", errors)
    cleaned["max_value"] = clean_decimal(fields["max_value"], "max_value", errors)
    low, high = cleaned["min_value"], cleaned["max_value"]
    if low is not None and high is not None and low > high:
        errors["max_value"] = "La valeur maximale doit être supérieure ou égale à la valeur minimale."
    return cleaned


def code_error(code: str, indicator: Indicator) -> str | None:
    """A code names one indicator across the whole platform (national ones and every cité's)."""
    taken = Indicator.objects.filter(code__iexact=code).exclude(pk=indicator.pk).select_related("cite").first()
    if taken is None:
        return None
    if taken.cite_id is None:
        return f"Le code « {code} » est celui d'un indicateur national : choisissez-en un autre."
    if taken.cite_id == indicator.cite_id:
        return f"La cité a déjà un indicateur de code « {code} » (« {taken.label} »)."
    return f"Le code « {code} » est déjà pris par un indicateur d'une autre cité : choisissez-en un autre."


def stored_data_errors(indicator: Indicator, cleaned: dict) -> dict:
    """Changes that would leave the indicator's values and targets already typed out of its new definition."""
    values = list(IndicatorValue.objects.filter(indicator=indicator).values_list("value", flat=True))
    targets = list(Target.objects.filter(indicator=indicator).values_list("value", flat=True))
    if not values and not targets:
        return {}
    errors = {}
    for field, label in (("period_kind", "calendrier"), ("level", "niveau")):
        if cleaned[field] != getattr(indicator, field):
            errors[field] = (
                f"Des valeurs ou des cibles sont déjà saisies pour cet indicateur : son {label} ne change plus. "
                "Créez un autre indicateur si besoin."
            )
    changed = Indicator(**{name: cleaned[name] for name in ("unit", "decimals", "min_value", "max_value")})
    outside = [number for number in values + targets if value_error(changed, number)[1]]
    if outside:
        errors[NON_FIELD_ERRORS] = (
            f"Des valeurs ou des cibles déjà saisies ({len(outside)}) ne respecteraient plus ces limites ou ces "
            f"décimales, par exemple {french_number(outside[0])} : corrigez-les d'abord."
        )
    return errors


def indicator_snapshot(indicator: Indicator) -> dict:
    return {
        "code": indicator.code,
        "libellé": indicator.label,
        "définition": indicator.definition,
        "unité": indicator.unit,
        "sens": indicator.get_direction_display(),
        "source": indicator.get_source_display(),
        "niveau": indicator.get_level_display(),
        "période": indicator.get_period_kind_display(),
        "décimales": indicator.decimals,
        "valeur minimale": None if indicator.min_value is None else french_number(indicator.min_value),
        "valeur maximale": None if indicator.max_value is None else french_number(indicator.max_value),
        "actif": indicator.is_active,
    }


@transaction.atomic
def create_local_indicator(
    *,
    actor,
    cite: Cite,
    code: str,
    label: str,
    definition: str,
    unit: str,
    direction: str,
    source: str,
    level: str,
    period_kind: str,
    decimals: int,
    min_value,
    max_value,
) -> Indicator:
    """Add a local indicator to `cite`'s catalogue (values typed by the coordinator or given by the schools)."""
    check_manager(actor, cite)
    errors: dict = {}
    fields = {
        "code": code,
        "label": label,
        "definition": definition,
        "unit": unit,
        "direction": direction,
        "source": source,
        "level": level,
        "period_kind": period_kind,
        "decimals": decimals,
        "min_value": min_value,
        "max_value": max_value,
    }
    cleaned = clean_definition(fields, errors)
    indicator = Indicator(cite=cite, is_active=True)
    if "code" not in errors and (error := code_error(cleaned["code"], indicator)):
        errors["code"] = error
    if errors:
        raise ValidationError(errors)
    for name, value in cleaned.items():
        setattr(indicator, name, value)
    indicator.save()
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=indicator,
        summary=f"Indicateur local « {indicator.label} » ajouté au catalogue de la cité",
        after=indicator_snapshot(indicator),
    )
    return indicator


@transaction.atomic
def update_local_indicator(*, actor, indicator: Indicator, **changes) -> bool:
    """Change the definition of a local indicator (any of INDICATOR_FIELDS) or deactivate it (`is_active`).

    A deactivated indicator leaves the cité's dashboard; its values and targets stay. Once values or targets
    exist, its calendar and level no longer change, and its limits cannot leave them out. Returns whether
    anything changed."""
    unknown = set(changes) - {*INDICATOR_FIELDS, "is_active"}
    if unknown:
        raise ValueError(f"champs inconnus : {', '.join(sorted(unknown))}")
    if not indicator.is_local:
        raise ValidationError(NATIONAL_READ_ONLY)
    check_manager(actor, indicator.cite)
    indicator = Indicator.objects.select_for_update(of=("self",)).select_related("cite").get(pk=indicator.pk)
    errors: dict = {}
    fields = {name: changes.get(name, getattr(indicator, name)) for name in INDICATOR_FIELDS}
    cleaned = clean_definition(fields, errors)
    if "code" not in errors and (error := code_error(cleaned["code"], indicator)):
        errors["code"] = error
    if not errors:
        errors = stored_data_errors(indicator, cleaned)
    if errors:
        raise ValidationError(errors)
    before = indicator_snapshot(indicator)
    for name, value in cleaned.items():
        setattr(indicator, name, value)
    indicator.is_active = bool(changes.get("is_active", indicator.is_active))
    after = indicator_snapshot(indicator)
    if after == before:
        return False
    indicator.save()
    summary = f"Indicateur local « {indicator.label} » modifié"
    if before["actif"] != after["actif"]:
        summary += " (réactivé)" if indicator.is_active else " (désactivé : il quitte le tableau de bord)"
    record_event(actor=actor, verb=Verb.UPDATED, obj=indicator, summary=summary, before=before, after=after)
    return True


# Targets.


def target_snapshot(target: Target) -> dict:
    return {"cible": french_number(target.value), "commentaire": target.note}


@transaction.atomic
def set_target(*, actor, cite: Cite, indicator: Indicator, period: str, value, note: str = "") -> Target:
    """Set (or correct) what `cite` aims at for `indicator` in `period`, written in the indicator's calendar."""
    check_manager(actor, cite)
    if not available_in(cite, indicator):
        raise ValidationError(NOT_IN_CITE)
    if not takes_targets(indicator):
        raise ValidationError(
            "Une cible se fixe pour la cité dans son ensemble : cet indicateur se suit établissement par établissement."
        )
    period, note = (period or "").strip(), (note or "").strip()
    errors = {}
    if error := period_error(indicator, period):
        errors["period"] = error
    number, error = value_error(indicator, value)
    if error:
        errors["value"] = error
    if len(note) > 250:
        errors["note"] = "Le commentaire tient en 250 caractères."
    if errors:
        raise ValidationError(errors)

    target = (
        Target.objects.select_for_update(of=("self",)).filter(cite=cite, indicator=indicator, period=period).first()
    )
    before = target_snapshot(target) if target else None
    if target is None:
        target = Target(cite=cite, indicator=indicator, period=period)
    target.value, target.note = number, note
    target.set_by = actor if getattr(actor, "is_authenticated", False) else None
    target.save()
    record_event(
        actor=actor,
        verb=Verb.TARGET_SET,
        obj=target,
        summary=f"Cible {period} de « {indicator.label} » : {french_number(number)} {indicator.unit}",
        before=before,
        after=target_snapshot(target),
    )
    return target


# Values typed by the coordinator.


def typed_values_of(cite: Cite, indicator: Indicator):
    """The stored values of `indicator` for the cité itself, or for its schools (school-level indicators)."""
    values = IndicatorValue.objects.filter(indicator=indicator)
    if indicator.level == Indicator.Level.SCHOOL:
        return values.filter(school__in=cite.schools.all())
    return values.filter(cite=cite)


def value_snapshot(value: IndicatorValue) -> dict:
    return {"valeur": french_number(value.value), "source": value.origin}


def subject_label(cite: Cite, school: School | None) -> str:
    return school.name if school else f"cité éducative {cite.name}"


@transaction.atomic
def record_value(
    *, actor, cite: Cite, indicator: Indicator, period: str, value, origin: str, school: School | None = None
) -> IndicatorValue:
    """Type (or correct) the value of `indicator` for the cité (or one of its schools) in `period`, with a note
    saying where it comes from. Computed and open-data indicators are refused: their values are not typed."""
    check_manager(actor, cite)
    if not available_in(cite, indicator):
        raise ValidationError(NOT_IN_CITE)
    if refusal := typed_value_refusal(indicator):
        raise ValidationError(refusal)
    period, origin = (period or "").strip(), (origin or "").strip()
    errors = {}
    if indicator.level == Indicator.Level.SCHOOL:
        if school is None:
            errors["school"] = "Choisissez l'établissement scolaire dont c'est la valeur."
        elif not cite.schools.filter(pk=school.pk).exists():
            errors["school"] = f"L'établissement {school.name} ne fait pas partie de la cité."
    elif school is not None:
        errors["school"] = "Cet indicateur se suit pour la cité dans son ensemble : ne choisissez pas d'établissement."
    if error := period_error(indicator, period):
        errors["period"] = error
    number, error = value_error(indicator, value)
    if error:
        errors["value"] = error
    if not origin:
        errors["origin"] = "Indiquez d'où vient la valeur : enquête, document, fichier…"
    elif len(origin) > 250:
        errors["origin"] = "La source tient en 250 caractères."
    if errors:
        raise ValidationError(errors)

    subject = {"school": school} if indicator.level == Indicator.Level.SCHOOL else {"cite": cite}
    stored = (
        IndicatorValue.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, period=period, **subject)
        .first()
    )
    before = value_snapshot(stored) if stored else None
    stored = stored or IndicatorValue(indicator=indicator, period=period, **subject)
    stored.value, stored.origin, stored.kind = number, origin, ValueKind.MANUAL
    stored.entered_by = actor if getattr(actor, "is_authenticated", False) else None
    stored.entered_at = timezone.now()
    stored.save()
    record_event(
        actor=actor,
        verb=Verb.INDICATOR_VALUE_RECORDED,
        obj=stored,
        cite=cite,
        summary=f"« {indicator.label} », {period}, {subject_label(cite, school)} : "
        f"{french_number(number)} {indicator.unit}",
        before=before,
        after=value_snapshot(stored),
    )
    return stored


@transaction.atomic
def delete_value(*, actor, value: IndicatorValue) -> None:
    """Remove a value typed by hand, for the cité or one of its schools. Imported open data stays."""
    if value.kind != ValueKind.MANUAL:
        raise ValidationError(
            "Cette valeur vient des données ouvertes importées : elle ne se supprime pas depuis la plateforme."
        )
    if value.cite_id:
        cites = [value.cite]
    else:
        cites = Cite.objects.filter(schools=value.school_id).order_by("name") if value.school_id else []
    cite = next((cite for cite in cites if actor.has_perm(MANAGE, cite)), None)
    if cite is None:
        raise ValidationError(CANNOT_MANAGE)
    school = value.school
    record_event(
        actor=actor,
        verb=Verb.DELETED,
        obj=value,
        cite=cite,
        summary=f"Valeur {value.period} de « {value.indicator.label} » supprimée ({subject_label(cite, school)})",
        before=value_snapshot(value),
    )
    value.delete()
