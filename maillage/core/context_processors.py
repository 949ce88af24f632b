from django.conf import settings

from maillage.core.perimeter import perimeter_of


def platform(request):
    """What every page may need: the perimeter (already loaded), the current cité, the map settings."""
    perimeter = perimeter_of(getattr(request, "user", None))
    current_cite = getattr(request, "current_cite", None)
    return {
        "perimeter": perimeter,
        "current_cite": current_cite,
        "sees_cite_money": bool(current_cite)
        and (perimeter.sees_all or not perimeter.only_holds_projects_in(current_cite.pk)),
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }
