"""The organisation's dashboard, and the declaration and release note as PDF."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import formats
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from declarations import pdf, selectors
from declarations.models import Declaration, StatusChange, ValidationIssue
from declarations.selectors_officer import officer_declarations
from declarations.selectors_reports import STATUS_GROUP_LABELS, dashboard_figures
from declarations.views import organisation_of
from portal.charts import line_chart, stacked_bar_chart


def _is_officer(request: HttpRequest) -> bool:
    user = request.user
    return user.is_staff and user.has_perm("declarations.decide_declaration")


def _printable(request: HttpRequest, pk: int) -> Declaration:
    """The declaration if the user's organisation filed it, or for an officer;
    404 for anyone else's."""
    if not _is_officer(request):
        return selectors.declaration_detail(
            organisation=organisation_of(request), pk=pk
        )
    queryset = officer_declarations().select_related(
        "organisation", "consignment__shipment"
    ).prefetch_related(
        "items",
        Prefetch("issues", ValidationIssue.objects.select_related("item")),
        Prefetch("status_changes", StatusChange.objects.order_by("at", "pk")),
    )
    return get_object_or_404(queryset, pk=pk)


def _pdf_response(html: str, filename: str) -> HttpResponse:
    try:
        content = pdf.pdf_from_html(html)
    except pdf.PdfUnavailable:
        return HttpResponse(
            _(
                "PDFs cannot be made on this server: it lacks the Pango library "
                "(Debian: apt install libpango-1.0-0 libpangoft2-1.0-0). "
                "Everything else works."
            ),
            content_type="text/plain; charset=utf-8",
            status=503,
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@login_required
@require_GET
def declaration_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _printable(request, pk)
    return _pdf_response(
        pdf.declaration_html(declaration),
        pdf.safe_filename("declaration", declaration.lrn),
    )


@login_required
@require_GET
def release_note(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = _printable(request, pk)
    if not pdf.has_release_note(declaration):
        return render(
            request,
            "reports/not_released.html",
            {"declaration": declaration, "is_officer": _is_officer(request)},
            status=409,
        )
    return _pdf_response(
        pdf.release_note_html(declaration),
        pdf.safe_filename("release-note", declaration.mrn),
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = organisation_of(request)
    figures = dashboard_figures(organisation=organisation)
    labels = [formats.date_format(f.month, "M Y") for f in figures]
    volumes = stacked_bar_chart(
        _("Declarations per month, by current status"),
        labels,
        {
            str(label): [f.volumes[key] for f in figures]
            for key, label in STATUS_GROUP_LABELS.items()
        },
    )
    acceptance = line_chart(
        _("Acceptance rate per month"),
        labels,
        {_("Accepted or released"): [f.acceptance_rate for f in figures]},
        unit="%",
        maximum=100,
    )
    amounts = stacked_bar_chart(
        _("Duty, VAT and fees per month (EUR)"),
        labels,
        {
            _("Customs duty"): [f.duty_eur for f in figures],
            _("Import VAT"): [f.vat_eur for f in figures],
            _("Fees"): [f.fees_eur for f in figures],
        },
        unit="EUR",
    )
    totals = {
        "volume": sum(f.total_volume for f in figures),
        "passed": sum(f.passed for f in figures),
        "decided": sum(f.decided for f in figures),
        "duty_eur": sum(f.duty_eur for f in figures),
        "vat_eur": sum(f.vat_eur for f in figures),
        "fees_eur": sum(f.fees_eur for f in figures),
    }
    totals["total_eur"] = totals["duty_eur"] + totals["vat_eur"] + totals["fees_eur"]
    return render(
        request,
        "reports/dashboard.html",
        {
            "figures": figures,
            "totals": totals,
            "month_labels": labels,
            "volumes_chart": volumes,
            "acceptance_chart": acceptance,
            "amounts_chart": amounts,
        },
    )
