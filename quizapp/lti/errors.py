"""Errors of the LTI services: a code for tests and logs, a Russian message for people."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from quizapp.core.errors import ServiceError

MESSAGES = {
    "missing_params": _("LMS не передала обязательные параметры запуска."),
    "unknown_platform": _(
        "Эта LMS не зарегистрирована в Нейрозачёте. Обратитесь к администратору."
    ),
    "bad_state": _(
        "Сеанс запуска не найден: возможно, браузер блокирует cookie во фрейме. "
        "Откройте задание в новой вкладке."
    ),
    "bad_nonce": _(
        "Ссылка запуска недействительна или уже использована. Запустите задание заново."
    ),
    "bad_signature": _("Подпись запроса LMS не прошла проверку."),
    "bad_token": _("LMS передала повреждённый запрос запуска."),
    "platform_unreachable": _("Не удалось связаться с LMS для проверки подписи. Попробуйте позже."),
    "bad_message": _("LMS прислала запрос, который Нейрозачёт не поддерживает."),
    "inactive_deployment": _(
        "Это подключение LMS ещё не активировано. "
        "Попросите администратора Нейрозачёта включить его."
    ),
    "no_keys": _(
        "У Нейрозачёта нет ключей для LTI: администратору нужно выполнить lti_platform rotate-keys."
    ),
    "launch_expired": _("Сеанс запуска из LMS истёк. Запустите задание из LMS заново."),
    "not_linked": _(
        "Эта ссылка LMS ещё не связана с тестом. Попросите преподавателя выбрать тест."
    ),
    "not_instructor": _("Выбирать тест может только преподаватель курса."),
    "quiz_not_visible": _("Этот тест вам недоступен."),
    "no_ags": _("LMS не предоставляет журнал оценок для этой ссылки."),
}


class LtiError(ServiceError):
    """A refused launch or LTI action; ``status`` is the HTTP status the views answer with."""

    def __init__(self, code: str, *, status: int = 400, detail: str = ""):
        super().__init__(str(MESSAGES[code]), code=code)
        self.status = status
        # The library's English reason, for logs only: never shown to the user.
        self.detail = detail
