"""A student's own time zone: where "today" begins and how times are shown."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

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


# --- The zone detected from the browser, the account page, every page in that zone -----------

DETECT = "/account/time-zone/detect/"


def _attempt_at(student, quiz, started: dt.datetime, deadline: dt.datetime):
    attempt = services.attempt_start(user=student, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=started, deadline=deadline)
    return attempt


def _running_attempt(student, quiz):
    """An attempt started a minute ago with 15 minutes to go (a past deadline would close it)."""
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
    return _attempt_at(student, quiz, start, start + dt.timedelta(minutes=15)), start


def _local(moment: dt.datetime, zone: str, fmt: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).strftime(fmt)


def test_attempt_page_shows_start_and_deadline_in_the_students_zone(client, student, demo_quiz):
    StudyProfile.objects.create(user=student, time_zone="Asia/Vladivostok")
    attempt, start = _running_attempt(student, demo_quiz)
    deadline = start + dt.timedelta(minutes=15)
    client.force_login(student)
    html = client.get(reverse("attempt", args=[attempt.uuid])).content.decode()
    # Vladivostok is 7 hours ahead of Moscow (the site's zone) all year round.
    assert "начата " + _local(start, "Asia/Vladivostok", "%d.%m.%Y %H:%M") in html
    assert "сдать до " + _local(deadline, "Asia/Vladivostok", "%H:%M") in html
    assert "начата " + _local(start, "Europe/Moscow", "%d.%m.%Y %H:%M") not in html
    # The countdown reads an ISO time with its offset, the same instant whatever the zone.
    iso = deadline.astimezone(zoneinfo.ZoneInfo("Asia/Vladivostok")).isoformat()
    assert f'data-deadline="{iso}"' in html


def test_first_visit_loads_the_detection_script_until_the_browser_answered(client, student):
    client.force_login(student)
    assert "js/timezone.js" in client.get(reverse("home")).content.decode()
    answer = client.post(DETECT, {"time_zone": "Asia/Vladivostok"})
    assert answer.status_code == 200
    assert answer.json() == {"time_zone": "Asia/Vladivostok"}
    assert StudyProfile.objects.get(user=student).time_zone == "Asia/Vladivostok"
    assert "js/timezone.js" not in client.get(reverse("home")).content.decode()


def test_detection_refuses_a_bogus_zone_in_russian_and_stores_nothing(client, student):
    client.force_login(student)
    for bogus in ("Mars/Olympus_Mons", "", "../../etc/passwd", "Europe/Moscow" * 10):
        answer = client.post(DETECT, {"time_zone": bogus})
        assert answer.status_code == 400
        assert answer.json() == {"code": "bad_time_zone", "message": "Неизвестный часовой пояс."}
    assert not StudyProfile.objects.filter(user=student).exclude(time_zone="").exists()
    assert client.get(DETECT).status_code == 405


def test_detection_never_replaces_a_chosen_zone(client, student):
    StudyProfile.objects.create(user=student, time_zone="Europe/Samara")
    client.force_login(student)
    assert client.post(DETECT, {"time_zone": "Asia/Tokyo"}).json() == {"time_zone": "Europe/Samara"}
    assert StudyProfile.objects.get(user=student).time_zone == "Europe/Samara"


def test_a_visitors_zone_lives_in_the_session_and_goes_to_the_profile_at_login(
    client, student, demo_quiz
):
    from django.http import HttpRequest

    assert client.post(DETECT, {"time_zone": "Asia/Yekaterinburg"}).status_code == 200
    assert "js/timezone.js" not in client.get(reverse("home")).content.decode()
    assert client.login(request=HttpRequest(), username="student", password="pw-student-1")
    assert StudyProfile.objects.get(user=student).time_zone == "Asia/Yekaterinburg"
    attempt, start = _running_attempt(student, demo_quiz)
    html = client.get(reverse("attempt", args=[attempt.uuid])).content.decode()
    assert "начата " + _local(start, "Asia/Yekaterinburg", "%d.%m.%Y %H:%M") in html


def test_account_page_changes_the_zone(client, student, demo_quiz):
    client.force_login(student)
    page = client.get(reverse("account"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index('value="Europe/Kaliningrad"') < html.index('value="America/New_York"')
    assert 'value="Europe/Moscow" selected' in html  # nothing chosen yet: the site's zone
    done = client.post(reverse("account"), {"time_zone": "Asia/Vladivostok"}, follow=True)
    assert "Часовой пояс сохранён: Владивосток (UTC+10)." in done.content.decode()
    assert StudyProfile.objects.get(user=student).time_zone == "Asia/Vladivostok"
    attempt, start = _running_attempt(student, demo_quiz)
    html = client.get(reverse("attempt", args=[attempt.uuid])).content.decode()
    assert "начата " + _local(start, "Asia/Vladivostok", "%d.%m.%Y %H:%M") in html
    # Chosen on the page: a later detection in this or another session does not replace it.
    assert "js/timezone.js" not in client.get(reverse("home")).content.decode()
    client.post(DETECT, {"time_zone": "Europe/London"})
    assert StudyProfile.objects.get(user=student).time_zone == "Asia/Vladivostok"


def test_account_page_refuses_garbage_in_russian(client, student):
    client.force_login(student)
    page = client.post(reverse("account"), {"time_zone": "Mars/Base"})
    assert page.status_code == 400
    assert "Неизвестный часовой пояс." in page.content.decode()
    assert not StudyProfile.objects.filter(user=student).exists()
    with pytest.raises(ServiceError) as err:
        from quizapp.accounts.services import time_zone_set

        time_zone_set(user=student, time_zone="Mars/Base")
    assert err.value.code == "bad_time_zone"


def test_account_page_needs_login(client):
    page = client.get(reverse("account"))
    assert page.status_code == 302 and "/login/" in page["Location"]


def _finished_attempt(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    started = dt.datetime(2026, 1, 1, 14, 28, tzinfo=dt.UTC)  # 17:28 in Moscow
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=started,
        finished_at=started + dt.timedelta(minutes=15),
        status=Attempt.Status.FINISHED,
    )
    return attempt


def test_result_and_dashboard_follow_the_zone_and_the_cached_dashboard_follows_a_change(
    client, student, demo_quiz
):
    attempt = _finished_attempt(student, demo_quiz)
    client.force_login(student)
    result = reverse("attempt", args=[attempt.uuid])
    assert (
        "Начата 01.01.2026 17:28, завершена 01.01.2026 17:43" in client.get(result).content.decode()
    )
    assert "01.01.2026 17:28" in client.get(reverse("home")).content.decode()  # cached now
    client.post(reverse("account"), {"time_zone": "Asia/Vladivostok"})
    html = client.get(result).content.decode()
    assert "Начата 02.01.2026 00:28, завершена 02.01.2026 00:43" in html
    home = client.get(reverse("home")).content.decode()
    assert "02.01.2026 00:28" in home and "01.01.2026 17:28" not in home


def test_instructor_pages_use_the_instructors_zone(client, student, admin, demo_quiz):
    attempt = _finished_attempt(student, demo_quiz)
    StudyProfile.objects.create(user=student, time_zone="Asia/Vladivostok")
    StudyProfile.objects.create(user=admin, time_zone="Europe/Kaliningrad")
    client.force_login(admin)
    html = client.get(reverse("gradebook-attempt", args=[attempt.uuid])).content.decode()
    assert "начата 01.01.2026 16:28, завершена 01.01.2026 16:43" in html
