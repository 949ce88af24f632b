"""Sign-in (password, optional TOTP second step, ProConnect), the landing redirect and the account page."""

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from django_otp import login as otp_login

from maillage.core import services
from maillage.core.forms import LoginForm, TokenForm
from maillage.core.models import User, normalise_email

PENDING_USER = "login_pending_user"
PENDING_BACKEND = "login_pending_backend"
PENDING_NEXT = "login_pending_next"


def safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


def lockout_username(request, credentials) -> str | None:
    """The e-mail the rate limit counts failures for, whatever its case (so A@x.fr and a@x.fr add up)."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return normalise_email(username) if username else None


def static_page(template_name: str, title: str):
    """A page of text open to everyone (accessibility statement, data credits)."""
    return login_not_required(TemplateView.as_view(template_name=template_name, extra_context={"title": title}))


def home(request):
    """Each user lands on their own cité; the national level and administrators on the list of cités."""
    perimeter = request.user.perimeter
    if perimeter.sees_all:
        return redirect("territories:cite_list")
    if request.current_cite:
        return redirect("territories:cite_detail", request.current_cite.anct_id)
    return render(request, "core/no_membership.html", {"title": "Aucun rattachement"})


@login_not_required
def login_view(request):
    if request.user.is_authenticated:
        return redirect("core:home")
    next_url = request.POST.get("next") or request.GET.get("next")
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if services.confirmed_totp_device(user):
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_BACKEND] = user.backend
            request.session[PENDING_NEXT] = safe_next(request, next_url)
            return redirect("core:login_code")
        auth_login(request, user)
        return redirect(safe_next(request, next_url))
    return render(
        request,
        "core/login.html",
        {"form": form, "next": next_url or "", "proconnect": settings.OIDC_ENABLED, "title": "Connexion"},
    )


@login_not_required
def login_code(request):
    """Second step for accounts with a TOTP device. django-otp throttles repeated wrong codes."""
    user_id = request.session.get(PENDING_USER)
    if not user_id:
        return redirect("core:login")
    user = get_object_or_404(User, pk=user_id, is_active=True)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = services.confirmed_totp_device(user)
        if device and device.verify_token(form.cleaned_data["token"]):
            backend = request.session.pop(PENDING_BACKEND)
            next_url = request.session.pop(PENDING_NEXT, None)
            request.session.pop(PENDING_USER)
            auth_login(request, user, backend=backend)
            otp_login(request, device)
            return redirect(safe_next(request, next_url))
        form.add_error("token", "Code incorrect ou expiré. Attendez le code suivant avant de réessayer.")
    return render(request, "core/login_code.html", {"form": form, "title": "Code de vérification"})


def account(request):
    device = services.confirmed_totp_device(request.user)
    return render(
        request,
        "core/account.html",
        {"title": "Mon compte", "second_factor": device, "perimeter": request.user.perimeter},
    )


def second_factor(request):
    """Enrol a TOTP application: scan the QR code (or type the key), then confirm with one code."""
    if services.confirmed_totp_device(request.user):
        return redirect("core:account")
    device = services.pending_totp_device(request.user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp_device(user=request.user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, "La double authentification est activée pour votre compte.")
            return redirect("core:account")
        form.add_error("token", "Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et réessayez.")
    qr = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return render(
        request,
        "core/second_factor.html",
        {
            "title": "Activer la double authentification",
            "form": form,
            "qr_svg": qr.to_string(encoding="unicode"),
            "secret": base64.b32encode(device.bin_key).decode(),
        },
    )


@require_POST
def second_factor_remove(request):
    services.remove_totp_devices(actor=request.user, user=request.user)
    messages.info(request, "La double authentification est retirée de votre compte.")
    return redirect("core:account")
