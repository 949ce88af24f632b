"""The perimeter: which cités a user sees, with which roles.

It is read once per request (one query on memberships, with the cités' names for the switcher) and
cached on the user object. Every `for_user(user)` queryset method and every `rules` predicate reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps


@dataclass(frozen=True)
class CiteRef:
    """What the header needs to name a cité without another query."""

    pk: int
    anct_id: str
    name: str


@dataclass(frozen=True)
class Perimeter:
    is_authenticated: bool = False
    is_admin: bool = False
    is_national: bool = False
    roles_by_cite: dict[int, frozenset[str]] = field(default_factory=dict)
    cites: tuple[CiteRef, ...] = ()

    @property
    def sees_all(self) -> bool:
        """Administrators and the national level read every cité."""
        return self.is_admin or self.is_national

    @property
    def cite_ids(self) -> list[int]:
        return list(self.roles_by_cite)

    def is_member(self, cite_id: int) -> bool:
        return cite_id in self.roles_by_cite

    def has_role(self, cite_id: int, *roles: str) -> bool:
        return bool(self.roles_by_cite.get(cite_id, frozenset()) & set(roles))

    def cite_ids_with(self, *roles: str) -> list[int]:
        """The cités where the user holds one of `roles`."""
        return [cite_id for cite_id in self.roles_by_cite if self.has_role(cite_id, *roles)]

    @property
    def holds_projects(self) -> bool:
        """The user is a project holder in at least one cité."""
        return any("project_holder" in roles for roles in self.roles_by_cite.values())

    def only_holds_projects_in(self, cite_id: int) -> bool:
        """In this cité, the user is a project holder and nothing else: they see only their own actions."""
        return self.roles_by_cite.get(cite_id) == frozenset({"project_holder"})

    @classmethod
    def load(cls, user) -> Perimeter:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls()
        membership_model = apps.get_model("core", "Membership")
        rows = (
            membership_model.objects.filter(user=user)
            .order_by("cite__name")
            .values_list("role", "cite_id", "cite__anct_id", "cite__name")
        )
        roles: dict[int, set[str]] = {}
        cites: dict[int, CiteRef] = {}
        is_national = False
        for role, cite_id, anct_id, name in rows:
            if cite_id is None:
                is_national = is_national or role == "national"
                continue
            roles.setdefault(cite_id, set()).add(role)
            cites[cite_id] = CiteRef(cite_id, anct_id, name)
        return cls(
            is_authenticated=True,
            is_admin=user.is_superuser,
            is_national=is_national,
            roles_by_cite={cite_id: frozenset(r) for cite_id, r in roles.items()},
            cites=tuple(cites.values()),
        )


NO_PERIMETER = Perimeter()


def perimeter_of(user) -> Perimeter:
    """The perimeter of any user object, anonymous included."""
    return getattr(user, "perimeter", NO_PERIMETER) if user is not None else NO_PERIMETER
