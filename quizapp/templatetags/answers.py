"""Filters for answer forms with several fields (multi-part and matching questions)."""

from django import template

from quizapp.core.answers import compound_display, compound_fields

register = template.Library()

# Exam papers letter the answers of a matching question: А, Б, В… (no Ё, Й, Ъ, Ы, Ь).
_LETTERS = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ"


@register.filter
def answer_fields(raw) -> dict:
    """The saved answer's fields: ``{{ v.current|answer_fields }}``."""
    return compound_fields(raw)


@register.filter
def field_text(fields, name) -> str:
    """One field's text: ``{{ fields|field_text:p.name }}``."""
    return (fields or {}).get(str(name), "")


@register.filter
def field_chosen(fields, name) -> list[int]:
    """The option indices ticked in one field («0,2» → [0, 2])."""
    text = (fields or {}).get(str(name), "")
    return [int(x) for x in text.split(",") if x.strip().isdigit()]


@register.filter
def letter(index) -> str:
    """0 → «А», 1 → «Б»…; past the alphabet, numbers."""
    try:
        index = int(index)
    except (TypeError, ValueError):
        return ""
    return _LETTERS[index] if 0 <= index < len(_LETTERS) else str(index + 1)


@register.filter
def answer_display(raw) -> str:
    """A saved answer as people read it: a multi-field one as «h: 5; p: 0»."""
    return compound_display(raw)
