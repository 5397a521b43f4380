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
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

INSTRUCTOR_GROUP = "instructor"
ADMIN_GROUP = "admin"


def _groups(user) -> set[str]:
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) if user.is_authenticated else set()
        user._role_groups = cached
    return cached


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
