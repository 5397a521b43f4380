"""The instructor's preview of a multipart question: every field's key, options and mistakes."""

from __future__ import annotations

from question_bank.preview import check_answer, template_variants

SPEC = {
    "kind": "multipart",
    "params": {"n": {"type": "int", "min": 5, "max": 9, "default": 7}},
    "text": "Высота: [[h]]; параметров: [[p]].",
    "parts": [
        {
            "name": "h",
            "kind": "numeric",
            "answer": {"expr": "n - 2"},
            "mistakes": [{"id": "no_k", "answer": {"expr": "n"}, "feedback": "Вычтите {{ 2 }}."}],
        },
        {
            "name": "p",
            "kind": "single_choice",
            "weight": 2,
            "options": [{"text": "10", "correct": True}, {"text": "9"}],
        },
    ],
}


def test_preview_lists_each_field_with_its_key_and_mistakes():
    [shown] = template_variants(spec=SPEC, seeds=[None])
    assert "error" not in shown, shown
    assert shown["text"] == "Высота: (1); параметров: (2)."
    assert shown["key_display"] == "(1) $5$; (2) 10"
    h, p = shown["parts"]
    assert (h["name"], h["number"], h["key_display"]) == ("h", 1, "$5$")
    assert h["mistakes"] == [
        {"id": "no_k", "feedback": "Вычтите 2.", "value_display": "$7$", "equals_key": False}
    ]
    assert [(o["text"], o["correct"]) for o in p["options"]] == [("10", True), ("9", False)]
    assert p["weight"] == 2


def test_checking_an_answer_in_the_preview_grades_every_field():
    result = check_answer(spec=SPEC, seed=None, raw='{"h": "7", "p": "0"}')
    assert result["ok"] and result["status"] == "graded"
    assert result["score"] == 0.666667  # rounded to 6 digits as every score
    assert result["parts"][0]["mistake"]["id"] == "h:no_k"
