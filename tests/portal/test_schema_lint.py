"""The OpenAPI schema is valid (openapi-spec-validator) and lints clean under
Redocly CLI's recommended-strict rules (redocly.yaml says which two are off)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[2]
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"


def api_schema() -> dict:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def redocly_command() -> list[str]:
    """The pinned Redocly CLI (npm ci), else npx; skipped only outside CI."""
    if REDOCLY.exists():
        return [str(REDOCLY)]
    if shutil.which("npx"):
        version = json.loads((ROOT / "package.json").read_text())["devDependencies"]
        return ["npx", "--yes", f"@redocly/cli@{version['@redocly/cli']}"]
    if os.environ.get("CI"):
        pytest.fail("CI needs npx or `npm ci` for the schema lint")
    pytest.skip("neither `npm ci` nor npx: the schema lint needs Node")


@pytest.mark.django_db
def test_schema_is_valid_and_lints_clean(tmp_path):
    schema = api_schema()
    validate(schema)  # raises on the first error
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    result = subprocess.run(
        [*redocly_command(), "lint", str(path), "--config", str(ROOT / "redocly.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"REDOCLY_TELEMETRY": "off", "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_schema_says_what_generated_clients_need():
    """Errors are problem+json with the one Problem; each operation is described
    and tagged; nullable objects are 3.1 `oneOf` with null."""
    schema = api_schema()
    assert schema["openapi"].startswith("3.1") and schema["servers"]
    assert list(schema["components"]["schemas"])[:2] == ["Problem", "FieldError"]
    assert "WebhookProblem" not in schema["components"]["schemas"]
    tags = {tag["name"] for tag in schema["tags"]}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation.get("description"), where
            assert set(operation["tags"]) <= tags, where
            for code, response in operation["responses"].items():
                if code >= "400":
                    assert list(response["content"]) == ["application/problem+json"]
                    assert response["content"]["application/problem+json"] == {
                        "schema": {"$ref": "#/components/schemas/Problem"}
                    }, where
            names = {p["name"] for p in operation.get("parameters", [])}
            assert "Accept-Language" in names, where
            if method == "get":
                assert "ETag" in operation["responses"]["200"]["headers"], where
            else:
                assert "Retry-After" in operation["responses"]["429"]["headers"]
    computation = schema["components"]["schemas"]["DeclarationOutput"]["properties"][
        "computation"
    ]
    assert {"type": "null"} in computation["oneOf"]
