"""Receivers of the accounts: a change of anyone's groups drops their cached roles; a login copies
the person's time zone into the session."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import m2m_changed, pre_delete
from django.dispatch import receiver

from quizapp.accounts import services, timezones
from quizapp.core.roles import forget_roles

User = get_user_model()


def _forget(user_ids) -> None:
    user_ids = list(user_ids)
    if not user_ids:
        return
    # Now, and again once committed: a request in between may have cached the old groups.
    forget_roles(*user_ids)
    transaction.on_commit(lambda: forget_roles(*user_ids))


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="roles-groups-changed")
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        # group.user_set.clear(): the members are known only before they go.
        _forget(instance.user_set.values_list("pk", flat=True))
    elif action.startswith("post_"):
        if reverse:  # group.user_set.add/remove(users)
            _forget(pk_set or ())
        else:  # user.groups.add/remove/clear(...)
            _forget([instance.pk])


@receiver(pre_delete, sender=Group, dispatch_uid="roles-group-deleted")
def _group_deleted(sender, instance, **kwargs):
    _forget(instance.user_set.values_list("pk", flat=True))


@receiver(user_logged_in, dispatch_uid="time_zone_on_login")
def _time_zone_on_login(sender, request, user, **kwargs):
    """The profile's zone wins; a profile without one takes the zone detected before login."""
    if request is None or not hasattr(request, "session"):
        return
    zone = timezones.profile_zone(user)
    before = request.session.get(timezones.SESSION_KEY) or ""
    if not zone and timezones.is_valid(before):
        zone = services.time_zone_detected(user=user, time_zone=before)
    request.session[timezones.SESSION_KEY] = zone
