"""ProConnect (OpenID Connect) sign-in, against a fake identity provider.

Only ProConnect's HTTP answers are simulated (token and userinfo endpoints): the views, the
backend, the signature checks and the database are the real ones."""

from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from maillage.core.models import Role, User

PROVIDER = "https://proconnect.test/api/v2"
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = (
    PRIVATE_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


class FakeResponse:
    def __init__(self, *, json_body=None, text="", content_type="application/json"):
        self.status_code, self._json, self.text = 200, json_body, text
        self.headers = {"content-type": content_type}
        self.url = PROVIDER

    def json(self):
        return self._json

    def raise_for_status(self):
        return None


@pytest.fixture
def proconnect(settings, monkeypatch):
    """ProConnect switched on, as OIDC_ENABLED=true does, with a fake provider behind it."""
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "maillage", "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{PROVIDER}/userinfo"
    settings.OIDC_RP_IDP_SIGN_KEY = PUBLIC_PEM
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "maillage.core.proconnect.ProConnectBackend"]
    provider = {"claims": {}}

    def sign(claims):
        return jwt.encode(claims, PRIVATE_KEY, algorithm="RS256")

    def token_endpoint(url, data, **kwargs):
        assert data["client_id"] == "maillage" and data["code"] == "code-recu"
        id_token = sign({"sub": "agent-1", "aud": "maillage", "nonce": provider["nonce"]})
        return FakeResponse(json_body={"id_token": id_token, "access_token": "jeton"})

    def userinfo_endpoint(url, headers, **kwargs):
        assert headers["Authorization"] == "Bearer jeton"
        return FakeResponse(text=sign(provider["claims"]), content_type="application/jwt")  # ProConnect signs it

    monkeypatch.setattr("mozilla_django_oidc.auth.requests.post", token_endpoint)
    monkeypatch.setattr("mozilla_django_oidc.auth.requests.get", userinfo_endpoint)
    return provider


def start(client, provider) -> str:
    response = client.get(reverse("core:oidc_authentication_init"))
    assert response.status_code == 302
    location = urlparse(response["Location"])
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{PROVIDER}/authorize"
    assert params["client_id"] == "maillage" and params["acr_values"] == "eidas1"
    assert set(params["scope"].split()) >= {"openid", "email", "given_name", "usual_name"}
    provider["nonce"] = params["nonce"]
    return params["state"]


def test_proconnect_is_off_by_default(client, db):
    assert client.get(reverse("core:oidc_authentication_init")).status_code == 404
    assert "ProConnect" not in client.get(reverse("core:login")).text.split("<main")[1].split("</main>")[0]


def test_an_invited_agent_signs_in_with_proconnect(client, proconnect, user_in, creteil):
    agent = user_in(Role.TROIKA_STATE.value, creteil, email="nadia.benali@val-de-marne.gouv.fr")
    assert "S'identifier avec" in client.get(reverse("core:login")).text
    state = start(client, proconnect)
    proconnect["claims"] = {
        "sub": "agent-1",
        "email": "Nadia.Benali@val-de-marne.gouv.fr",
        "given_name": "Nadia",
        "usual_name": "Benali",
    }
    response = client.get(reverse("core:oidc_authentication_callback"), {"code": "code-recu", "state": state})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == agent.pk
    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name) == ("Nadia", "Benali")
    assert client.get(reverse("core:home"))["Location"] == reverse("territories:cite_detail", args=["cite-021"])


def test_proconnect_does_not_open_accounts(client, proconnect, db):
    state = start(client, proconnect)
    proconnect["claims"] = {"sub": "x", "email": "inconnu@exemple.gouv.fr", "given_name": "A", "usual_name": "B"}
    response = client.get(reverse("core:oidc_authentication_callback"), {"code": "code-recu", "state": state})
    assert response["Location"] == "/connexion/?proconnect=refuse"
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="inconnu@exemple.gouv.fr").exists()
    assert "aucun compte Maillage" in client.get(response["Location"]).text


def test_a_forged_state_is_refused(client, proconnect, user_in):
    user_in(None, email="agent@exemple.gouv.fr")
    start(client, proconnect)
    proconnect["claims"] = {"sub": "x", "email": "agent@exemple.gouv.fr"}
    response = client.get(reverse("core:oidc_authentication_callback"), {"code": "code-recu", "state": "faux"})
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session
