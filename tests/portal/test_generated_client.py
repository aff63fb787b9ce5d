"""A broker's integration: the Python client generated from /api/schema/ by
openapi-python-client, driving a live portal through a short broker flow."""

import importlib
import io
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from django.conf import settings as django_settings

from shipments.models import Manifest
from tests.accounts.factories import ApiKeyFactory, OrganisationFactory
from tests.declarations.factories import h7_payload
from tests.declarations.manifests import manifest_csv, process, row

# The live server needs committed rows; the flush after the test leaves the
# reference data (loaded once per test database) in place, as tests/browser do.
APPS = [app for app in django_settings.INSTALLED_APPS if app != "reference"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, available_apps=APPS),
]
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "portal_client"


@pytest.fixture
def portal_client(live_server, tmp_path):
    """The generated package, imported from a temporary folder."""
    schema = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    schema.raise_for_status()
    (tmp_path / "schema.json").write_bytes(schema.content)
    # No post-hooks: formatting the generated code with ruff is not needed.
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    generated = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(tmp_path / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # Any warning means a part of the schema the generator could not type.
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_a_broker_flow_through_the_generated_client(portal_client, live_server):
    from portal_client import AuthenticatedClient
    from portal_client.api.declarations import (
        declarations_bulk_create,
        declarations_create,
        declarations_retrieve,
    )
    from portal_client.api.manifests import (
        manifests_create,
        manifests_issues,
        manifests_issues_csv,
    )
    from portal_client.models import (
        BulkInputRequest,
        DeclarationInputRequest,
        DeclarationOutput,
        DeclarationStatusEnum,
        ManifestInputRequest,
        Problem,
    )
    from portal_client.types import File

    broker = OrganisationFactory(slug="generated-broker", kind="broker")
    client = AuthenticatedClient(
        base_url=live_server.url,
        token=ApiKeyFactory.issue(organisation=broker),
        prefix="Token",
        raise_on_unexpected_status=True,
    )

    # File one declaration and read it back.
    filed = declarations_create.sync_detailed(
        client=client, body=DeclarationInputRequest.from_dict(h7_payload(lrn="G-1"))
    )
    assert filed.status_code == 201 and isinstance(filed.parsed, DeclarationOutput)
    assert filed.parsed.computation is None
    read = declarations_retrieve.sync(client=client, id=filed.parsed.id)
    assert isinstance(read, DeclarationOutput) and read.lrn == "G-1"
    assert read.status == DeclarationStatusEnum.SUBMITTED

    # File three in one call.
    bulk = declarations_bulk_create.sync(
        client=client,
        body=BulkInputRequest(
            declarations=[
                DeclarationInputRequest.from_dict(
                    h7_payload(lrn=f"G-B{n}", hawb=f"GB{n}")
                )
                for n in range(3)
            ]
        ),
    )
    assert (bulk.created, bulk.invalid) == (3, 0)
    assert {r.status for r in bulk.results} == {DeclarationStatusEnum.SUBMITTED}

    # Upload a manifest, let it be processed, page its issues, read the CSV.
    rows = [row("GM1", hs_code="999999"), row("GM2", mawb="bad"), row("GM3")]
    upload = manifests_create.sync(
        client=client,
        body=ManifestInputRequest(
            file=File(
                payload=io.BytesIO(manifest_csv(rows)),
                file_name="manifest.csv",
                mime_type="text/csv",
            )
        ),
    )
    process(Manifest.objects.get(pk=upload.id))  # what the worker does
    first = manifests_issues.sync(client=client, id=upload.id, page_size=1)
    assert len(first.results) == 1 and first.next_
    cursor = parse_qs(urlparse(first.next_).query)["cursor"][0]
    second = manifests_issues.sync(
        client=client, id=upload.id, page_size=1, cursor=cursor
    )
    assert second.results[0].hawb != first.results[0].hawb
    text = manifests_issues_csv.sync(client=client, id=upload.id)
    assert text.splitlines()[0] == "row,hawb,code,severity,field,message"
    assert {line.split(",")[1] for line in text.splitlines()[1:]} == {"GM1", "GM2"}

    # Errors are one type: a 404 and a 400 both read as Problem.
    missing = declarations_retrieve.sync_detailed(client=client, id=999_999)
    assert missing.status_code == 404 and isinstance(missing.parsed, Problem)
    assert missing.parsed.status == 404
    invalid = declarations_create.sync_detailed(
        client=client,
        body=DeclarationInputRequest.from_dict(h7_payload(mawb="172-12345676")),
    )
    assert invalid.status_code == 400 and isinstance(invalid.parsed, Problem)
    assert [e.field for e in invalid.parsed.errors] == ["mawb"]
