"""Request-wide state: the cité the user is working in."""

from django.apps import apps
from django.utils.functional import SimpleLazyObject

from maillage.core.perimeter import CiteRef, perimeter_of

CURRENT_CITE_SESSION_KEY = "current_cite"


def current_cite(request) -> CiteRef | None:
    """The cité chosen in the header switcher (kept in the session), else the user's first cité.

    A national user's current cité is the last cité page they opened.
    """
    perimeter = perimeter_of(getattr(request, "user", None))
    if not perimeter.is_authenticated:
        return None
    chosen = request.session.get(CURRENT_CITE_SESSION_KEY)
    for cite in perimeter.cites:
        if cite.anct_id == chosen:
            return cite
    if chosen and perimeter.sees_all:
        row = (
            apps.get_model("territories", "Cite")
            .objects.filter(anct_id=chosen)
            .values_list("pk", "anct_id", "name")
            .first()
        )
        if row:
            return CiteRef(*row)
    return perimeter.cites[0] if perimeter.cites else None


def remember_cite(request, cite) -> None:
    if request.session.get(CURRENT_CITE_SESSION_KEY) != cite.anct_id:  # no session write when unchanged
        request.session[CURRENT_CITE_SESSION_KEY] = cite.anct_id
    request.current_cite = CiteRef(cite.pk, cite.anct_id, cite.name)


class CurrentCiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.current_cite = SimpleLazyObject(lambda: current_cite(request))
        return self.get_response(request)
