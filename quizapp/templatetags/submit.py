"""``{% submit_token %}``: the hidden one-submit token of an answer form (see core.http)."""

from django import template
from django.utils.html import format_html

from quizapp.core.http import SUBMIT_TOKEN_FIELD, new_submit_token

register = template.Library()


@register.simple_tag
def submit_token():
    # autocomplete="off": a browser restoring form fields on reload must not bring back a token
    # that was already used for another answer.
    return format_html(
        '<input type="hidden" name="{}" value="{}" autocomplete="off" data-submit-token>',
        SUBMIT_TOKEN_FIELD,
        new_submit_token(),
    )
