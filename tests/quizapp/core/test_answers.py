"""Multi-field answers: the posted fields ↔ the grader's JSON object (quizapp/core/answers.py)."""

import json

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from quizapp.core.answers import compound_display, compound_fields, compound_raw
from quizapp.core.http import posted_answer
from quizapp.templatetags.answers import field_chosen, field_text, letter


def _post(body: str):
    return RequestFactory().post("/", body, content_type="application/x-www-form-urlencoded")


def test_parts_posted_one_by_one_become_one_json_object_in_form_order():
    raw = posted_answer(_post("part-h=5&part-p=0&part-p=2&part-t=%D0%B0%D0%B1"))
    assert json.loads(raw) == {"h": "5", "p": "0,2", "t": "аб"}
    assert list(json.loads(raw)) == ["h", "p", "t"]


def test_matching_selects_become_stem_to_choice_object():
    raw = posted_answer(_post("match-0=2&match-1=&match-2=0"))
    assert json.loads(raw) == {"0": "2", "1": "", "2": "0"}


def test_answer_box_wins_over_fields_and_plain_forms_are_unchanged():
    # With JS the page posts the JSON itself as «answer»; nothing is joined again.
    assert posted_answer(_post("answer=%7B%22h%22%3A%221%22%7D&part-h=9")) == '{"h":"1"}'
    assert posted_answer(_post("answer=0%2C95")) == "0,95"
    assert posted_answer(_post("choice=0&choice=2")) == "0,2"
    assert posted_answer(_post("")) == ""


def test_a_forged_post_with_thousands_of_fields_is_cut():
    body = "&".join(f"part-f{i}=1" for i in range(500))  # Django refuses more than 1,000
    assert len(json.loads(compound_raw(QueryDict(body)))) == 100


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ('{"h": "5", "p": "0,2"}', {"h": "5", "p": "0,2"}),
        ('{"h": 5}', {"h": "5"}),
        ("[1, 2]", {}),
        ("{broken", {}),
        ("0,95", {}),
        (None, {}),
    ],
)
def test_saved_answers_are_read_back_into_fields(raw, fields):
    assert compound_fields(raw) == fields


def test_display_and_filters():
    assert compound_display('{"h": "5", "p": "0"}') == "h: 5; p: 0"
    assert compound_display("0,95") == "0,95"
    fields = compound_fields('{"h": "5", "p": "0,2", "0": "1"}')
    assert field_text(fields, "h") == "5"
    assert field_text(fields, 0) == "1"
    assert field_text(fields, "missing") == ""
    assert field_chosen(fields, "p") == [0, 2]
    assert [letter(i) for i in (0, 1, 5, 6)] == ["А", "Б", "Е", "Ж"]
    assert letter(100) == "101"
