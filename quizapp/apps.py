from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizappConfig(AppConfig):
    name = "quizapp"
    verbose_name = _("Тесты и попытки")

    def ready(self):
        # The grader is plain Python and cannot import Django: its messages go through
        # grader.i18n, which translates with whatever it is given, here the request's language.
        from django.utils.translation import gettext

        from grader import i18n

        i18n.install(gettext)

        # Students' answers are graded in the grader's child processes, under the limits set
        # here; the children translate with the same catalogue, in the caller's language.
        from django.conf import settings
        from django.utils.translation import get_language

        from grader import sandbox

        sandbox.configure(
            workers=settings.GRADER_SANDBOX_WORKERS,
            memory_mb=settings.GRADER_SANDBOX_MEMORY_MB,
            timeout=settings.GRADER_SANDBOX_TIMEOUT_MS / 1000,
            check_timeout=settings.GRADER_CHECK_TIMEOUT_S,
            locale_dirs=settings.LOCALE_PATHS,
            language=get_language,
        )

        # Receivers: a student's time zone copied into the session at login; webhook deliveries
        # and LMS score passback when an attempt is announced graded; the dashboard's cache
        # tokens bumped by the writes that make it stale.
        # Task modules: services enqueue tasks by their registered names (quizapp.core.tasks),
        # so every process, the eager embedded mode included, must know them.
        from quizapp.accounts import signals as account_signals  # noqa: F401
        from quizapp.accounts import timezones  # noqa: F401
        from quizapp.api import signals, tasks  # noqa: F401
        from quizapp.attempts import tasks as attempt_tasks  # noqa: F401
        from quizapp.dashboard import invalidation  # noqa: F401
        from quizapp.flashcards import mistakes as flashcard_mistakes  # noqa: F401
        from quizapp.flashcards import tasks as flashcard_tasks  # noqa: F401
        from quizapp.gradebook import invalidation as gradebook_invalidation  # noqa: F401
        from quizapp.gradebook import tasks as gradebook_tasks  # noqa: F401
        from quizapp.lti import signals as lti_signals  # noqa: F401
        from quizapp.lti import tasks as lti_tasks  # noqa: F401
        from quizapp.practice import tasks as practice_tasks  # noqa: F401
