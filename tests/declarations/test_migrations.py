"""Data migrations that change what users may do."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

pytestmark = pytest.mark.django_db

grant = importlib.import_module(
    "declarations.migrations.0008_officers_see_screening_and_documents"
).grant


def test_existing_officers_gain_sight_of_screening_matches_and_documents():
    """A deployment's officer group made before the workbench gets the two view
    permissions its declaration page needs; other permissions stay as they were."""
    group = Group.objects.create(name="Customs officers")
    decide = Permission.objects.get(codename="decide_declaration")
    group.permissions.add(decide)
    grant(apps, None)
    assert set(group.permissions.values_list("codename", flat=True)) == {
        "decide_declaration",
        "view_screeningmatch",
        "view_document",
    }


def test_a_new_database_without_the_group_is_left_alone():
    grant(apps, None)
    assert not Group.objects.filter(name="Customs officers").exists()


neutralise_module = importlib.import_module(
    "declarations.migrations.0010_manifest_issues_never_tip_off"
)


def test_manifest_issue_lists_written_before_no_longer_tip_off(shipper):
    """A parcel with a screening hit keeps its other findings and gets the
    neutral one in place of its risk findings; other parcels are untouched."""
    from django.db import connection

    from declarations.disclosure import NEUTRAL_CODE, neutral_reason
    from shipments.models import Manifest, ManifestIssue

    manifest = Manifest.objects.create(
        organisation=shipper, original_name="m.csv", size=1, sha256="0" * 64
    )
    for row, hawb, code in [
        (2, "H1", "RISK-SANCTIONS"),
        (3, "H1", "RISK-UNDERVALUE"),
        (2, "H1", "DQ-DESC"),
        (4, "H2", "RISK-UNDERVALUE"),
    ]:
        ManifestIssue.objects.create(
            manifest=manifest, row=row, hawb=hawb, code=code, severity="warning",
            field="", message=f"{code} on the OFAC list",
        )  # fmt: skip
    with connection.schema_editor() as editor:
        neutralise_module.neutralise(apps, editor)
    left = set(manifest.issues.values_list("hawb", "row", "code"))
    assert left == {
        ("H1", 2, NEUTRAL_CODE),
        ("H1", 2, "DQ-DESC"),
        ("H2", 4, "RISK-UNDERVALUE"),
    }
    assert manifest.issues.get(code=NEUTRAL_CODE).message == neutral_reason()
