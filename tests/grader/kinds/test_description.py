"""The description kind: an information item with no answer."""

from __future__ import annotations

from grader import kinds
from grader.checks import check_question
from grader.grading import check_spec, grade, present, preview

INTRO = {
    "kind": "description",
    "text": "Дальше — задачи о свёрточных слоях. Везде вход в формате NCHW, ядро {{ k }}×{{ k }}.",
    "params": {"k": {"type": "const", "value": 3}},
}


def test_present_renders_the_text_without_options_or_hint():
    shown = present(INTRO, None)
    assert shown.kind == "description"
    assert shown.text.endswith("ядро 3×3.")
    assert shown.options == [] and shown.stems == [] and shown.input_hint == ""


def test_grade_if_called_is_graded_full_with_no_key():
    for raw in ("", "что угодно", '{"0": "1"}'):
        result = grade(INTRO, None, raw)
        assert result.status == "graded" and result.correct and result.score == 1.0
        assert result.expected is None and result.expected_display == ""
        assert result.mistake is None and result.error is None


def test_no_key_and_no_self_test_and_the_checks_accept_it():
    module = kinds.get("description")
    assert module.expected(INTRO, {}) is None
    assert module.self_test(INTRO, None) is None
    assert check_spec(INTRO) == []
    assert check_question(INTRO, 10) == []
    assert preview(INTRO, None, "x") == {"ok": True, "display": ""}


def test_a_broken_placeholder_in_the_text_is_still_reported():
    broken = {"kind": "description", "text": "Ядро {{ missing }}."}
    codes = [code for _message, code in check_question(broken, 1)]
    assert codes == ["bad_placeholder"]
