"""Time the PDF of the largest declaration the portal allows (999 goods items).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/pdf.py

Files a 999-item declaration in a transaction that is rolled back (the database
is left as it was), renders its PDF three times and prints the CPU and wall
time of each; the goal (issue 14) is under 5 s.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from declarations import pdf  # noqa: E402
from declarations.models import MAX_GOODS_ITEMS  # noqa: E402
from tests.accounts.factories import OrganisationFactory  # noqa: E402
from tests.declarations.test_pdf_largest import largest_declaration  # noqa: E402


def main() -> None:
    with transaction.atomic():
        declaration = largest_declaration(OrganisationFactory(slug="bench-pdf"))
        html = pdf.declaration_html(declaration)
        for run in range(1, 4):
            started, cpu = time.perf_counter(), time.process_time()
            content = pdf.pdf_from_html(html)
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - started
            print(
                f"run {run}: {MAX_GOODS_ITEMS}-item PDF, {len(content) // 1024} KiB: "
                f"{cpu:.2f} s CPU, {wall:.2f} s wall "
                f"({'PASS' if wall < 5 else 'MISS'} < 5 s)"
            )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
