from django import template

from quizapp.core.mathml import render_math

register = template.Library()


@register.filter(name="math")
def math_filter(text):
    return render_math(str(text or ""))
