"""A multipart question through the API: its fields are shown, their keys only when revealed."""

from __future__ import annotations

import json
from dataclasses import replace

from grader import grading
from quizapp.api.selectors import presented_for_client, result_for_client
from quizapp.api.serializers import GradeResultSerializer, VariantSerializer
from quizapp.attempts.visibility import EVERYTHING
from quizapp.models import Response

# During an attempt that shows verdicts as answers come: right or wrong, no keys.
HIDDEN_KEYS = replace(EVERYTHING, solutions=False)

SPEC = {
    "kind": "multipart",
    "text": "Высота: [[h]]; параметров: [[p]].",
    "parts": [
        {
            "name": "h",
            "kind": "numeric",
            "answer": {"value": 5},
            "mistakes": [{"answer": {"value": 7}, "feedback": "Вычтите k − 1."}],
        },
        {
            "name": "p",
            "kind": "single_choice",
            "options": [{"text": "10", "correct": True}, {"text": "9"}],
        },
    ],
}


def _response(raw: str) -> Response:
    result = grading.grade(SPEC, None, raw).as_dict()
    return Response(status=Response.Status(result["status"]), result=result)


def test_field_keys_are_hidden_until_revealed():
    response = _response(json.dumps({"h": "7", "p": "1"}))
    hidden = result_for_client(response, visible=HIDDEN_KEYS)
    assert [p["name"] for p in hidden["parts"]] == ["h", "p"]
    assert all("expected_display" not in p and "mistake" not in p for p in hidden["parts"])
    assert hidden["parts"][0]["correct"] is False and "expected" not in hidden
    shown = result_for_client(response, visible=EVERYTHING)
    assert shown["parts"][0]["expected_display"] == "$5$"
    assert shown["parts"][0]["mistake"]["feedback"] == "Вычтите k − 1."
    assert GradeResultSerializer(hidden).data["parts"][1]["name"] == "p"


def test_component_parts_of_other_kinds_are_unchanged():
    result = grading.grade({"kind": "vector", "answer": {"value": [1, 2]}}, None, "1 3").as_dict()
    response = Response(status=Response.Status.GRADED, result=result)
    assert result_for_client(response, visible=HIDDEN_KEYS)["parts"] == [True, False]


def test_the_variant_lists_the_fields_without_keys():
    shown = presented_for_client(grading.present(SPEC, None).as_dict())
    assert shown["text"] == "Высота: (1); параметров: (2)."
    assert [p["name"] for p in shown["parts"]] == ["h", "p"]
    data = VariantSerializer(shown).data
    assert data["parts"][1]["options"] == [{"index": 0, "text": "10"}, {"index": 1, "text": "9"}]
    assert "correct" not in json.dumps(data)
    single = presented_for_client(grading.present(SPEC["parts"][1] | {"text": "?"}, None).as_dict())
    assert "parts" not in single
