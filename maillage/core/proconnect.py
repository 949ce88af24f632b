"""ProConnect (the State's OpenID Connect identity federation), switched on by OIDC_ENABLED.

Only people an administrator has invited may sign in: the account is found by e-mail, never created.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from maillage.core.models import normalise_email


class ProConnectBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims):
        email = claims.get("email")
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=normalise_email(email), is_active=True)

    def update_user(self, user, claims):
        """ProConnect is the source of truth for the person's name."""
        first_name, last_name = claims.get("given_name", ""), claims.get("usual_name", "")
        if (first_name, last_name) != (user.first_name, user.last_name) and (first_name or last_name):
            user.first_name, user.last_name = first_name, last_name
            user.save(update_fields=["first_name", "last_name"])
        return user


def when_enabled(view):
    """ProConnect's routes answer 404 until OIDC_ENABLED=true; they are open to anonymous visitors."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("ProConnect n'est pas activé sur cette plateforme.")
        return view(request, *args, **kwargs)

    return wrapper


authenticate_view = when_enabled(OIDCAuthenticationRequestView.as_view())
callback_view = when_enabled(OIDCAuthenticationCallbackView.as_view())
