"""The rule book's messages are written in the language of whoever filed.

The language active where a declaration is submitted or a manifest uploaded
(the page's, or the API request's Accept-Language) travels with the Celery
task; the worker writes the issues in it. French is shipped in
locale/fr/LC_MESSAGES.
"""

import json

import pytest
from django.utils import translation

from declarations.models import Status, ValidationIssue
from declarations.services import declaration_submit
from declarations.services.manifests import manifest_submit
from declarations.tasks import validate_declaration
from shipments.models import ManifestIssue
from tests.declarations.factories import h7_payload, make_declaration
from tests.declarations.manifests import manifest_csv, row, upload_file
from tests.declarations.test_worker import (  # noqa: F401 (a fixture)
    APPS,
    celery_worker_process,
    wait_for,
)

# HS chapter 77 is reserved: the rule book refuses it with HS-EXISTS.
MYSTERY = [
    {
        "description": "Mystery goods",
        "hs_code": "770100",
        "origin_country": "CN",
        "quantity": 1,
        "item_value": "10.00",
    }
]
ENGLISH = (
    "HS code 770100 is not in the nomenclature in force (chapter 77 is reserved "
    "and unused): look the goods up in the HS search and use an existing "
    "subheading."
)
FRENCH = (
    "Le code SH 770100 ne figure pas dans la nomenclature en vigueur (le chapitre "
    "77 est réservé et inutilisé)\u00a0: recherchez les marchandises dans la "
    "recherche SH et utilisez une sous-position existante."
)


@pytest.fixture(autouse=True)
def language_restored():
    """Requests activate a language in this thread; put the default back after."""
    with translation.override("en"):
        yield


@pytest.fixture
def tasks_run_here():
    """Queued tasks run in this process at once (Celery's eager mode)."""
    conf = validate_declaration.app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = before


def hs_message(declaration) -> str:
    return ValidationIssue.objects.get(
        declaration=declaration, code="HS-EXISTS"
    ).message


@pytest.mark.django_db
def test_declaration_submitted_in_french_is_answered_in_french(
    shipper, tasks_run_here, django_capture_on_commit_callbacks
):
    declaration = make_declaration(organisation=shipper, items=MYSTERY)
    with (
        translation.override("fr"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        declaration_submit(declaration=declaration, by=None)
    declaration.refresh_from_db()
    assert declaration.status == Status.REJECTED
    assert hs_message(declaration) == FRENCH


@pytest.mark.django_db
def test_the_task_writes_in_its_language_argument_whatever_the_worker_speaks(
    shipper,
):
    """A worker has no request: the language comes from the task's arguments, and
    a task queued without one (before languages existed) writes English."""
    french, english = (
        declaration_submit(
            declaration=make_declaration(
                organisation=shipper, items=MYSTERY, lrn=lrn, hawb=lrn
            ),
            by=None,
        )
        for lrn in ("I18N-FR", "I18N-OLD")
    )
    with translation.override("nl"):
        validate_declaration.apply((french.pk,), {"language": "fr"}).get()
        validate_declaration.apply((english.pk,)).get()
    assert hs_message(french) == FRENCH
    assert hs_message(english) == ENGLISH


@pytest.mark.django_db
def test_api_answers_in_english_unless_the_broker_asks_for_french(
    api, tasks_run_here, django_capture_on_commit_callbacks
):
    for lrn, headers in (("API-FR", {"HTTP_ACCEPT_LANGUAGE": "fr"}), ("API-EN", {})):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                "/api/v1/declarations/",
                data=json.dumps(h7_payload(lrn=lrn, hawb=lrn, items=MYSTERY)),
                content_type="application/json",
                **headers,
            )
        assert response.status_code == 201, response.content
    issues = dict(
        ValidationIssue.objects.filter(code="HS-EXISTS").values_list(
            "declaration__lrn", "message"
        )
    )
    assert issues == {"API-FR": FRENCH, "API-EN": ENGLISH}


@pytest.mark.django_db
def test_manifest_uploaded_in_french_is_judged_in_french(
    shipper, tasks_run_here, django_capture_on_commit_callbacks, settings, tmp_path
):
    """The uploader's language reaches every chunk through the task arguments,
    even though the tasks themselves run later, in another language."""
    settings.MEDIA_ROOT = tmp_path
    data = manifest_csv([row("FR0001", hs_code="770100"), row("FR0002")])
    with django_capture_on_commit_callbacks() as queued:
        with translation.override("fr"):
            manifest, _ = manifest_submit(
                organisation=shipper, upload=upload_file(data), by=None
            )
    with translation.override("en"):
        for queue in queued:
            queue()
    manifest.refresh_from_db()
    assert manifest.status == "done", manifest.error
    issue = ManifestIssue.objects.get(manifest=manifest, code="HS-EXISTS")
    assert (issue.hawb, issue.message) == ("FR0001", FRENCH)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, available_apps=APPS)
def test_real_worker_writes_the_filers_language(
    shipper,
    celery_worker_process,  # noqa: F811
):
    """Submitted with French active, validated by a real worker process."""
    declaration = make_declaration(organisation=shipper, items=MYSTERY)
    with translation.override("fr"):
        declaration_submit(declaration=declaration, by=None)
    declaration = wait_for(declaration, {Status.ACCEPTED, Status.REJECTED})
    assert declaration.status == Status.REJECTED, celery_worker_process.read_text()
    assert hs_message(declaration) == FRENCH
