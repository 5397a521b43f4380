"""The UI goes through Django i18n: a catalogue exists, and a page switches language with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from quizapp.core.errors import ErrorCode, ServiceError

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_lists_the_ui_strings():
    assert CATALOGUE.parent in [Path(p) / "en" / "LC_MESSAGES" for p in settings.LOCALE_PATHS]
    text = CATALOGUE.read_text(encoding="utf-8")
    for msgid in ("Вход", "Имя пользователя", "Карточки на сегодня", "Попытка уже завершена."):
        assert f'msgid "{msgid}"' in text
    assert CATALOGUE.with_suffix(".mo").exists()  # compiled and committed: bin/serve does not


@pytest.mark.django_db
def test_login_page_switches_to_english(client):
    ru = client.get("/login/").content.decode()
    assert "<h1>Вход</h1>" in ru and "Имя пользователя" in ru
    with translation.override("en"):
        en = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Sign in</h1>" in en and "Username" in en
    assert "<h1>Вход</h1>" not in en


def test_error_codes_are_complete_and_unique():
    assert len({member.value for member in ErrorCode}) == len(ErrorCode)
    for member in ErrorCode:
        assert isinstance(member.status, int) and 400 <= member.status < 600, member
        assert str(member.message_ru).strip(), member
        assert member.message_en.strip(), member
        assert member == member.value  # the code string itself, as API clients see it


def test_error_code_messages_translate():
    assert str(ServiceError(code=ErrorCode.TIME_OVER).message) == "Время на тест истекло."
    with translation.override("en"):
        assert ServiceError(code="time_over").message == "The time limit of the attempt is over."
    error = ServiceError("Тест откроется 01.09.2030 10:00.", code=ErrorCode.QUIZ_NOT_OPEN)
    assert error.code == "quiz_not_open" and type(error.code) is str
    assert error.as_dict() == {"code": "quiz_not_open", "message": error.message}


def test_grader_messages_follow_the_active_language():
    # QuizappConfig.ready() installed Django's gettext into the grader, which cannot import Django.
    import grader
    from grader import i18n
    from grader.errors import ParseError
    from grader.parsing import parse_answer

    assert i18n._translate is translation.gettext
    spec = {"kind": "numeric", "answer": {"value": 3}}
    assert grader.grade(spec, None, "4").feedback.endswith("Неверно.")
    with pytest.raises(ParseError) as caught:
        parse_answer("", "number")
    assert caught.value.message == "Ответ пуст. Ожидалось число, например 0,95 или 3/4"
    with translation.override("en"):
        assert grader.grade(spec, None, "4").feedback.endswith("Incorrect.")
        with pytest.raises(ParseError) as caught:
            parse_answer("", "number")
    assert caught.value.code == "empty"
    assert caught.value.message == "The answer is empty. A number was expected, e.g. 0.95 or 3/4"


def test_catalogue_lists_the_grader_and_bank_format_strings():
    text = CATALOGUE.read_text(encoding="utf-8")
    for msgid in (
        "Ответ пуст. %(hints)s",  # grader/parsing.py
        "Позиция %(column)s: %(message)s",  # grader/expr/limits.py
        "обязательное поле не задано",  # question_bank/formats/schema.py
        "Сохранено в {time}",  # static/js/attempt.js, through templates/quizapp/_js_texts.html
    ):
        assert f'msgid "{msgid}"' in text, msgid
