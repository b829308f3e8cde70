"""The OpenAPI schema, and schemathesis over it: every operation, called in-process through the WSGI
handler with a valid read-write key, never answers with a server error or with a response (status,
content type or body) its schema does not describe.

Bounded for CI on two cores: a fixed number of derandomized examples per operation. Path ids are mostly
the tenant's real ones (a random id would only ever test the 404).
"""

from __future__ import annotations

import os
import random

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from helpdesk.tests.api_support import key_for, tenant_world

EXAMPLES_PER_OPERATION = int(os.environ.get("API_FUZZ_EXAMPLES", "10"))


def test_the_schema_is_openapi_3_and_documents_the_api(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/conversations/" in schema["paths"]
    assert "/api/v1/webhooks/{webhook_id}/deliveries/" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) == {"apiKey", "agentSession"}
    listing = schema["paths"]["/api/v1/conversations/"]["get"]
    assert {"cursor", "limit", "status", "reason", "bot", "contact"} <= {
        p["name"] for p in listing["parameters"]
    }
    assert listing["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_the_docs_page_is_served_from_local_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/schema/" in page
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page
    assert "cdn.jsdelivr.net" not in page


# Loaded once, at collection (drawing the schema touches no database); the rows a test names are per test.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
ROWS: dict[str, int] = {}
rng = random.Random(7)


@schema.hook
def map_path_parameters(context, path_parameters):
    """Three times in four, name a row that exists, so operations get past their lookup."""
    for name in path_parameters or {}:
        if name in ROWS and rng.random() < 0.75:
            path_parameters[name] = ROWS[name]
    return path_parameters


@pytest.fixture
def fuzz_key(db, settings, make_tenant, make_bot, make_agent):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    world = tenant_world(make_tenant("acme"), make_bot, make_agent)
    tenant_world(make_tenant("globex"), make_bot, make_agent)
    ROWS.clear()
    ROWS.update(world.ids)
    # Called straight, the WSGI handler closes the database connection after each request, and the
    # test's transaction with it; Django's test client keeps it open the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield key_for(world.tenant)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        ROWS.clear()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_its_schema(case, fuzz_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_key}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
