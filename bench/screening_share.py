"""The share of sanctions screening in processing a manifest, in one process.

Writes a manifest of `--count` consignments as bench/manifest.py does, stages it
and processes every chunk here (no web server, no Celery) under a profiler, then
prints how much of the chunks' CPU time went to screening party names, and how many
distinct names were screened. Needs a migrated, seeded database (`manage.py
migrate && manage.py seed_demo`) in DATABASE_URL; the manifest it files stays
there.

    DJANGO_SETTINGS_MODULE=portal.settings.base \\
        .venv/bin/python bench/screening_share.py --count 20000
"""

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from accounts.models import Organisation  # noqa: E402
from bench.manifest import write_manifest  # noqa: E402
from declarations.pipeline import manifest_chunk_process  # noqa: E402
from reference.screening import ScreeningIndex, screening_index  # noqa: E402
from shipments.manifests import manifest_receive, manifest_stage  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()

    started = time.perf_counter()
    screening_index()  # built once per worker process, as in production
    print(f"index built in {time.perf_counter() - started:.1f} s (once a process)")
    organisation = Organisation.objects.get(slug="demo-forwarder")
    with tempfile.TemporaryDirectory() as directory:
        written = write_manifest(Path(directory), args.count, args.seed, 0.03)
        upload = SimpleUploadedFile(
            "manifest.csv", written.path.read_bytes(), content_type="text/csv"
        )
    manifest, _created = manifest_receive(organisation=organisation, upload=upload)
    numbers = manifest_stage(
        manifest_id=manifest.pk, chunk_size=settings.MANIFEST_CHUNK_SIZE
    )
    names: set[str] = set()
    calls = 0
    screen = ScreeningIndex.screen

    def counting(self, name, **kwargs):
        nonlocal calls
        calls += 1
        names.add(name)
        return screen(self, name, **kwargs)

    ScreeningIndex.screen = counting
    # CPU time of this process: the machine may be shared, and PostgreSQL's
    # own work (not counted) only makes screening's share of a run smaller.
    profile = cProfile.Profile(time.process_time)
    started = time.perf_counter()
    profile.enable()
    for number in numbers:
        manifest_chunk_process(manifest_id=manifest.pk, number=number)
    profile.disable()
    wall = time.perf_counter() - started
    stats = pstats.Stats(profile)
    chunk_time = screening_time = 0.0
    for (path, _line, function), row in stats.stats.items():
        cumulative = row[3]
        if function == "manifest_chunk_process":
            chunk_time += cumulative
        # The per-batch screener (its cache included), which calls `counting`.
        if function == "screen" and path.endswith("screening.py"):
            screening_time = max(screening_time, cumulative)
    parties = args.count * 3
    print(
        f"{args.count} consignments, {len(numbers)} chunks, {wall:.1f} s wall "
        f"(under the profiler; shares below are of this process's CPU time)"
    )
    print(
        f"{parties} party names, {calls} screened (distinct per index: "
        f"{len(names)})"
    )
    print(
        f"screening {screening_time:.2f} s of {chunk_time:.2f} s of chunk work: "
        f"{100 * screening_time / chunk_time:.1f} %"
    )


if __name__ == "__main__":
    main()
