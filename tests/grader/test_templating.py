from __future__ import annotations

import pytest

from grader.errors import SpecError
from grader.templating import format_value, placeholders, render


def test_latex_braces_untouched():
    assert render(r"$\frac{1}{1-{{ p }}}$", {"p": 0.75}) == r"$\frac{1}{1-0.75}$"


def test_expressions_and_formats():
    assert render("{{ (n + 1) * h }}", {"n": 12, "h": 300}) == "3900"
    assert render("{{ x : .3f }}", {"x": 2 / 3}) == "0.667"
    assert render("{{ v }}", {"v": [0.0, 2.0, 0.0]}) == "(0, 2, 0)"
    assert placeholders("a {{ x }} b {{ y : .2f }}") == [("x", None), ("y", ".2f")]


@pytest.mark.parametrize(
    "value, text",
    [
        (84301, "84301"),
        (0.450166, "0.4502"),
        (104.5, "104.5"),
        (0.95033, "0.9503"),
        (1e-6, r"1\cdot 10^{-6}"),
        (-0.0, "0"),
        (2.0, "2"),
        (True, "да"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize(
    "template",
    [
        "{{ missing }}",
        "{{ __import__('os') }}",
        "{{ x.__class__ }}",
        "{{ x : !r }}",
        "{{ 9**9**9**9 }}",
    ],
)
def test_bad_placeholders_are_spec_errors(template):
    with pytest.raises(SpecError) as err:
        render(template, {"x": 1})
    assert err.value.code == "bad_placeholder"
