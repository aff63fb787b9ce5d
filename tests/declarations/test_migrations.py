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


def test_existing_officers_become_the_operator_who_verifies_eoris():
    """A deployment's officer group gains the right to see organisations, verify
    their EORI and read the audit log."""
    verify = importlib.import_module(
        "declarations.migrations.0009_officers_verify_organisations"
    ).grant
    group = Group.objects.create(name="Customs officers")
    verify(apps, None)
    assert set(group.permissions.values_list("codename", flat=True)) == {
        "view_organisation",
        "verify_organisation",
        "view_auditentry",
    }
