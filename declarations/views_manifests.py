"""The forwarder's manifest pages: upload, progress, issues, CSV download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import ApplicationError
from declarations.pipeline import manifest_progress
from declarations.services.manifests import manifest_submit
from declarations.views import HtmxHttpRequest, organisation_of
from shipments import selectors

ISSUES_PER_PAGE = 50


@login_required
@require_GET
def manifest_list(request: HttpRequest) -> HttpResponse:
    manifests = selectors.manifests_of(organisation=organisation_of(request))[:100]
    return render(request, "manifests/list.html", {"manifests": manifests})


@login_required
@require_POST
def manifest_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a CSV or XLSX manifest to upload.")
        return redirect("manifests:list")
    try:
        manifest, created = manifest_submit(
            organisation=organisation_of(request), upload=upload, by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manifests:list")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("manifests:list")
    if not created:
        messages.info(
            request,
            f"This very file was uploaded before (manifest {manifest.pk}): nothing "
            "was changed. Here is its result.",
        )
    return redirect("manifests:detail", pk=manifest.pk)


@login_required
@require_GET
def manifest_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Progress while running (polled), then the summary and the issues table."""
    manifest = selectors.manifest_detail(organisation=organisation_of(request), pk=pk)
    code = request.GET.get("code", "")
    severity = request.GET.get("severity", "")
    issues = selectors.manifest_issues(manifest=manifest, code=code, severity=severity)
    page = Paginator(issues, ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "manifest": manifest,
        "progress": manifest_progress(manifest=manifest),
        "issues": page,
        "codes": selectors.manifest_issue_codes(manifest=manifest),
        "code": code,
        "severity": severity,
    }
    template = "manifests/detail.html"
    if request.htmx and request.htmx.target == "manifest":
        template = "manifests/_manifest.html"
    return render(request, template, context)


@login_required
@require_GET
def manifest_issues_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    manifest = selectors.manifest_detail(organisation=organisation_of(request), pk=pk)
    issues = selectors.manifest_issues(
        manifest=manifest,
        code=request.GET.get("code", ""),
        severity=request.GET.get("severity", ""),
    )
    response = StreamingHttpResponse(
        selectors.manifest_issues_csv(issues), content_type="text/csv"
    )
    name = f"manifest-{manifest.pk}-issues.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
