"""Use cases of a cité's calls for projects: the call itself (dates, envelope offered, eligibility, themes) and
its scoring grid. Once a committee member has scored an action of the call, its grid no longer changes: the
scores already given would lose their meaning.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.core.perimeter import perimeter_of
from maillage.programme.models import TEAM_ROLES, CallForProjects, Criterion, Score

CALL_FIELDS = [
    "year",
    "title",
    "opens_at",
    "closes_at",
    "envelope",
    "eligibility",
    "description",
    "is_published",
    "themes",
]
CRITERION_FIELDS = ["label", "description", "weight", "max_score", "position"]
GRID_LOCKED = (
    "La notation de cet appel à projets a commencé : sa grille ne peut plus être modifiée, "
    "sans quoi les notes déjà données perdraient leur sens."
)


class CallStatus:
    """Where a call stands, by its dates (publication aside)."""

    UPCOMING = "à venir"
    OPEN = "ouvert"
    CLOSED = "clos"


def call_status(call: CallForProjects, moment=None) -> str:
    moment = moment or timezone.now()
    if moment < call.opens_at:
        return CallStatus.UPCOMING
    if moment < call.closes_at:
        return CallStatus.OPEN
    return CallStatus.CLOSED


def sees_unpublished_calls(user, cite_id: int) -> bool:
    """The cité's team prepares calls before they are published; a project holder reads published calls only."""
    perimeter = perimeter_of(user)
    return perimeter.sees_all or perimeter.has_role(cite_id, *TEAM_ROLES)


def calls_seen_by(user, cite):
    """The calls of `cite` the user reads."""
    calls = CallForProjects.objects.for_user(user).filter(cite=cite)
    return calls if sees_unpublished_calls(user, cite.pk) else calls.published()


def grid_is_locked(call: CallForProjects) -> bool:
    """True once any action of the call has a score."""
    return Score.objects.filter(criterion__call=call).exists()


def reject_unknown(data: dict, allowed: list[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"champs inconnus : {', '.join(sorted(unknown))}")


def readable_moment(moment) -> str | None:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else None


def call_snapshot(call: CallForProjects, themes) -> dict:
    return {
        "exercice": call.year,
        "intitulé": call.title,
        "ouverture des dépôts": readable_moment(call.opens_at),
        "clôture des dépôts": readable_moment(call.closes_at),
        "enveloppe proposée (€)": str(call.envelope) if call.envelope is not None else None,
        "critères d'éligibilité": call.eligibility,
        "présentation": call.description,
        "publié": call.is_published,
        "thématiques visées": sorted(str(theme) for theme in themes),
    }


def validate_call(call: CallForProjects) -> None:
    """Every problem of a call (unsaved values), by field, in French."""
    errors: dict[str, str] = {}
    call.title = (call.title or "").strip()
    call.eligibility = (call.eligibility or "").strip()
    if not call.title:
        errors["title"] = "Donnez un intitulé à l'appel à projets."
    elif CallForProjects.objects.filter(cite_id=call.cite_id, title__iexact=call.title).exclude(pk=call.pk).exists():
        errors["title"] = f"La cité a déjà un appel à projets intitulé « {call.title} »."
    if not call.year or not 2000 <= call.year <= 2100:
        errors["year"] = "Indiquez l'exercice budgétaire sur quatre chiffres (par exemple 2025)."
    if not call.opens_at:
        errors["opens_at"] = "Indiquez la date d'ouverture des dépôts."
    if not call.closes_at:
        errors["closes_at"] = "Indiquez la date de clôture des dépôts."
    elif call.opens_at and call.closes_at <= call.opens_at:
        errors["closes_at"] = "La clôture des dépôts doit suivre leur ouverture."
    if call.envelope is None:
        errors["envelope"] = "Indiquez l'enveloppe proposée, en euros."
    elif call.envelope < 0:
        errors["envelope"] = "L'enveloppe proposée ne peut pas être négative."
    if not call.eligibility:
        errors["eligibility"] = "Décrivez les critères d'éligibilité des actions."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_call(*, actor, cite, data: dict) -> CallForProjects:
    """Open a call for projects of `cite` (unpublished unless `is_published`); `data` holds CALL_FIELDS."""
    reject_unknown(data, CALL_FIELDS)
    themes = list(data.get("themes", []))
    call = CallForProjects(cite=cite, **{name: value for name, value in data.items() if name != "themes"})
    validate_call(call)
    call.created_by = actor if getattr(actor, "is_authenticated", False) else None
    call.save()
    call.themes.set(themes)
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=call,
        summary="Appel à projets créé" + (" et publié" if call.is_published else ""),
        after=call_snapshot(call, themes),
    )
    return call


@transaction.atomic
def update_call(*, actor, call: CallForProjects, data: dict) -> bool:
    """Change a call. Returns False when nothing changes (nothing is written then)."""
    reject_unknown(data, CALL_FIELDS)
    stored = CallForProjects.objects.select_for_update().get(pk=call.pk)
    current_themes = list(stored.themes.all())
    before = call_snapshot(stored, current_themes)
    themes = list(data["themes"]) if "themes" in data else current_themes
    for name, value in data.items():
        if name != "themes":
            setattr(stored, name, value)
    validate_call(stored)
    after = call_snapshot(stored, themes)
    if after == before:
        return False
    stored.save()
    stored.themes.set(themes)
    changed = [key for key in after if before[key] != after[key]]
    summary = "Appel à projets modifié"
    if "publié" in changed:
        summary = "Appel à projets publié" if stored.is_published else "Appel à projets retiré de la publication"
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=stored,
        summary=summary,
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    return True


# --- The scoring grid -----------------------------------------------------------------------------------------


def criterion_snapshot(criterion: Criterion) -> dict:
    return {
        "critère": criterion.label,
        "ce qui est regardé": criterion.description,
        "coefficient": criterion.weight,
        "note maximale": criterion.max_score,
        "ordre": criterion.position,
    }


def validate_criterion(criterion: Criterion) -> None:
    errors: dict[str, str] = {}
    criterion.label = (criterion.label or "").strip()
    if not criterion.label:
        errors["label"] = "Nommez le critère."
    elif (
        Criterion.objects.filter(call_id=criterion.call_id, label__iexact=criterion.label)
        .exclude(pk=criterion.pk)
        .exists()
    ):
        errors["label"] = f"La grille a déjà un critère « {criterion.label} »."
    if criterion.weight is None or criterion.weight < 1:
        errors["weight"] = "Le coefficient est un nombre entier d'au moins 1."
    if criterion.max_score is None or criterion.max_score < 1:
        errors["max_score"] = "La note maximale est un nombre entier d'au moins 1."
    if criterion.position is not None and criterion.position < 0:
        errors["position"] = "L'ordre est un nombre positif."
    if errors:
        raise ValidationError(errors)


def refuse_if_locked(call: CallForProjects) -> None:
    CallForProjects.objects.select_for_update().filter(pk=call.pk).exists()  # scoring waits for the grid change
    if grid_is_locked(call):
        raise ValidationError(GRID_LOCKED)


@transaction.atomic
def add_criterion(*, actor, call: CallForProjects, data: dict) -> Criterion:
    """Add a criterion to the call's grid (last, unless `position` says otherwise)."""
    reject_unknown(data, CRITERION_FIELDS)
    refuse_if_locked(call)
    criterion = Criterion(call=call, **{name: value for name, value in data.items() if value is not None})
    if data.get("position") is None:
        last = call.criteria.aggregate(last=Max("position"))["last"]
        criterion.position = (last or 0) + 1
    validate_criterion(criterion)
    criterion.save()
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=call,
        summary=f"Critère « {criterion.label} » ajouté à la grille de notation",
        after=criterion_snapshot(criterion),
    )
    return criterion


@transaction.atomic
def update_criterion(*, actor, criterion: Criterion, data: dict) -> bool:
    """Change a criterion of the grid. Returns False when nothing changes."""
    reject_unknown(data, CRITERION_FIELDS)
    refuse_if_locked(criterion.call)
    stored = Criterion.objects.get(pk=criterion.pk)
    before = criterion_snapshot(stored)
    for name, value in data.items():
        if value is not None or name != "position":
            setattr(stored, name, value)
    validate_criterion(stored)
    after = criterion_snapshot(stored)
    if after == before:
        return False
    stored.save()
    changed = [key for key in after if before[key] != after[key]]
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=stored.call,
        summary=f"Critère « {stored.label} » de la grille de notation modifié",
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
    )
    return True


@transaction.atomic
def remove_criterion(*, actor, criterion: Criterion) -> None:
    """Take a criterion out of the grid, while no action of the call is scored."""
    call = criterion.call
    refuse_if_locked(call)
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=call,
        summary=f"Critère « {criterion.label} » retiré de la grille de notation",
        before=criterion_snapshot(criterion),
    )
    criterion.delete()
