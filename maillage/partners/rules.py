"""Who may see and change what in the partner directory.

An organisation can work in several cités: a role counts when the user holds it in any of them.
"""

import rules

from maillage.core.models import Role
from maillage.core.perimeter import perimeter_of
from maillage.core.rules import has_cite_role, is_admin, is_cite_member, reads_everything
from maillage.partners.models import CONTACT_READERS


def organisation_cite_ids(organisation) -> list[int]:
    """The cités of an organisation, read once per object (prefetched `cites` are used when present)."""
    cache = getattr(organisation, "_prefetched_objects_cache", {})
    if "cites" in cache:
        return [cite.pk for cite in cache["cites"]]
    return list(organisation.cites.values_list("pk", flat=True))


def has_role_in_organisation_cites(*roles: str):
    @rules.predicate(name=f"has_role_in_organisation_cites_{'_'.join(roles)}")
    def predicate(user, organisation) -> bool:
        perimeter = perimeter_of(user)
        if organisation is None or not perimeter.cite_ids:
            return False
        return any(perimeter.has_role(cite_id, *roles) for cite_id in organisation_cite_ids(organisation))

    return predicate


@rules.predicate
def holds_organisation(user, organisation) -> bool:
    """The user is one of the organisation's contacts (a project holder acting for it). The answer is kept on
    the organisation object, so the several permissions of one page ask the database once."""
    if organisation is None or not getattr(user, "is_authenticated", False):
        return False
    answers = organisation.__dict__.setdefault("_holders_checked", {})
    if user.pk not in answers:
        answers[user.pk] = organisation.contacts.filter(user=user).exists()
    return answers[user.pk]


works_with_organisation = has_role_in_organisation_cites(*(role for role in Role if role != Role.NATIONAL))
coordinates_organisation = has_role_in_organisation_cites(Role.COORDINATOR)
reads_organisation_contacts = has_role_in_organisation_cites(*CONTACT_READERS)

# On an organisation.
rules.add_perm("partners.view_organisation", reads_everything | works_with_organisation)
rules.add_perm("partners.change_organisation", is_admin | coordinates_organisation | holds_organisation)
rules.add_perm("partners.view_contacts", is_admin | reads_organisation_contacts)
# On a cité: its directory, adding organisations, imports, duplicates and merges.
rules.add_perm("partners.view_directory", reads_everything | is_cite_member)
rules.add_perm("partners.manage_directory", is_admin | has_cite_role(Role.COORDINATOR))
