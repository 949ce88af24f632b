"""Who may see and change what in the territory module."""

import rules
from django.apps import apps

from maillage.core.models import Role
from maillage.core.perimeter import perimeter_of
from maillage.core.rules import has_cite_role, is_admin, is_cite_member, reads_everything


@rules.predicate
def school_in_member_cite(user, school) -> bool:
    """The school lies in a commune of one of the user's cités."""
    perimeter = perimeter_of(user)
    if school is None or not perimeter.cite_ids:
        return False
    cite_communes = apps.get_model("territories", "Cite").communes.through.objects
    return cite_communes.filter(commune_id=school.commune_id, cite_id__in=perimeter.cite_ids).exists()


rules.add_perm("territories.view_cite", reads_everything | is_cite_member)
rules.add_perm("territories.change_cite_perimeter", is_admin | has_cite_role(Role.COORDINATOR))
rules.add_perm("territories.view_school", reads_everything | school_in_member_cite)
