"""The essay kind: an open answer the instructor scores; the grader only keeps it for them."""

from __future__ import annotations

from grader import kinds
from grader.checks import check_question
from grader.grading import MAX_RAW_LENGTH, check_spec, grade, present, preview, raw_limit
from grader.kinds import essay

ESSAY = {
    "kind": "essay",
    "text": "Объясните, зачем при выводе масштабируют выходы после Dropout с p = {{ p }}.",
    "params": {"p": {"type": "const", "value": 0.5}},
    "rubric": "1 балл — ожидание выхода; 1 балл — формула $1/(1-p)$.",
    "solution": "Чтобы ожидание выхода не менялось: множитель $1/(1-{{ p }})$.",
}


def test_an_answer_waits_for_the_instructor_with_no_score():
    result = grade(ESSAY, None, "Чтобы сумма входов следующего слоя была та же.")
    assert result.status == "manual" and result.score is None and not result.correct
    assert result.parsed_display == "Чтобы сумма входов следующего слоя была та же."
    assert "ждёт проверки" in result.feedback
    # the model answer is rendered with the variant's numbers; the rubric never leaves the spec
    assert result.solution == "Чтобы ожидание выхода не менялось: множитель $1/(1-0.5)$."
    assert "балл" not in str(result.as_dict())


def test_a_blank_answer_is_unanswered_and_earns_nothing():
    for raw in ("", "   \n\t", None):
        result = grade(ESSAY, None, raw)
        assert result.status == "graded" and result.score == 0.0 and not result.correct


def test_the_length_limit_is_the_essays_own_not_the_graders():
    long_answer = "слово " * 700  # 4200 characters: over MAX_RAW_LENGTH, within the default
    assert len(long_answer) > MAX_RAW_LENGTH
    assert grade(ESSAY, None, long_answer).status == "manual"
    assert raw_limit(ESSAY) == essay.DEFAULT_MAX_LENGTH == 5000
    short = {**ESSAY, "max_length": 100}
    refused = grade(short, None, "x" * 101)
    assert refused.status == "invalid" and refused.error["code"] == "too_long"
    assert "100" in refused.feedback
    assert grade(short, None, "x" * 100).status == "manual"
    assert raw_limit({"kind": "numeric"}) == MAX_RAW_LENGTH


def test_preview_accepts_any_text_within_the_limit():
    assert preview(ESSAY, None, "любой текст, даже 42") == {"ok": True, "display": ""}
    over = preview({**ESSAY, "max_length": 3}, None, "четыре")
    assert over["ok"] is False and over["code"] == "too_long"


def test_present_and_the_checks():
    shown = present(ESSAY, None)
    assert shown.kind == "essay" and shown.text.endswith("p = 0.5.") and shown.options == []
    module = kinds.get("essay")
    assert module is essay and module.expected(ESSAY, {}) is None
    assert module.self_test(ESSAY, None) is None
    assert check_spec(ESSAY) == []
    assert check_question(ESSAY, 3) == []


def test_the_graders_limit_stays_for_other_kinds():
    numeric = {"kind": "numeric", "text": "?", "answer": {"value": 1}}
    result = grade(numeric, None, "1" * (MAX_RAW_LENGTH + 1))
    assert result.status == "invalid" and result.error["code"] == "too_long"
