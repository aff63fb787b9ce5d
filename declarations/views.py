"""The shipper's declaration pages (server-rendered, htmx for the live parts)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event
from django_htmx.middleware import HtmxDetails

from accounts.errors import ApplicationError
from accounts.models import Organisation
from declarations import exports, selectors, selectors_pages, services
from declarations.document_files import document_file_response
from declarations.forms import (
    TYPE_GUIDE,
    DeclarationFilterForm,
    DeclarationHeaderForm,
    GoodsItemForm,
    NewDeclarationForm,
)
from declarations.models import (
    Declaration,
    DocumentKind,
    Notification,
    Status,
)
from declarations.services.documents import document_upload
from reference.selectors import hs_search

# The estimate panel listens for this event; saving a field or an item sends it.
ESTIMATE_CHANGED = "estimate-changed"
PAGE_SIZE = 25
# Statuses an officer decides, whose reasons are messages to the declarant.
OFFICER_STATUSES = (
    Status.RELEASED, Status.HELD, Status.REFUSED, Status.DOCUMENTS_REQUESTED,
    Status.INVALIDATED, Status.UNDER_REVIEW,
)  # fmt: skip


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def organisation_of(request: HttpRequest) -> Organisation:
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.organisation.is_customs:
        # Officers work in the admin; a user without organisation has no declarations.
        raise PermissionDenied(_("Your account files no declarations."))
    return membership.organisation


def _declaration(request: HttpRequest, pk: int) -> Declaration:
    return selectors.declaration_detail(organisation=organisation_of(request), pk=pk)


def _issues_by_field(declaration: Declaration) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for issue in declaration.trader_view.issues:
        if issue.item_id is None:
            grouped.setdefault(issue.field, []).append(issue)
    return grouped


def _page_context(declaration: Declaration, **extra) -> dict:
    form = DeclarationHeaderForm(
        initial=DeclarationHeaderForm.initial_for(declaration), declaration=declaration
    )
    issues = _issues_by_field(declaration)
    sections = [
        {
            "key": key,
            "title": title,
            "intro": intro,
            "fields": [(form[name], issues.get(name, [])) for name in names],
            "before_goods": key in DeclarationHeaderForm.BEFORE_GOODS,
        }
        for key, title, intro, names in DeclarationHeaderForm.sections_for(
            declaration.type
        )
    ]
    shown = {name for section in sections for name, _i in _names(section)}
    return {
        "declaration": declaration,
        "sections": sections,
        "type_guide": TYPE_GUIDE.get(declaration.type, ""),
        "all_issues": _issue_links(declaration, shown),
        "other_issues": [
            i for f, group in issues.items() if f not in shown for i in group
        ],
        "officer_messages": [
            change
            for change in declaration.trader_view.status_history
            if change.reason and change.to_status in OFFICER_STATUSES
        ],
        "estimate": selectors_pages.declaration_estimate(declaration),
        "item_form": GoodsItemForm(),
        "document_kinds": DocumentKind.choices,
        **extra,
    }


def _names(section: dict):
    return [(field.name, issues) for field, issues in section["fields"]]


def _issue_links(declaration: Declaration, shown: set[str]) -> list[tuple]:
    """Each issue with the page anchor of what it is about, or "" when none."""
    links = []
    for issue in declaration.trader_view.issues:
        if issue.item_id is not None:
            anchor = f"item-{issue.item.line}"
        elif issue.field in shown:
            anchor = f"id_{issue.field}"
        elif issue.field == "items":
            anchor = "items"
        else:
            anchor = ""
        links.append((issue, anchor))
    return links


def _filtered(request: HttpRequest) -> tuple[DeclarationFilterForm, object]:
    """The filter form and the organisation's declarations it selects."""
    form = DeclarationFilterForm(data=request.GET)
    organisation = organisation_of(request)
    if not form.is_valid():
        # Filter by what is valid; the form shows why the rest is ignored.
        data = {
            name: form.cleaned_data.get(name)
            for name in form.fields
            if name not in form.errors
        }
    else:
        data = form.cleaned_data
    declarations = selectors_pages.declaration_search(
        organisation=organisation,
        status=data.get("status") or "",
        type=data.get("type") or "",
        created_from=data.get("created_from"),
        created_to=data.get("created_to") if "created_to" not in form.errors else None,
        text=data.get("q") or "",
        manifest=data.get("manifest"),
    )
    return form, declarations


@login_required
@require_GET
def declaration_list(request: HttpRequest) -> HttpResponse:
    form, declarations = _filtered(request)
    page = Paginator(declarations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "declarations/list.html",
        {
            "filter_form": form,
            "page": page,
            "declarations": page.object_list,
            "filtered": any(request.GET.get(name) for name in form.fields),
            "new_form": NewDeclarationForm(),
        },
    )


@login_required
@require_GET
def declaration_export(request: HttpRequest, format: str) -> HttpResponse:
    """The filtered list as CSV (streamed) or XLSX (up to XLSX_ROW_LIMIT rows)."""
    _form, declarations = _filtered(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if format == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(declarations), content_type="text/csv; charset=utf-8"
        )
    elif format == "xlsx":
        if declarations.count() > exports.XLSX_ROW_LIMIT:
            messages.error(
                request,
                _(
                    "More than %(limit)s declarations match: narrow the filters "
                    "or export to CSV, which has no limit."
                )
                % {"limit": exports.XLSX_ROW_LIMIT},
            )
            return redirect(reverse("declarations:list") + _query(request))
        response = HttpResponse(
            exports.xlsx_bytes(declarations),
            content_type="application/vnd.openxmlformats-officedocument"
            ".spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = (
        f'attachment; filename="declarations-{stamp}.{format}"'
    )
    return response


def _query(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return f"?{query}" if query else ""


@login_required
def declaration_new(request: HttpRequest) -> HttpResponse:
    """Choose the type (GET shows the choice) and start a draft (POST)."""
    organisation = organisation_of(request)
    form = NewDeclarationForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        declaration = services.declaration_create_draft(
            organisation=organisation, by=request.user, type=form.cleaned_data["type"]
        )
        return redirect("declarations:detail", pk=declaration.pk)
    return render(request, "declarations/new.html", {"new_form": form})


@login_required
@require_GET
def declaration_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    notifications = declaration.notifications.filter(read_at__isnull=True)
    return render(
        request,
        "declarations/detail.html",
        _page_context(declaration, notifications=list(notifications)),
    )


@login_required
@require_GET
def declaration_status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The status panel, polled while validation runs; the whole form once it ends."""
    declaration = _declaration(request, pk)
    if request.htmx and not declaration.is_in_progress:
        # Issues now sit next to their fields all over the page: swap it all in.
        return _whole_declaration(request, declaration)
    return render(request, "declarations/_status.html", {"declaration": declaration})


def _whole_declaration(
    request: HttpRequest, declaration: Declaration, **extra
) -> HttpResponse:
    context = _page_context(declaration, **extra)
    response = render(request, "declarations/_declaration.html", context)
    return retarget(reswap(response, "outerHTML"), "#declaration")


@login_required
@require_POST
def declaration_field(request: HtmxHttpRequest, pk: int, name: str) -> HttpResponse:
    """Save one field as the user leaves it; answer with the field and its message."""
    declaration = _declaration(request, pk)
    form = DeclarationHeaderForm(data=request.POST, declaration=declaration)
    if name not in form.fields:
        return HttpResponse(status=404)
    error, refresh = "", False
    try:
        value = form.clean_one(name)
        before = declaration.consignment.shipment_id
        services.declaration_update_field(
            declaration=declaration, field=name, value=value, by=request.user
        )
        refreshed = _declaration(request, pk)
        # A new type changes the sections and their help: show them all.
        refresh = name == "type" or (
            name == "mawb"
            and refreshed.consignment.shipment_id != before
            and bool(
                refreshed.consignment.shipment
                and refreshed.consignment.shipment.flight_number
            )
        )
        declaration = refreshed
    except ValidationError as exc:
        # A change can be refused on another field (a new master AWB that
        # already holds this house AWB): say so rather than "Saved".
        error = " ".join(
            (exc.message_dict.get(name) if hasattr(exc, "error_dict") else None)
            or exc.messages
        )
    except ApplicationError as exc:
        error = exc.message
    if refresh and request.htmx:
        # Joining an existing master AWB brings its flight details: show them.
        return _whole_declaration(request, declaration, saved_field=name)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("declarations:detail", pk=pk)
    # On error the value typed stays beside the message: nothing is lost.
    bound = DeclarationHeaderForm(
        data=request.POST if error else None,
        initial=DeclarationHeaderForm.initial_for(declaration),
        declaration=declaration,
    )
    response = render(
        request,
        "declarations/_field.html",
        {
            "declaration": declaration,
            "field": bound[name],
            "error": error,
            "saved": not error,
        },
    )
    return response if error else trigger_client_event(response, ESTIMATE_CHANGED)


@login_required
@require_POST
def goods_item_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    form = GoodsItemForm(data=request.POST)
    if form.is_valid():
        try:
            services.goods_item_add(
                declaration=declaration, data=form.cleaned_data, by=request.user
            )
            form = GoodsItemForm()
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return _items_response(request, pk, form)


@login_required
@require_POST
def goods_item_remove(request: HtmxHttpRequest, pk: int, line: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    error = ""
    try:
        services.goods_item_remove(declaration=declaration, line=line, by=request.user)
    except ApplicationError as exc:
        error = exc.message
    return _items_response(request, pk, GoodsItemForm(), error=error)


def _items_response(
    request: HtmxHttpRequest, pk: int, form: GoodsItemForm, error: str = ""
) -> HttpResponse:
    declaration = _declaration(request, pk)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("declarations:detail", pk=pk)
    response = render(
        request,
        "declarations/_items.html",
        {"declaration": declaration, "item_form": form, "items_error": error},
    )
    return trigger_client_event(response, ESTIMATE_CHANGED)


@login_required
@require_POST
def declaration_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    error = ""
    try:
        services.declaration_submit(declaration=declaration, by=request.user)
    except ApplicationError as exc:
        error = exc.message
    if request.htmx:
        return _whole_declaration(
            request, _declaration(request, pk), submit_error=error
        )
    if error:
        messages.error(request, error)
    return redirect("declarations:detail", pk=pk)


def _documents_response(
    request: HtmxHttpRequest, pk: int, error: str = ""
) -> HttpResponse:
    declaration = _declaration(request, pk)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("declarations:detail", pk=pk)
    return render(
        request,
        "declarations/_documents.html",
        {"declaration": declaration, "document_kinds": DocumentKind.choices,
         "document_error": error},
    )  # fmt: skip


@login_required
@require_GET
def documents(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The documents panel, polled while a check runs."""
    return _documents_response(request, pk)


@login_required
@require_GET
def document_file(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """One of the declaration's documents: shown in the browser, or downloaded."""
    declaration = _declaration(request, pk)
    document = get_object_or_404(declaration.documents, pk=document_pk)
    return document_file_response(document, download="download" in request.GET)


@login_required
@require_POST
def document_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    upload = request.FILES.get("file")
    error = ""
    if upload is None:
        error = _("Choose a file to upload.")
    else:
        try:
            document_upload(
                declaration=declaration,
                kind=request.POST.get("kind", ""),
                file=upload,
                by=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except ApplicationError as exc:
            error = exc.message
    return _documents_response(request, pk, error)


@login_required
@require_GET
def declaration_estimate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The estimate panel, refreshed after each saved field or item."""
    declaration = _declaration(request, pk)
    return render(
        request,
        "declarations/_estimate.html",
        {
            "declaration": declaration,
            "estimate": selectors_pages.declaration_estimate(declaration),
        },
    )


@login_required
@require_GET
def party_search(request: HtmxHttpRequest, pk: int, role: str) -> HttpResponse:
    """Saved consignors or consignees whose name holds what is typed."""
    declaration = _declaration(request, pk)
    if role not in selectors_pages.PARTY_ROLES:
        raise Http404
    text = request.GET.get(f"{role}_name", "")
    parties = selectors_pages.saved_parties(
        organisation=declaration.organisation,
        role=role,
        text=text,
        exclude_consignment=declaration.consignment_id,
    )
    response = render(
        request,
        "declarations/_party_suggestions.html",
        {"declaration": declaration, "role": role, "parties": parties, "text": text},
    )
    # Nothing to offer leaves the panel :empty, so it takes no room in the grid.
    response.content = response.content.strip()
    return response


@login_required
@require_POST
def party_apply(request: HtmxHttpRequest, pk: int, role: str) -> HttpResponse:
    """Fill a whole address block from a party used on an earlier declaration."""
    declaration = _declaration(request, pk)
    source = request.POST.get("consignment", "")
    party = (
        selectors_pages.saved_party(
            organisation=declaration.organisation,
            role=role,
            consignment_id=int(source),
        )
        if source.isdigit()
        else None
    )
    if party is None:
        raise Http404
    error = ""
    try:
        # All the block or nothing: a refused value leaves the party as it was.
        with transaction.atomic():
            for field, value in party.values.items():
                services.declaration_update_field(
                    declaration=declaration, field=field, value=value, by=request.user
                )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except ApplicationError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("declarations:detail", pk=pk)
    return _whole_declaration(
        request,
        _declaration(request, pk),
        party_error=error,
        party_applied="" if error else role,
    )


@login_required
@require_GET
def hs_code_search(request: HtmxHttpRequest) -> HttpResponse:
    """HS subheadings whose code starts with, or description holds, what is typed."""
    organisation_of(request)
    text = request.GET.get("hs_code", request.GET.get("q", "")).strip()[:100]
    results = []
    if len(text) >= 2:
        results = list(
            hs_search(text=text, on=timezone.localdate(), level=6).order_by("code")[:15]
        )
    response = render(
        request, "declarations/_hs_results.html", {"results": results, "text": text}
    )
    response.content = response.content.strip()
    return response


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    organisation = organisation_of(request)
    page = Paginator(
        selectors_pages.notifications_of(organisation=organisation), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "declarations/notifications.html",
        {"page": page, "notifications": page.object_list},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Mark one notification (or, without pk, all of them) as read."""
    unread = Notification.objects.filter(
        organisation=organisation_of(request), read_at__isnull=True
    )
    if pk is not None:
        unread = unread.filter(pk=pk)
    unread.update(read_at=timezone.now())
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("declarations:notifications")
