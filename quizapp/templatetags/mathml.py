import re
from decimal import Decimal

from django import template

from grader.grading import localize_display
from quizapp.core.mathml import decimal_mark, render_math

register = template.Library()


@register.filter(name="math")
def math_filter(text, decimal=None):
    """``{{ text|math:decimal_mark }}``: the decimal mark of the page's course, if it has one
    (an unknown or missing one is the site's)."""
    return render_math(str(text or ""), decimal or None)


@register.filter(name="decimal")
def decimal_filter(value, decimal=None):
    """``{{ score|decimal:decimal_mark }}``: a number (a score, points; or the unlocalized text
    of ``floatformat:"-2u"``) with the page's decimal mark, whatever the interface language would
    do; anything else as it is."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        text = value  # floatformat with "u": rounded, not localized
    elif isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    else:
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
    return text.replace(".", decimal_mark(decimal or None))


_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@register.filter(name="signed")
def signed_filter(value, decimal=None):
    """``{{ criterion.points|signed:decimal_mark }}``: points to add or take off, with their
    sign (a true minus) and no trailing zeros: «+2», «−0,5»."""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return value
    text = format(number.normalize() if number else Decimal(0), "f")
    sign = "−" if number < 0 else "+"
    return sign + text.lstrip("-").replace(".", decimal_mark(decimal or None))


@register.filter(name="understood")
def understood_filter(text, decimal=None):
    """``{{ parsed_display|understood:decimal_mark }}``: how an answer was understood, with the
    page's decimal mark (stored with a point)."""
    return localize_display(str(text or ""), decimal_mark(decimal or None))
