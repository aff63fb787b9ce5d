"""Telling the declarant about an officer's decision: a portal notice and e-mail."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from declarations.models import Declaration, Notification, StatusChange


def _words(decision: str) -> str:
    # Translated at call time, not import time: the user's language applies.
    return {
        "release": _("released"),
        "hold": _("held for inspection"),
        "request_documents": _("waiting for documents you need to upload"),
        "refuse": _("refused"),
        "invalidate": _("invalidated"),
    }[decision]


def decision_message(
    *, declaration: Declaration, decision: str, change: StatusChange
) -> str:
    """The sentence the declarant reads: which declaration, what, why."""
    text = _(
        "Declaration LRN %(lrn)s (house AWB %(hawb)s%(mrn)s) has been %(decision)s "
        "by customs. Reason: %(reason)s"
    ) % {
        "lrn": declaration.lrn,
        "hawb": declaration.consignment.hawb,
        "mrn": f", MRN {declaration.mrn}" if declaration.mrn else "",
        "decision": _words(decision),
        "reason": change.reason,
    }
    if decision == "request_documents" and declaration.requested_documents:
        text += " " + _("Documents needed: %(documents)s.") % {
            "documents": ", ".join(
                str(label) for label in declaration.requested_document_labels
            )
        }
    return text


def decision_notify(
    *, declaration: Declaration, decision: str, change: StatusChange
) -> Notification:
    """A notification for the declarant's organisation and, after commit, an
    e-mail to each of its members who has an e-mail address."""
    # In the portal's language, not the officer's: the declarant's is not known.
    with translation.override(settings.LANGUAGE_CODE):
        message = decision_message(
            declaration=declaration, decision=decision, change=change
        )
        subject = _("Customs decision on %(lrn)s: %(decision)s") % {
            "lrn": declaration.lrn,
            "decision": _words(decision),
        }
    notification = Notification.objects.create(
        organisation_id=declaration.organisation_id,
        declaration=declaration,
        message=message,
    )
    recipients = list(
        get_user_model()
        .objects.filter(
            membership__organisation_id=declaration.organisation_id, is_active=True
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    if recipients:
        # One message per member: colleagues' addresses are not shared.
        mails = [
            (subject, message, settings.DEFAULT_FROM_EMAIL, [email])
            for email in recipients
        ]
        # robust: a mail server failure is logged and never undoes, or hides,
        # a decision already committed.
        transaction.on_commit(
            lambda: send_mass_mail(mails, fail_silently=False), robust=True
        )
    return notification
