"""Issue 12 §2 in the grader: an answer that cannot be read is a format error, not a wrong answer.

``42`` typed for a vector of 3 is refused (``wrong_shape``) as it is typed and when graded, so a
quiz never scores it as wrong; a percent sign ends a vector element as it ends a numeric
answer; a kind's message ends its sentence before the verdict."""

from __future__ import annotations

import pytest

from grader import grading
from grader.errors import ParseError
from grader.kinds.base import Outcome
from grader.parsing import parse_answer

VECTOR = {"kind": "vector", "answer": {"value": [0.05, 2, 0]}}
MATRIX = {"kind": "matrix", "answer": {"value": [[1, 2], [3, 4]]}}


@pytest.mark.parametrize(
    ("spec", "raw", "message"),
    [
        (VECTOR, "42", "Ожидался вектор из 3 элементов, получен 1."),
        (VECTOR, "[0; 2]", "Ожидался вектор из 3 элементов, получено 2."),
        (MATRIX, "[1 2 3; 4 5 6]", "Ожидалась матрица 2×2, получена матрица 2×3."),
    ],
)
def test_a_wrong_shape_is_unreadable_not_wrong(spec, raw, message):
    result = grading.grade(spec, None, raw)
    assert result.status == "invalid" and not result.correct
    assert result.error["code"] == "wrong_shape"
    assert result.feedback.startswith(message)
    assert "Неверно" not in result.feedback
    assert result.feedback.endswith(".")


def test_the_preview_says_so_while_typing():
    preview = grading.preview(VECTOR, None, "42")
    assert preview == {
        "ok": False,
        "code": "wrong_shape",
        "message": "Ожидался вектор из 3 элементов, получен 1. "
        "Вектор вводится так: [0; 2; 0], [0, 2, 0] или 0 2 0.",
    }


def test_a_row_or_column_of_the_right_size_is_still_a_vector():
    for raw in ["[[0.05, 2, 0]]", "[[0.05], [2], [0]]", "[0.05; 2; 0]"]:
        assert grading.grade(VECTOR, None, raw).correct, raw


@pytest.mark.parametrize(
    ("raw", "values"),
    [
        ("[5%; 2; 0]", [0.05, 2, 0]),
        ("5% 2 0", [0.05, 2, 0]),
        ("5 %, 200%, 0", [0.05, 2, 0]),
        ("[0,5%; 2; 0]", [0.005, 2, 0]),
    ],
)
def test_percent_ends_a_vector_element_as_it_ends_a_number(raw, values):
    parsed = parse_answer(raw, "vector", shape=(3,))
    assert parsed.value.tolist() == pytest.approx(values)
    assert parse_answer("5%", "number").value == pytest.approx(0.05)


def test_percent_in_a_vector_is_graded_like_the_number():
    assert grading.grade(VECTOR, None, "[5%; 2; 0]").correct


def test_percent_in_a_matrix_element():
    assert parse_answer("[50% 1; 2 3]", "matrix").value.tolist() == [[0.5, 1], [2, 3]]


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("[5%2; 1; 1]", "bad_char", "знак % допускается только после числа"),
        ("[%; 1; 2]", "empty", "перед знаком % нет числа"),
    ],
)
def test_a_misplaced_percent_is_refused_with_a_true_message(raw, code, words):
    with pytest.raises(ParseError) as caught:
        parse_answer(raw, "vector", shape=(3,))
    assert caught.value.code == code
    assert words in caught.value.message


def test_a_kinds_message_ends_its_sentence_before_the_verdict():
    outcome = Outcome(score=0.0, message="ожидался вектор из 3 элементов, получен 1")
    assert grading._feedback(outcome, None) == "ожидался вектор из 3 элементов, получен 1. Неверно."
    finished = Outcome(score=0.0, message="Сумма не равна 1.")
    assert grading._feedback(finished, None) == "Сумма не равна 1. Неверно."


def test_a_wrong_shape_that_is_a_typical_mistake_stays_a_recognised_wrong_answer():
    # A convolution without padding gives 1×1 for a 3×3 key: the question names that mistake,
    # so the answer is read, scored 0 and explained, not left for the instructor.
    spec = {
        "kind": "matrix",
        "answer": {"value": [[1, 0, 1], [4, 0, 3], [-2, 4, -2]]},
        "mistakes": [{"id": "no_padding", "answer": {"value": [[0]]}, "feedback": "Без паддинга."}],
    }
    result = grading.grade(spec, None, "0")
    assert result.status == "graded" and result.score == 0
    assert result.mistake["id"] == "no_padding"
    assert result.feedback == (
        "ожидалась матрица 3×3, получена матрица 1×1. Неверно. Без паддинга."
    )
    unknown = grading.grade(spec, None, "5")
    assert unknown.status == "invalid" and unknown.error["code"] == "wrong_shape"
