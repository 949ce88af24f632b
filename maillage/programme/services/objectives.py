"""Use cases of a cité's objective tree: the three national objectives (fixed) are the roots; the coordinator
adds local axes under them and operational objectives under an axis, renames, reorders and deactivates them.

The tree has two levels below a national objective, no more. A node is never deleted: an action may serve
it, so it is deactivated instead (it stays on the actions that serve it, and is no longer offered).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from maillage.core.events import record_event
from maillage.core.models import Verb
from maillage.programme.models import NationalObjective, Objective

TWO_LEVELS_ONLY = (
    "Un objectif opérationnel se range sous un axe local : l'arborescence n'a que deux niveaux "
    "sous un objectif national."
)


def kind_of(objective: Objective) -> str:
    return "axe local" if objective.is_axis else "objectif opérationnel"


def objective_snapshot(objective: Objective) -> dict:
    return {
        "objectif national": NationalObjective(objective.national_objective).label,
        "axe local": objective.parent.title if objective.parent_id else None,
        "intitulé": objective.title,
        "ordre": objective.position,
        "en vigueur": objective.is_active,
    }


def siblings(objective: Objective):
    """The nodes sharing `objective`'s place in the tree (itself included)."""
    rows = Objective.objects.filter(cite_id=objective.cite_id, parent_id=objective.parent_id)
    if objective.is_axis:
        rows = rows.filter(national_objective=objective.national_objective)
    return rows


def title_problem(objective: Objective) -> str | None:
    """Why the title cannot be used at this place of the tree, or None."""
    if not objective.title:
        return "Donnez un intitulé à l'objectif."
    same = Objective.objects.filter(
        cite_id=objective.cite_id, parent_id=objective.parent_id, title__iexact=objective.title
    )
    if same.exclude(pk=objective.pk).exists():
        where = "sous cet axe" if objective.parent_id else "parmi les axes locaux de la cité"
        return f"L'intitulé « {objective.title} » existe déjà {where}."
    return None


@transaction.atomic
def add_objective(*, actor, cite, title: str, national_objective: str = "", parent: Objective | None = None):
    """Add a local axis under a national objective, or (with `parent`, an axis) an operational objective.

    The new node comes last among its siblings."""
    title = (title or "").strip()
    errors = {}
    if parent is not None:
        if parent.cite_id != cite.pk:
            errors["parent"] = "Cet axe n'appartient pas à la cité."
        elif not parent.is_axis:
            errors["parent"] = TWO_LEVELS_ONLY
        elif not parent.is_active:
            errors["parent"] = "Cet axe n'est plus en vigueur : réactivez-le avant d'y ajouter un objectif."
        national_objective = parent.national_objective
    elif national_objective not in NationalObjective.values:
        errors["national_objective"] = "Choisissez l'un des trois objectifs nationaux."
    objective = Objective(cite=cite, national_objective=national_objective, parent=parent, title=title)
    if problem := title_problem(objective):
        errors["title"] = problem
    if errors:
        raise ValidationError(errors)
    last = siblings(objective).aggregate(last=Max("position"))["last"]
    objective.position = (last or 0) + 1
    objective.save()
    record_event(
        actor=actor,
        verb=Verb.CREATED,
        obj=objective,
        summary=f"{kind_of(objective).capitalize()} ajouté à l'arborescence des objectifs",
        after=objective_snapshot(objective),
    )
    return objective


@transaction.atomic
def rename_objective(*, actor, objective: Objective, title: str) -> bool:
    """Give a node a new title. Returns False when it does not change."""
    title = (title or "").strip()
    before = objective_snapshot(objective)
    if title == objective.title:
        return False
    objective.title = title
    if problem := title_problem(objective):
        objective.title = before["intitulé"]
        raise ValidationError({"title": problem})
    objective.save(update_fields=["title"])
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=objective,
        summary=f"{kind_of(objective).capitalize()} renommé",
        before={"intitulé": before["intitulé"]},
        after={"intitulé": title},
    )
    return True


@transaction.atomic
def move_objective(*, actor, objective: Objective, step: int) -> bool:
    """Move a node one place up (`step=-1`) or down (`step=1`) among its siblings; they are numbered 1, 2, 3…
    again. Returns False when it is already first (or last)."""
    if step not in (-1, 1):
        raise ValidationError("Un objectif monte ou descend d'un rang à la fois.")
    ordered = list(siblings(objective).order_by("position", "pk"))
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == objective.pk)
    target = index + step
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, sibling in enumerate(ordered, start=1):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    record_event(
        actor=actor,
        verb=Verb.UPDATED,
        obj=objective,
        summary=f"{kind_of(objective).capitalize()} déplacé d'un rang vers le {'haut' if step < 0 else 'bas'}",
        before={"ordre": index + 1},
        after={"ordre": target + 1},
    )
    objective.position = target + 1
    return True


@transaction.atomic
def set_objective_active(*, actor, objective: Objective, is_active: bool) -> bool:
    """Deactivate a node (an axis with its operational objectives), or put it back in force. Nothing is
    deleted: the actions that serve it keep it. Returns False when nothing changes."""
    if objective.is_active == is_active:
        return False
    if is_active and objective.parent_id and not objective.parent.is_active:
        raise ValidationError(f"L'axe « {objective.parent.title} » n'est plus en vigueur : réactivez d'abord l'axe.")
    changed = [objective]
    if not is_active and objective.is_axis:
        changed += list(objective.children.filter(is_active=True))
    for node in changed:
        node.is_active = is_active
        node.save(update_fields=["is_active"])
        summary = f"{kind_of(node).capitalize()} {'remis en vigueur' if is_active else 'retiré (plus en vigueur)'}"
        if node is not objective:
            summary += f" avec son axe « {objective.title} »"
        record_event(
            actor=actor,
            verb=Verb.UPDATED,
            obj=node,
            summary=summary,
            before={"en vigueur": not is_active},
            after={"en vigueur": is_active},
        )
    return True


@dataclass
class Branch:
    """One national objective of a cité's tree, with its local axes (each with `operational` objectives)."""

    national_objective: NationalObjective
    axes: list = field(default_factory=list)


def objective_tree(cite, *, active_only: bool = False) -> list[Branch]:
    """The cité's tree under the three national objectives, in one query. Each axis gets an `operational`
    list of its operational objectives."""
    nodes = Objective.objects.filter(cite=cite).order_by("position", "pk")
    if active_only:
        nodes = nodes.filter(is_active=True)
    nodes = list(nodes)
    axes = {node.pk: node for node in nodes if node.is_axis}
    for axis in axes.values():
        axis.operational = []
    for node in nodes:
        if not node.is_axis and node.parent_id in axes:
            node.parent = axes[node.parent_id]
            axes[node.parent_id].operational.append(node)
    branches = {value: Branch(NationalObjective(value)) for value in NationalObjective.values}
    for axis in axes.values():
        branches[axis.national_objective].axes.append(axis)
    return list(branches.values())
