"""Hostile input on every surface: no page, API endpoint or admin view answers 5xx.

Every operation of the OpenAPI schema gets NUL bytes in its query parameters
and body, a body nested 10,000 levels deep, a body over the size limit, values
of the wrong type and bodies of the wrong content type. Every page of the URL
configuration (and every admin list) gets NUL bytes and values of the wrong
type in its query string, and every form found on it is posted back with NUL
bytes, wrong types, oversized values and the wrong content type.
"""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from accounts.models import WebhookEndpoint
from declarations.models import Document
from shipments.models import Manifest
from tests.accounts.factories import ApiKeyFactory, MembershipFactory
from tests.declarations.factories import make_declaration, make_officer

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NUL = "\x00"
DEEP = "[" * 10_000 + "]" * 10_000
WRONG_VALUES = ("abc", "-1", "9" * 40, "1e999", "", "x" * 5000)
HUGE = "x" * 100_000
# URL segments before an id, and the object kind that fills it.
ID_KINDS = {"declarations": "declaration", "manifests": "manifest",
            "webhooks": "webhook", "documents": "document"}  # fmt: skip
# Pages whose POST would end the fuzzing client's session.
SKIPPED_PAGES = ("accounts/logout/",)


def _json_body_variants(properties: list[str]) -> list[tuple[str, bytes]]:
    """(content type, body) pairs a JSON endpoint must answer below 500."""
    too_big = b'{"x": "' + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    names = properties or ["x"]
    wrong = [
        {name: NUL for name in names},
        {name: 10**30 for name in names},
        {name: [{"a": NUL}] for name in names},
        {name: {"nested": [1, 2]} for name in names},
        {name: True for name in names},
        {name: HUGE for name in names},
    ]
    return [
        ("application/json", DEEP.encode()),
        ("application/json", ('{"a":' * 10_000 + "1" + "}" * 10_000).encode()),
        ("application/json", too_big),
        ("application/json", b"[]"),
        ("application/json", b'"just a string"'),
        ("application/json", b"null"),
        ("application/json", b"{not json"),
        ("application/json", b"\x00\xff\xfe"),
        *(("application/json", json.dumps(body).encode()) for body in wrong),
        ("text/plain", b"hello\x00"),
        ("application/xml", b"<a>\x00</a>"),
        ("application/x-www-form-urlencoded", urlencode({n: NUL for n in names})),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nbroken\x00"),
        ("multipart/form-data", b"no boundary"),
    ]


def _request_properties(schema: dict, operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        ref = media.get("schema", {}).get("$ref", "")
        component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
        return list(component.get("properties", {}))
    return []


def _fill(path: str, ids: dict[str, int]) -> str:
    """The path with each parameter filled by an existing object's id."""
    segments = path.strip("/").split("/")
    filled = []
    for n, segment in enumerate(segments):
        if segment.startswith("{") or segment.startswith("<"):
            kind = ID_KINDS.get(segments[n - 1], "")
            segment = str(ids.get(kind, 1))
        filled.append(segment)
    return "/" + "/".join(filled) + "/"


@pytest.fixture
def world(shipper, broker, settings, tmp_path):
    """A shipper's and a broker's objects of every kind, for the path ids."""
    settings.MEDIA_ROOT = tmp_path
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"api_key": "100000/min", "organisation": None}
    }
    shipper_user = MembershipFactory(organisation=shipper).user
    declaration = make_declaration(organisation=broker)
    own = make_declaration(organisation=shipper, lrn="FUZZ-OWN", hawb="FUZZOWN")
    webhook = WebhookEndpoint.objects.create(
        organisation=broker, url="https://fuzz.example/hook",
        events=["accepted"], secret="whsec-fuzz",
    )  # fmt: skip
    manifest = Manifest.objects.create(
        organisation=broker, original_name="m.csv", size=1, sha256="0" * 64
    )
    document = Document.objects.create(
        declaration=own, kind="commercial_invoice", file="documents/none.pdf",
        original_name="none.pdf", size=1, outcome="refused",
    )  # fmt: skip
    return {
        "key": ApiKeyFactory.issue(organisation=broker),
        "shipper_user": shipper_user,
        "api_ids": {"declaration": declaration.pk, "webhook": webhook.pk,
                    "manifest": manifest.pk},
        "page_ids": {"declaration": own.pk, "manifest": manifest.pk,
                     "document": document.pk},
    }  # fmt: skip


class Failures(list):
    def check(self, response, what: str) -> None:
        if response.status_code >= 500:
            self.append(f"{response.status_code} {what}")


def test_no_api_operation_answers_5xx_to_hostile_input(world):
    client = Client(HTTP_AUTHORIZATION=f"Token {world['key']}")
    client.raise_request_exception = False
    schema = SchemaGenerator().get_schema(request=None, public=True)
    failures = Failures()
    operations = 0
    for path, item in schema["paths"].items():
        url = _fill(path, world["api_ids"])
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            operations += 1
            names = [p["name"] for p in operation.get("parameters", [])
                     if p.get("in") == "query"] or ["q"]  # fmt: skip
            for value in (NUL, *WRONG_VALUES):
                query = urlencode({n: value for n in names})
                response = client.generic(method.upper(), f"{url}?{query}")
                failures.check(response, f"{method} {url}?{query[:60]}")
            if method in ("post", "put", "patch"):
                properties = _request_properties(schema, operation)
                for content_type, body in _json_body_variants(properties):
                    response = client.generic(
                        method.upper(), url, body, content_type=content_type
                    )
                    failures.check(
                        response, f"{method} {url} {content_type} {body[:30]!r}"
                    )
    assert operations >= 15
    assert not failures, "\n".join(failures)


class _Forms(HTMLParser):
    """The forms of a page: (method, action, field names)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                ((attrs.get("method") or "get").lower(), attrs.get("action") or "",
                 set())
            )  # fmt: skip
        elif tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if self.forms:
                self.forms[-1][2].add(attrs["name"])
        for name in ("hx-post", "hx-get"):
            if attrs.get(name):
                fields = {attrs["name"]} if attrs.get("name") else set()
                self.forms.append((name[3:], attrs[name], fields))


def _page_routes() -> list[str]:
    """Every page's route of the URL configuration (not the API or the admin)."""
    routes = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                routes.append(route)

    walk(get_resolver().url_patterns, "")
    return [
        r for r in dict.fromkeys(routes)
        if not r.startswith(("api/", "^api/", "admin/", "i18n/", "^"))
        and r not in SKIPPED_PAGES
    ]  # fmt: skip


def _page_url(route: str, ids: dict[str, int]) -> str:
    route = route.replace("<str:format>", "csv").replace("<str:name>", "lrn")
    route = route.replace("<str:role>", "consignee").replace("<int:line>", "1")
    route = re.sub(r"<int:document_pk>", str(ids["document"]), route)
    return _fill(route, ids).replace("//", "/") if "<" in route else "/" + route


def _post_variants(fields: set[str]) -> list[tuple[str, object]]:
    names = sorted(fields) or ["x"]
    form = "application/x-www-form-urlencoded"
    return [
        (form, urlencode({n: NUL for n in names})),
        (form, urlencode({n: HUGE for n in names})),
        (form, urlencode({n: "9" * 40 for n in names})),
        (form, urlencode(dict.fromkeys(names, "abc"))),
        ("application/json", DEEP),
    ]


def test_no_page_or_form_answers_5xx_to_hostile_input(world):
    user = world["shipper_user"]
    officer = make_officer()
    failures = Failures()
    pages = 0
    for route in _page_routes():
        url = _page_url(route, world["page_ids"])
        for who in (user, officer, None):
            client = Client()
            client.raise_request_exception = False
            if who is not None:
                client.force_login(who)
            for query in ({"q": NUL}, {"q": "x", "status": "abc", "page": "abc",
                          "created_after": "abc", "manifest": "9" * 30,
                          "severity": "abc", "code": HUGE[:3000]}):  # fmt: skip
                response = client.get(url, query)
                failures.check(response, f"GET {url} {list(query)} as {who}")
            response = client.get(url)
            failures.check(response, f"GET {url} as {who}")
            pages += 1
            parser = _Forms()
            if "html" in response.get("Content-Type", ""):
                parser.feed(response.content.decode("utf-8", "replace"))
            targets = {(m, a or url, frozenset(f)) for m, a, f in parser.forms
                       if a.startswith("/") or not a}  # fmt: skip
            targets.add(("post", url, frozenset()))
            for method, action, fields in sorted(targets, key=str):
                if any(action.startswith("/" + s) for s in SKIPPED_PAGES):
                    continue
                for content_type, body in _post_variants(set(fields)):
                    response = client.generic(
                        method.upper(), action, body, content_type=content_type,
                        HTTP_HX_REQUEST="true",
                    )  # fmt: skip
                    failures.check(
                        response, f"{method} {action} {content_type} as {who}"
                    )
    assert pages >= 60
    assert not failures, "\n".join(failures)


def test_no_admin_list_or_view_answers_5xx_to_hostile_input(world, officer):
    superuser = MembershipFactory(organisation=officer.membership.organisation).user
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    failures = Failures()
    for who in (officer, superuser):
        client = Client()
        client.raise_request_exception = False
        client.force_login(who)
        for model in admin.site._registry:
            opts = model._meta
            base = f"/admin/{opts.app_label}/{opts.model_name}/"
            bad = {"organisation": "abc", "shipment": "abc", "manifest": "abc",
                   "o": "abc", "p": "abc", "queue": "abc", "assigned": "abc",
                   "reason": NUL[:0] + "abc", "age": "abc"}  # fmt: skip
            for url, query in (
                (base, {"q": NUL}),
                (base, bad),
                (base, {"q": HUGE[:3000]}),
                (f"{base}abc/change/", {}),
                (f"{base}99999999999999999999/change/", {}),
                (f"{base}{NUL}/change/", {}),
            ):
                response = client.get(url, query)
                failures.check(response, f"GET {url} {list(query)} as {who}")
            response = client.post(base, {"action": NUL, "_selected_action": "abc"})
            failures.check(response, f"POST {base} as {who}")
    assert not failures, "\n".join(failures)
