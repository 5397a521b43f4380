"""Item analysis of a multipart question lists the typical mistakes of its fields."""

from __future__ import annotations

import json
from collections import Counter
from types import SimpleNamespace

from grader import grading
from quizapp.gradebook.item_analysis import _mistakes

SPEC = {
    "kind": "multipart",
    "text": "[[h]] [[p]]",
    "parts": [
        {
            "name": "h",
            "kind": "numeric",
            "answer": {"value": 5},
            "mistakes": [{"id": "no_k", "answer": {"value": 7}, "feedback": "Вычтите k − 1."}],
        },
        {
            "name": "p",
            "kind": "numeric",
            "answer": {"value": 10},
            "mistakes": [{"answer": {"value": 9}, "feedback": "Смещение."}],
        },
    ],
}


def test_field_mistakes_are_counted_under_the_ids_grading_gives_them():
    ids = [
        grading.grade(SPEC, None, json.dumps(raw)).mistake["id"]
        for raw in ({"h": "7"}, {"h": "7", "p": "9"}, {"p": "9"})
    ]
    analysis = SimpleNamespace(mistakes=[])
    _mistakes(analysis, 1, Counter((1, i) for i in ids), {"spec": SPEC})
    assert analysis.mistakes == [("h:no_k", "Вычтите k − 1.", 2), ("p:mistake_0", "Смещение.", 1)]
