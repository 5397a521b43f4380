"""Translation hook: the grader's messages go through gettext without the grader importing Django.

The grader is plain Python (an import-linter contract forbids Django here), yet students read its
messages, so they must be translatable. Messages are marked with ``_("…")`` — the name Django's
``makemessages`` extracts, so they land in the project's catalogue with Russian msgids — and
``_`` delegates to whatever translator the host installs: the web app installs
``django.utils.translation.gettext`` in ``QuizappConfig.ready()``. Until then (benchmarks, the CLI,
tests without Django) ``_`` is the identity and the Russian text is the message.

Values go in by name after translation, ``_("ожидалось %(n)s") % {"n": n}``, so a translator may
move them. Module-level constants are marked with :func:`gettext_noop` (extracted, not translated
at import time, when no translator is installed yet) and translated where they are used.

>>> _("Верно.")
'Верно.'
>>> previous = install(lambda text: {"Верно.": "Correct."}.get(text, text))
>>> _("Верно."), _("Неверно.")
('Correct.', 'Неверно.')
>>> restored = install(previous)  # put back what was there
>>> _("Верно.")
'Верно.'
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["_", "gettext", "gettext_noop", "install"]


def _identity(message: str) -> str:
    return message


_translate: Callable[[str], str] = _identity


def install(translator: Callable[[str], str] | None) -> Callable[[str], str]:
    """Route every grader message through ``translator`` (``None``: back to the identity).

    Returns the translator that was installed before, so a caller (a test) can put it back.
    """
    global _translate
    previous = _translate
    _translate = translator or _identity
    return previous


def gettext(message: str) -> str:
    """The message in the active language of the installed translator (as is without one)."""
    return _translate(message)


_ = gettext


def gettext_noop(message: str) -> str:
    """Mark a constant for extraction, untranslated: it is translated with ``_`` where used."""
    return message
