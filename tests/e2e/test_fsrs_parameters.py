"""The decks page tells the student about their own FSRS parameters (issue 17, point 1), on a
desktop and on a 360 px phone."""

from __future__ import annotations

import datetime as dt

import pytest

from quizapp.flashcards import personal
from quizapp.models import FsrsFit, StudyProfile

pytestmark = pytest.mark.django_db(transaction=True)


def test_decks_page_reports_the_personal_fit(page, login, shot):
    student = login(page)
    page.goto("/cards/decks/")
    section = page.locator("section.fc-fsrs")
    assert "по стандартным параметрам FSRS" in section.inner_text()
    shot(page, "fsrs-default-360", width=360)

    fitted = [round(w * 1.05, 4) for w in personal.DEFAULT_PARAMETERS]
    FsrsFit.objects.create(
        user=student, fitted_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), reviews=1264,
        train_items=960, test_items=231, log_loss_before=0.4127, log_loss_after=0.3871,
        rmse_before=0.0642, rmse_after=0.0315, parameters=fitted, accepted=True,
    )  # fmt: skip
    StudyProfile.objects.update_or_create(user=student, defaults={"fsrs_parameters": fitted})
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/cards/decks/")
    text = section.inner_text()
    assert "по вашим собственным параметрам FSRS" in text
    assert "1 декабря 2026" in text and "повторений в истории: 1264" in text
    assert "на 6,2 % точнее прежних" in text and "0,413 → 0,387" in text
    shot(page, "fsrs-personal-desktop")
    shot(page, "fsrs-personal-360", width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
