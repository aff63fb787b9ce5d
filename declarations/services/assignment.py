"""Who works a declaration: "assign to me", taking over, and the officers' log.

Assignment and four-eyes proposals are the officers' own business: they are
written to Django's admin log (LogEntry), which the declaration page shows in
its history next to the status changes, and never to the declarant's history.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import ApplicationError
from declarations.models import DECIDABLE_STATUSES, Declaration


def officer_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return _("nobody")
    return user.get_full_name() or user.get_username()


def officer_log(
    *, declaration: Declaration, by: AbstractBaseUser, message: str
) -> None:
    """One line of the officers' history of a declaration."""
    LogEntry.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(Declaration),
        object_id=str(declaration.pk),
        object_repr=str(declaration)[:200],
        action_flag=CHANGE,
        change_message=message,
    )


@transaction.atomic
def declaration_assign(
    *, declaration: Declaration, by: AbstractBaseUser, take_over: bool = False
) -> Declaration:
    """Assign the declaration to the officer `by`.

    A declaration another officer holds is refused, naming them, unless the
    officer explicitly takes it over.
    """
    from declarations.services.lifecycle import declaration_lock

    if not by.has_perm("declarations.decide_declaration"):
        raise PermissionDenied(_("Only customs officers take declarations."))
    declaration = declaration_lock(declaration)
    if declaration.status not in DECIDABLE_STATUSES:
        raise ApplicationError(
            _("%(declaration)s is %(status)s: there is nothing to decide on it.")
            % {
                "declaration": declaration,
                "status": declaration.get_status_display().lower(),
            }
        )
    holder = declaration.assigned_to
    if holder is not None and holder.pk == by.pk:
        return declaration
    if holder is not None and not take_over:
        raise ApplicationError(
            _(
                "%(declaration)s is assigned to %(officer)s since %(at)s. Choose "
                "“Take over” if you mean to work on it instead."
            )
            % {
                "declaration": declaration,
                "officer": officer_name(holder),
                "at": timezone.localtime(declaration.assigned_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
            status=409,
        )
    declaration.assigned_to = by
    declaration.assigned_at = timezone.now()
    declaration.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
    if holder is None:
        message = _("Assigned to %(officer)s.") % {"officer": officer_name(by)}
    else:
        message = _("Taken over by %(officer)s from %(previous)s.") % {
            "officer": officer_name(by),
            "previous": officer_name(holder),
        }
    officer_log(declaration=declaration, by=by, message=message)
    return declaration


@transaction.atomic
def declaration_unassign(
    *, declaration: Declaration, by: AbstractBaseUser
) -> Declaration:
    """The officer gives the declaration back to the queue."""
    from declarations.services.lifecycle import declaration_lock

    if not by.has_perm("declarations.decide_declaration"):
        raise PermissionDenied(_("Only customs officers take declarations."))
    declaration = declaration_lock(declaration)
    holder = declaration.assigned_to
    if holder is None:
        return declaration
    if holder.pk != by.pk:
        raise ApplicationError(
            _("%(declaration)s is assigned to %(officer)s, not to you.")
            % {"declaration": declaration, "officer": officer_name(holder)},
            status=409,
        )
    declaration.assigned_to = None
    declaration.assigned_at = None
    declaration.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
    officer_log(
        declaration=declaration,
        by=by,
        message=_("Returned to the queue by %(officer)s.")
        % {"officer": officer_name(by)},
    )
    return declaration
