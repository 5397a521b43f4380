"""A student's own time zone: where "today" begins and how times are shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from quizapp.attempts import services
from quizapp.core.errors import ServiceError
from quizapp.flashcards import services as flashcards
from quizapp.flashcards.selectors import day_bounds
from quizapp.models import Attempt, StudyProfile

pytestmark = pytest.mark.django_db


def test_unknown_zone_is_refused_and_nothing_saved(student):
    with pytest.raises(ServiceError) as err:
        flashcards.study_profile_update(user=student, new_cards_per_day=10, time_zone="Mars/Base")
    assert err.value.code == "bad_time_zone"
    assert not StudyProfile.objects.exists()


def test_zone_from_the_settings_page_is_used_on_every_page(client, student, demo_quiz):
    attempt = services.attempt_start(user=student, quiz=demo_quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)
    )
    client.force_login(student)
    quiz_page = reverse("quiz", args=[demo_quiz.slug])
    assert "01.01.2026 03:30" in client.get(quiz_page).content.decode()  # the site's Moscow
    page = client.post(
        reverse("flashcard-settings"),
        {"new_cards_per_day": "15", "time_zone": "Asia/Vladivostok"},
        follow=True,
    )
    assert "Настройки сохранены" in page.content.decode()
    assert (
        'value="Asia/Vladivostok" selected'
        in client.get(reverse("flashcard-decks")).content.decode()
    )
    assert StudyProfile.objects.get(user=student).time_zone == "Asia/Vladivostok"
    assert "01.01.2026 10:30" in client.get(quiz_page).content.decode()
    # A new session (another device) reads the zone from the profile.
    client.logout()
    client.force_login(student)
    assert "01.01.2026 10:30" in client.get(quiz_page).content.decode()


def test_today_begins_at_the_students_midnight():
    import zoneinfo

    from django.utils import timezone

    now = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)  # 23:00 in Moscow, 06:00 next day east
    with timezone.override(zoneinfo.ZoneInfo("Europe/Moscow")):
        start, _end = day_bounds(now)
        assert start == dt.datetime(2026, 2, 28, 21, 0, tzinfo=dt.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Vladivostok")):
        start, _end = day_bounds(now)
        assert start == dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC)
