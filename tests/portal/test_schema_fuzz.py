"""Schema fuzzing: generated requests never get a 5xx or an answer off the schema."""

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.accounts.factories import ApiKeyFactory, OrganisationFactory
from tests.declarations.factories import make_declaration

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# The segment before a path parameter names the object kind that fills it.
SIGNALS = (request_started, request_finished)
PATH_OBJECTS = {"declarations": "declaration", "webhooks": "webhook"}


@pytest.fixture
def fuzz_key(db, settings) -> str:
    """A broker's key, and rates no fuzzing run reaches."""
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"api_key": "100000/min", "organisation": None}
    }
    broker = OrganisationFactory(slug="fuzz-broker", kind="broker")
    return ApiKeyFactory.issue(organisation=broker)


@pytest.fixture
def existing_ids(fuzz_key) -> dict[str, list[int]]:
    from accounts.models import ApiKey, WebhookEndpoint
    from accounts.services import hash_api_key

    organisation = ApiKey.objects.get(key_hash=hash_api_key(fuzz_key)).organisation
    declarations = [
        make_declaration(organisation=organisation, lrn=f"FUZZ-{n}", hawb=f"FUZZ{n}")
        for n in range(2)
    ]
    webhook = WebhookEndpoint.objects.create(
        organisation=organisation,
        url="https://fuzz.example/hook",
        events=["accepted"],
        secret="whsec-fuzz",
    )
    return {
        "declaration": [d.pk for d in declarations],
        "webhook": [webhook.pk],
    }


@pytest.fixture
def api_schema(existing_ids, fuzz_key):
    # As Django's test client does: closing the connection around each request
    # would end the test's transaction.
    for signal in SIGNALS:
        signal.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    except BaseException:
        for signal in SIGNALS:
            signal.connect(close_old_connections)
        raise

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        """Half of the generated ids are replaced by ids that exist."""
        if not path_parameters:
            return st.just(path_parameters)
        path = context.operation.path
        segments = path.strip("/").split("/")
        choices = [path_parameters]
        for name in path_parameters:
            if "{" + name + "}" not in segments:
                continue
            index = segments.index("{" + name + "}")
            kind = PATH_OBJECTS.get(segments[index - 1])
            for pk in existing_ids.get(kind, []):
                choices.append(path_parameters | {name: pk})
        return st.sampled_from(choices)

    schema.config.update(headers={"Authorization": f"Token {fuzz_key}"})
    yield schema
    for signal in SIGNALS:
        signal.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@pytest.mark.django_db
@hypothesis.settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@schema.parametrize()
def test_api_answers_every_generated_request_within_its_schema(case, fuzz_key):
    """No 5xx, no status or body the schema does not declare, on any operation."""
    case.call_and_validate(
        headers={"Authorization": f"Token {fuzz_key}"}, checks=CHECKS
    )


def test_schema_hook_documents_idempotency_throttling_and_problems(db):
    """With portal.middleware.api_schema_hook, the schema tells what the API does."""
    from drf_spectacular.generators import SchemaGenerator

    from portal.middleware import api_schema_hook

    schema = api_schema_hook(
        SchemaGenerator().get_schema(request=None, public=True), None, None, True
    )
    create = schema["paths"]["/api/v1/declarations/"]["post"]
    headers = {p["name"] for p in create["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
    assert {"409", "429"} <= create["responses"].keys()
    assert "Retry-After" in create["responses"]["429"]["headers"]
    assert list(create["responses"]["400"]["content"]) == ["application/problem+json"]
    detail = schema["paths"]["/api/v1/declarations/{id}/"]["get"]
    assert "304" in detail["responses"]


def test_errors_are_json_where_csv_was_asked_for(api):
    """Fuzzing found a 404 under ?format=csv rendered as a Python repr."""
    response = api.get("/api/v1/manifests/999999999/issues/?format=csv")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_unknown_api_paths_answer_problem_json_to_every_method(db):
    """A POST to a path that does not exist is a problem+json 404, not HTML."""
    client = Client(enforce_csrf_checks=True)  # as a broker's system sends it
    for method in ("GET", "POST", "PATCH", "DELETE"):
        response = client.generic(method, "/api/v1/webhooks/deliveries/-1/replay/")
        assert response.status_code == 404, method
        assert response["Content-Type"] == "application/problem+json", method
