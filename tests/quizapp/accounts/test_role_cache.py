"""A user's roles come from the cache on every page and change the moment their groups do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizapp.core.roles import INSTRUCTOR_GROUP

pytestmark = pytest.mark.django_db


def _teach_menu(client) -> tuple[bool, int]:
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(reverse("practice")).content.decode()
    groups = [q for q in ctx.captured_queries if "auth_group" in q["sql"]]
    return reverse("gradebook-index") in html, len(groups)


def test_roles_are_cached_and_follow_group_changes(client, student):
    client.force_login(student)
    assert _teach_menu(client) == (False, 1)  # read once
    assert _teach_menu(client) == (False, 0)  # then from the cache
    group, _ = Group.objects.get_or_create(name=INSTRUCTOR_GROUP)
    student.groups.add(group)
    assert _teach_menu(client) == (True, 1)
    assert client.get(reverse("gradebook-index")).status_code == 200
    group.user_set.remove(student)  # the reverse side of the relation
    assert _teach_menu(client)[0] is False
    assert client.get(reverse("gradebook-index")).status_code == 403
    student.groups.add(group)
    assert _teach_menu(client)[0] is True
    group.user_set.clear()
    assert _teach_menu(client)[0] is False
    student.groups.add(group)
    assert _teach_menu(client)[0] is True
    group.delete()
    assert _teach_menu(client)[0] is False


def test_a_reused_id_does_not_inherit_roles(client, django_user_model):
    """A rebuilt database may give an old id to someone else: cached roles do not carry over."""
    teacher = django_user_model.objects.create_user("teacher")
    teacher.groups.add(Group.objects.get_or_create(name=INSTRUCTOR_GROUP)[0])
    client.force_login(teacher)
    assert _teach_menu(client)[0] is True
    pk = teacher.pk
    # The same id, another account, as after a restore into a rebuilt database (the cache is
    # not told: no signal reaches it from outside).
    django_user_model.objects.filter(pk=pk).delete()
    stranger = django_user_model.objects.create_user("stranger", pk=pk)
    client.force_login(stranger)
    assert _teach_menu(client)[0] is False
