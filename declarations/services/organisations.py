"""Screening of trader organisations against the sanctions lists.

accounts knows nothing of the lists (reference), so it asks through a signal
(`organisation_screening_wanted`, sent at sign-up and at EORI verification) and
this app, which knows both, does the work in a task. The result is for the
operator only: the admin shows it beside the EORI decision.
"""

from accounts.models import Organisation
from accounts.services_verification import organisation_screening_record
from reference.screening import screening_index


def organisation_screen(*, organisation_id: int) -> Organisation:
    """Screen the organisation's name; store what matched (safe to run twice)."""
    name = Organisation.objects.values_list("name", flat=True).get(pk=organisation_id)
    hits = [
        {
            "listed_name": hit.listed_name,
            "matched_name": hit.matched_name,
            "source": hit.source,
            "external_id": hit.external_id,
            "programmes": hit.programmes,
            "score": float(hit.score),
        }
        for hit in screening_index().screen(name)
    ]
    return organisation_screening_record(organisation_id=organisation_id, hits=hits)
