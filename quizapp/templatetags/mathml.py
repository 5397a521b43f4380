from django import template

from quizapp.core.mathml import render_math

register = template.Library()


@register.filter(name="math")
def math_filter(text, decimal=None):
    """``{{ text|math:decimal_mark }}``: the decimal mark of the page's course, if it has one
    (an unknown or missing one is the site's)."""
    return render_math(str(text or ""), decimal or None)
