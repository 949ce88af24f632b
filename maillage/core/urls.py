from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from maillage.core import proconnect, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.login_view, name="login"),
    path(
        "accessibilite/",
        views.static_page("core/accessibility.html", "Déclaration d'accessibilité"),
        name="accessibility",
    ),
    path(
        "sources-des-donnees/",
        views.static_page("core/data_sources.html", "Sources des données"),
        name="data_sources",
    ),
    path("connexion/code/", views.login_code, name="login_code"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/", views.account, name="account"),
    path("compte/double-authentification/", views.second_factor, name="second_factor"),
    path("compte/double-authentification/retirer/", views.second_factor_remove, name="second_factor_remove"),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            template_name="core/password_reset.html",
            email_template_name="core/emails/password_reset.txt",
            subject_template_name="core/emails/password_reset_subject.txt",
            success_url=reverse_lazy("core:password_reset_done"),
            extra_context={"title": "Mot de passe oublié"},
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="core/password_reset_done.html", extra_context={"title": "Lien envoyé"}
        ),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/password_set.html",
            success_url=reverse_lazy("core:password_reset_complete"),
            extra_context={"title": "Choisir un mot de passe"},
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/enregistre/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="core/password_set_done.html", extra_context={"title": "Mot de passe enregistré"}
        ),
        name="password_reset_complete",
    ),
    path("oidc/authenticate/", proconnect.authenticate_view, name="oidc_authentication_init"),
    path("oidc/callback/", proconnect.callback_view, name="oidc_authentication_callback"),
]
