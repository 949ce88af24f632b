"""The OpenAPI 3 description of the API: public, valid, every filter described with its type, and no request that
schemathesis makes up from it gets a server error or an answer that does not match it."""

import json

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from maillage.offer.models import ActivityStatus, Weekday
from maillage.wsgi import application
from tests.offer.factories import published_activity

FILTERS = {
    "/api/v1/cites/": {"departement": "string", "region": "string", "wave": "integer", "search": "string"},
    "/api/v1/qpvs/": {"departement": "string", "commune": "string", "cite": "string"},
    "/api/v1/schools/": {
        "commune": "string",
        "departement": "string",
        "priority_network": "string",
        "kind": "string",
        "cite": "string",
    },
    "/api/v1/activities/": {
        "cite": "string",
        "age": "integer",
        "theme": "string",
        "time_of_day": "string",
        "commune": "string",
        "qpv": "string",
        "free": "boolean",
        "weekday": "integer",
    },
}
PAGINATION = {"page": "integer", "page_size": "integer"}


def openapi_document(client) -> dict:
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_description_is_public_in_yaml_and_json(client, db):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "API de Maillage"
    assert openapi_document(client) == document


def test_the_description_is_valid_openapi_3(client, db):
    document = openapi_document(client)
    validate_schema(document)  # drf-spectacular's check against the OpenAPI 3.0 JSON schema
    schemathesis.openapi.from_dict(document).validate()
    assert set(document["paths"]) == {
        *FILTERS,
        "/api/v1/cites/{anct_id}/",
        "/api/v1/qpvs/{code}/",
        "/api/v1/schools/{uai}/",
        "/api/v1/activities/{id}/",
    }


@pytest.mark.parametrize("path", FILTERS)
def test_every_filter_is_described_with_its_type(client, db, path):
    parameters = openapi_document(client)["paths"][path]["get"]["parameters"]
    described = {parameter["name"]: parameter["schema"]["type"] for parameter in parameters}
    assert described == FILTERS[path] | PAGINATION
    for parameter in parameters:
        assert parameter["in"] == "query"
        assert parameter.get("description"), parameter["name"]


def generated_document() -> dict:
    """The description the schema view serves, made without a request (and without the database, so that
    schemathesis can read it while the tests are collected)."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def test_the_view_serves_the_generated_description(client, db):
    assert openapi_document(client) == generated_document()


schema = schemathesis.openapi.from_dict(generated_document())
schema.app = application  # what `schemathesis.openapi.from_wsgi` does: the calls go to the WSGI application


@pytest.fixture
def offer(creteil, other_cite):
    """A few published activities (and a draft) so that the lists and items have something to show."""
    published_activity(
        creteil, title="Aide aux devoirs", themes=("accompagnement-scolaire",), times_of_day=("periscolaire",)
    )
    published_activity(creteil, title="Café des parents", min_age=None, max_age=None, weekday=Weekday.SATURDAY)
    published_activity(creteil, title="Sans coordonnées", latitude=None, longitude=None, is_free=False)
    published_activity(other_cite, title="Football")
    published_activity(creteil, title="Brouillon", status=ActivityStatus.DRAFT)


@pytest.fixture
def wsgi_requests_keep_the_connection():
    """As Django's test client does: the start and end of a request must not close the test's connection (its
    transaction)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_request_gets_a_server_error(offer, wsgi_requests_keep_the_connection, case):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
