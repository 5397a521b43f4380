"""Who may do what: the three roles of the product.

- student: every registered user;
- instructor: a member of the ``instructor`` group; owns courses, banks and quizzes and sees
  only their own;
- admin: a superuser or a member of the ``admin`` group; sees everything.

Object-level checks ("is this the instructor's course?") live with each resource's access helper;
this module only answers the role question, so that pages, the API and tasks agree.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

INSTRUCTOR_GROUP = "instructor"
ADMIN_GROUP = "admin"


# A user's groups are asked on every page (the menu, the role checks): kept in the shared cache
# rather than queried each time, and forgotten as soon as they change (forget_roles, called by
# the receiver in quizapp.accounts.signals on every change of a user's groups). The TTL only
# bounds what a missed change could cost.
ROLES_TTL = 300


def _roles_key(user_id) -> str:
    return f"nz:roles:{user_id}"


def _stamp(user) -> int:
    # A database rebuilt or restored elsewhere may give this id to another person: the cached
    # groups are only believed for the account that was joined at the same microsecond.
    joined = getattr(user, "date_joined", None)
    return int(joined.timestamp() * 1_000_000) if joined else 0


def _groups(user) -> set[str]:
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        if not user.is_authenticated:
            cached = set()
        else:
            stored = cache.get(_roles_key(user.pk))
            if stored is None or stored[0] != _stamp(user):
                stored = (_stamp(user), sorted(user.groups.values_list("name", flat=True)))
                cache.set(_roles_key(user.pk), stored, ROLES_TTL)
            cached = set(stored[1])
        user._role_groups = cached
    return cached


def forget_roles(*user_ids) -> None:
    """The groups of these users changed: the next request reads them from the database."""
    cache.delete_many([_roles_key(pk) for pk in user_ids])


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or ADMIN_GROUP in _groups(user)))


def is_instructor(user) -> bool:
    """Instructors and admins (an admin can do whatever an instructor can)."""
    return is_admin(user) or INSTRUCTOR_GROUP in _groups(user)


def instructor_required(view):
    """Log in first; a logged-in student gets 403 with a Russian message."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_instructor(request.user):
            raise PermissionDenied(_("Эта страница доступна только преподавателям."))
        return view(request, *args, **kwargs)

    return wrapped
