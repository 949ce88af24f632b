"""Shared `rules` predicates. Each domain package builds its permissions from these in its rules.py.

A predicate receives the user and, for object permissions, the object: a cité or anything that
belongs to one (it then answers for `obj.cite_id`).
"""

import rules

from maillage.core.models import CITE_ROLES
from maillage.core.perimeter import perimeter_of


def cite_id_of(obj) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == "territories.Cite":
        return obj.pk
    return getattr(obj, "cite_id", None)


@rules.predicate
def is_admin(user) -> bool:
    return perimeter_of(user).is_admin


@rules.predicate
def reads_everything(user) -> bool:
    """Administrators and the national level read every cité (`Perimeter.sees_all`)."""
    return perimeter_of(user).sees_all


def has_cite_role(*roles: str):
    """A predicate true when the user holds one of `roles` in the object's cité."""

    @rules.predicate(name=f"has_cite_role_{'_'.join(roles)}")
    def predicate(user, obj) -> bool:
        cite_id = cite_id_of(obj)
        return cite_id is not None and perimeter_of(user).has_role(cite_id, *roles)

    return predicate


is_cite_member = has_cite_role(*CITE_ROLES)
