"""The shipper's declaration pages (server-rendered, htmx for the live parts)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from accounts.errors import ApplicationError
from accounts.models import Organisation
from declarations import selectors, services
from declarations.forms import DeclarationHeaderForm, GoodsItemForm
from declarations.models import Declaration, DocumentKind, Status
from declarations.services.documents import document_upload


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def organisation_of(request: HttpRequest) -> Organisation:
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.organisation.is_customs:
        # Officers work in the admin; a user without organisation has no declarations.
        raise PermissionDenied("Your account files no declarations.")
    return membership.organisation


def _declaration(request: HttpRequest, pk: int) -> Declaration:
    return selectors.declaration_detail(organisation=organisation_of(request), pk=pk)


def _issues_by_field(declaration: Declaration) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for issue in declaration.issues.all():
        if issue.item_id is None:
            grouped.setdefault(issue.field, []).append(issue)
    return grouped


def _page_context(declaration: Declaration, **extra) -> dict:
    form = DeclarationHeaderForm(
        initial=DeclarationHeaderForm.initial_for(declaration), declaration=declaration
    )
    issues = _issues_by_field(declaration)
    sections = [
        (title, [(form[name], issues.get(name, [])) for name in names])
        for title, names in DeclarationHeaderForm.SECTIONS
    ]
    known = {name for _, names in DeclarationHeaderForm.SECTIONS for name in names}
    return {
        "declaration": declaration,
        "sections": sections,
        "other_issues": [
            i for f, group in issues.items() if f not in known for i in group
        ],
        "item_form": GoodsItemForm(),
        "document_kinds": DocumentKind.choices,
        **extra,
    }


@login_required
@require_GET
def declaration_list(request: HttpRequest) -> HttpResponse:
    declarations = selectors.declaration_list(
        organisation=organisation_of(request),
        status=request.GET.get("status", ""),
        manifest=request.GET.get("manifest", ""),
    ).order_by("-created_at")[:200]
    return render(
        request,
        "declarations/list.html",
        {
            "declarations": declarations,
            "statuses": Status.choices,
            "status_filter": request.GET.get("status", ""),
        },
    )


@login_required
@require_POST
def declaration_new(request: HttpRequest) -> HttpResponse:
    declaration = services.declaration_create_draft(
        organisation=organisation_of(request), by=request.user
    )
    return redirect("declarations:detail", pk=declaration.pk)


@login_required
@require_GET
def declaration_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    return render(request, "declarations/detail.html", _page_context(declaration))


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
        refresh = (
            name == "mawb"
            and refreshed.consignment.shipment_id != before
            and bool(
                refreshed.consignment.shipment
                and refreshed.consignment.shipment.flight_number
            )
        )
        declaration = refreshed
    except ValidationError as exc:
        error = " ".join(
            exc.message_dict.get(name, [])
            if hasattr(exc, "error_dict")
            else exc.messages
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
    return render(
        request,
        "declarations/_field.html",
        {
            "declaration": declaration,
            "field": bound[name],
            "error": error,
            "saved": not error,
        },
    )


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
    return render(
        request,
        "declarations/_items.html",
        {"declaration": declaration, "item_form": form, "items_error": error},
    )


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
@require_POST
def document_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    declaration = _declaration(request, pk)
    upload = request.FILES.get("file")
    error = ""
    if upload is None:
        error = "Choose a file to upload."
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
