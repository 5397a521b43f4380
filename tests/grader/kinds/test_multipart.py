"""Multipart questions: several fields of their own kinds, one variant, one weighted score."""

from __future__ import annotations

import json

import pytest

from grader import grading
from grader.checks import check_question
from grader.errors import ParseError, SpecError
from grader.kinds import multipart

SPEC = {
    "kind": "multipart",
    "params": {"n": {"type": "int", "min": 5, "max": 9, "default": 7}},
    "text": "Вход {{ n }}×{{ n }}, ядро 3. Высота: [[h]]; параметров: [[p]]; форма: [[v]].",
    "parts": [
        {
            "name": "h",
            "kind": "numeric",
            "label": "Высота при n = {{ n }}",
            "answer": {"expr": "n - 2"},
            "tolerance": {"abs": 0},
            "feedback": "Выход: {{ n }} − 3 + 1.",
            "mistakes": [{"id": "no_k", "answer": {"expr": "n"}, "feedback": "Вычтите k − 1."}],
        },
        {
            "name": "p",
            "kind": "single_choice",
            "weight": 2,
            "options": [
                {"text": "10", "correct": True},
                {"text": "9", "feedback": "Смещение тоже параметр."},
                {"text": "27"},
            ],
        },
        {
            "name": "v",
            "kind": "vector",
            "answer": {"expr": "[n - 2, 1]"},
            "mistakes": [{"answer": {"expr": "[n - 2]"}, "feedback": "Забыли канал."}],
        },
    ],
    "solution": "Высота {{ n - 2 }}.",
}


def raw(**parts) -> str:
    return json.dumps(parts, ensure_ascii=False)


def test_present_numbers_the_markers_and_lists_the_fields_in_order():
    shown = grading.present(SPEC, None)
    assert shown.text == "Вход 7×7, ядро 3. Высота: (1); параметров: (2); форма: (3)."
    assert [(p["name"], p["number"], p["kind"]) for p in shown.parts] == [
        ("h", 1, "numeric"),
        ("p", 2, "single_choice"),
        ("v", 3, "vector"),
    ]
    assert shown.parts[0]["label"] == "Высота при n = 7"
    assert shown.parts[0]["input_hint"].startswith("число")
    assert shown.parts[2]["answer_shape"] == [2]
    assert [o["text"] for o in shown.parts[1]["options"]] == ["10", "9", "27"]


def test_choice_fields_are_shuffled_per_variant_with_stable_indices():
    orders = {
        tuple(o["index"] for o in grading.present(SPEC, seed).parts[1]["options"])
        for seed in range(30)
    }
    assert len(orders) > 1
    for seed in range(5):
        options = grading.present(SPEC, seed).parts[1]["options"]
        right = next(o["index"] for o in options if o["text"] == "10")
        assert grading.grade(SPEC, seed, raw(h="0", p=str(right), v="0 0")).parts[1]["correct"]


def test_all_fields_right_is_right_and_scores_one():
    result = grading.grade(SPEC, None, raw(h="5", p="0", v="[5; 1]"))
    assert result.status == "graded" and result.correct and result.score == 1.0
    assert result.expected_display == "(1) $5$; (2) 10; (3) $(5, 1)$"
    # a choice field is read back as its option's text («10»), as the key shows it, not «0»
    assert result.parsed_display.startswith("(1) 5; (2) 10; (3) ")
    assert [p["status"] for p in result.parts] == ["graded"] * 3
    assert result.expected == {"h": 5, "p": [0], "v": [5, 1]}
    assert result.solution == "Высота 5."


def test_score_is_the_weighted_mean_of_the_fields():
    # h right (weight 1), p wrong (weight 2), v half right (weight 1): (1 + 0 + 0.5) / 4
    result = grading.grade(SPEC, None, raw(h="5", p="1", v="[5; 7]"))
    assert result.status == "graded" and not result.correct
    assert result.score == pytest.approx(1.5 / 4)
    assert [p["score"] for p in result.parts] == [1.0, 0.0, 0.5]
    assert "Частично верно: 1 из 3 полей." in result.feedback


def test_a_blank_or_missing_field_is_unanswered_not_unreadable():
    result = grading.grade(SPEC, None, raw(h="5", p="  "))
    assert result.status == "graded"
    assert [p["status"] for p in result.parts] == ["graded", "empty", "empty"]
    assert result.score == pytest.approx(1 / 4)
    assert result.parsed_display == "(1) 5; (2) —; (3) —"


def test_an_unreadable_field_makes_the_answer_invalid_naming_the_field():
    result = grading.grade(SPEC, None, raw(h="5", p="0", v="[1; 2"))
    assert result.status == "invalid" and result.score == 0
    assert result.feedback.startswith("Поле (3): ")
    assert result.error["part"] == "v" and result.error["number"] == 3


def test_another_shape_is_unreadable_unless_it_is_a_typical_mistake_of_that_field():
    other = grading.grade(SPEC, None, raw(h="5", v="1 2 3"))
    assert other.status == "invalid" and other.error["code"] == "wrong_shape"
    mistake = grading.grade(SPEC, None, raw(h="5", v="5"))
    assert mistake.status == "graded"
    assert mistake.parts[2]["mistake"]["feedback"] == "Забыли канал."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("5", "объект JSON"),
        ("[1, 2]", "объект JSON"),
        ('{"h": "5"', "объект JSON"),
        ('{"h": "5", "zz": "1"}', "нет в вопросе: zz"),
        ('{"h": [5]}', "поле h должен быть текстом"),
    ],
)
def test_not_an_object_of_the_fields_is_unreadable(text, message):
    result = grading.grade(SPEC, None, text)
    assert result.status == "invalid" and result.error["code"] == "bad_parts"
    assert message in result.feedback


def test_the_whole_raw_keeps_the_length_limit():
    result = grading.grade(SPEC, None, raw(h="5" + " " * grading.MAX_RAW_LENGTH))
    assert result.status == "invalid" and result.error["code"] == "too_long"


def test_typical_mistakes_and_feedback_live_in_the_fields():
    result = grading.grade(SPEC, None, raw(h="7", p="1", v="5 1"))
    h, p, _v = result.parts
    assert h["mistake"]["id"] == "h:no_k"
    assert "Вычтите k − 1." in h["feedback"] and "Выход: 7 − 3 + 1." in h["feedback"]
    assert "Смещение тоже параметр." in p["feedback"]
    assert result.mistake["id"] == "h:no_k"
    assert "(1) " in result.feedback and "Вычтите k − 1." in result.feedback


def test_part_feedback_is_shown_for_a_right_answer_too():
    result = grading.grade(SPEC, None, raw(h="5", p="0", v="5 1"))
    assert "Выход: 7 − 3 + 1." in result.parts[0]["feedback"]


def test_kind_module_parse_score_and_errors():
    keys = multipart.expected(SPEC, {"n": 7})
    parsed = multipart.parse(raw(h="5", p="0"), SPEC, keys)
    assert parsed.value["v"] is None
    outcome = multipart.score(parsed, keys, SPEC)
    assert outcome.score == pytest.approx(3 / 4) and outcome.parts == [True, True, False]
    with pytest.raises(ParseError) as caught:
        multipart.parse(raw(p="7"), SPEC, keys)
    assert caught.value.message.startswith("Поле (2): ") and caught.value.code == "bad_choice"


def test_a_nested_multipart_field_is_refused():
    spec = {**SPEC, "parts": [{"name": "x", "kind": "multipart", "parts": []}]}
    with pytest.raises(SpecError) as caught:
        grading.grade(spec, None, "{}")
    assert caught.value.code == "bad_part_kind"


def test_preview_reads_each_field_and_names_the_unreadable_one():
    ok = grading.preview(SPEC, None, raw(h="0,5", v="1 2"), decimal=",")
    assert ok["ok"] and ok["display"] == "(1) 0,5; (3) вектор из 2 элементов: (1; 2)"
    assert [p["ok"] for p in ok["parts"]] == [True, False, True]
    bad = grading.preview(SPEC, None, raw(h="5", p="9"))
    assert not bad["ok"] and bad["message"].startswith("Поле (2): ")
    assert grading.preview(SPEC, None, "")["code"] == "empty"
    assert grading.preview(SPEC, None, "[]")["code"] == "bad_parts"


def test_self_test_and_check_spec_pass_for_a_good_question():
    test = multipart.self_test(SPEC, multipart.expected(SPEC, {"n": 7}))
    assert json.loads(test.correct) == {"h": "5", "p": "0", "v": "[5.0; 1.0]"}
    assert grading.grade(SPEC, None, test.correct).correct
    assert not grading.grade(SPEC, None, test.wrong).correct
    assert grading.grade(SPEC, None, test.invalid).status == "invalid"
    assert grading.check_spec(SPEC) == []
    assert check_question(SPEC, 200) == []


def test_check_question_names_a_field_whose_key_cannot_be_computed():
    spec = {**SPEC, "parts": [*SPEC["parts"][:2], {**SPEC["parts"][2], "answer": {"expr": "n"}}]}
    problems = check_question(spec, 20)
    assert any("поле v:" in message for message, _code in problems), problems


def test_check_question_names_a_field_accepted_answer_that_is_rejected():
    spec = {
        "kind": "multipart",
        "text": "Что?",
        "parts": [
            {"name": "a", "kind": "short_text", "answers": [{"text": "abc", "keywords": ["xyz"]}]}
        ],
    }
    problems = check_question(spec, 1)
    assert any("поле a: принимаемый ответ" in message for message, _code in problems), problems


def test_the_bounded_child_previews_and_grades_multipart_answers():
    import grader

    shown = grader.preview(SPEC, None, raw(h="0.5", v="1 2"), decimal=",")
    assert shown["ok"] and shown["display"] == "(1) 0,5; (3) вектор из 2 элементов: (1; 2)"
    assert shown["parts"][0]["display"] == "0,5"
    first, second = grader.preview_many([(SPEC, None, raw(h="5")), (SPEC, None, raw(p="x"))])
    assert first["ok"] and not second["ok"] and second["message"].startswith("Поле (2): ")
    assert grader.grade(SPEC, None, raw(h="5", p="0", v="5 1")).correct


@pytest.mark.parametrize("hostile", ["[" * 1999, '{"h": ' * 300 + "1" + "}" * 300, "\x00{}"])
def test_hostile_raws_are_unreadable_not_a_crash(hostile):
    result = grading.grade(SPEC, None, hostile)
    assert result.status == "invalid" and result.error["code"] in ("bad_parts", "too_long")
