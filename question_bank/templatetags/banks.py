"""Template helpers of the bank pages, and the role check the site's menu uses."""

from django import template

from quizapp.core.roles import is_instructor as _is_instructor

register = template.Library()


@register.filter
def is_instructor(user) -> bool:
    """``{% if user|is_instructor %}``: instructors and admins."""
    return _is_instructor(user)


@register.filter
def where(problem: dict) -> str:
    """A report problem's place as ``file:line:column``."""
    text = problem.get("file") or ""
    if problem.get("line"):
        text += f":{problem['line']}"
        if problem.get("column"):
            text += f":{problem['column']}"
    return text


@register.filter
def thousands(value) -> str:
    """``2280`` → «2 280»: digits grouped by three with a no-break space, as Russian prints them."""
    try:
        return f"{int(value):,}".replace(",", "\u00a0")
    except (TypeError, ValueError):
        return ""
