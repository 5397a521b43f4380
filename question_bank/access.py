"""Who may see and change which bank, and the one helper per resource the views use.

- A bank an instructor published from the browser belongs to them (``Bank.owner``); only they
  (and admins) see it, preview it and publish new versions of it.
- Bundled banks (``owner`` empty, loaded by ``import_bank``) are shared material: every
  instructor sees and previews them, quizzes may use them, but only an admin changes them. An
  instructor who wants to adapt one uploads it under a new ``bank.slug``, which makes an own copy.
- An admin sees and changes every bank.
- An upload is seen only by the instructor who made it (and admins).
- An archived bank (``Bank.is_archived``) stays visible here but takes no new quiz items
  (:func:`banks_for_new_work`); students no longer study it.

Somebody else's bank or upload is "not found" (404), not "forbidden": its existence is not
revealed; changing a bundled bank one can see is "forbidden" (403). Students and anonymous users
never reach these pages (``instructor_required``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from question_bank.models import Bank, BankUpload
from quizapp.core.roles import is_admin

__all__ = [
    "banks_visible_to",
    "banks_for_new_work",
    "can_manage_bank",
    "bank_for_user",
    "upload_for_user",
]


def banks_visible_to(user) -> QuerySet[Bank]:
    if is_admin(user):
        return Bank.objects.all()
    return Bank.objects.filter(Q(owner__isnull=True) | Q(owner=user.pk))


def banks_for_new_work(user) -> QuerySet[Bank]:
    """Banks whose questions may go into a quiz: the visible ones that are not archived. An
    archived bank stays readable (its page, every attempt's versions) but takes no new use."""
    return banks_visible_to(user).filter(is_archived=False)


def can_manage_bank(user, bank: Bank) -> bool:
    return is_admin(user) or (bank.owner_id is not None and bank.owner_id == user.pk)


def bank_for_user(user, bank_id: int, *, manage: bool = False) -> Bank:
    """The bank if ``user`` may see it (or, with ``manage``, change it); otherwise 404."""
    bank = banks_visible_to(user).select_related("owner").filter(pk=bank_id).first()
    if bank is None:
        raise Http404(_("Банк не найден"))
    if manage and not can_manage_bank(user, bank):
        raise PermissionDenied(_("Встроенный банк может изменять только администратор."))
    return bank


def upload_for_user(user, upload_id: int) -> BankUpload:
    # The file's bytes are read only by the tasks; the pages (polled every second) skip them.
    uploads = BankUpload.objects.select_related("bank", "target").defer("data")
    if not is_admin(user):
        uploads = uploads.filter(owner=user.pk)
    upload = uploads.filter(pk=upload_id).first()
    if upload is None:
        raise Http404(_("Загрузка не найдена"))
    return upload
