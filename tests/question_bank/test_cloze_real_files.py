"""A cloze as Moodle's own fixture writes it (bench/import_real_files.py, bench/RESULTS.md
«Импорт реальных файлов»): question/format/multianswer/tests/fixtures/multianswer-all-types.xml
has a SHORTANSWER field with answers worth a part, ``{1:SHORTANSWER:=Whisky~=Whiskey~%50%Wiskey}``.

The import reads it right (the field gives «Wiskey» 0.5) but the validator's check that every
accepted answer of a short-text field, typed as listed, is *correct* (grader/checks.py,
``_parts_accepted``) takes the 50 % answer for a rejected one, so the whole question is refused
(«поле p1: принимаемый ответ 'Wiskey', набранный как в списке, не засчитан») and the file gives
nothing. A partial answer must earn its fraction, not full marks (as ``_accepted_accepted`` does
for a plain short answer). No database needed.
"""

from __future__ import annotations

import json

import grader
from question_bank.formats.common import split_question
from question_bank.services import bank_validate_file

CLOZE = b"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="cloze">
    <name><text>Whisky</text></name>
    <questiontext format="html"><text><![CDATA[<p>The drink is
{1:SHORTANSWER:=Whisky~=Whiskey~%50%Wiskey~%25%Wisky}.</p>]]></text></questiontext>
  </question>
</quiz>
"""


def test_a_cloze_short_answer_worth_a_part_is_imported_not_refused():
    result, problems = bank_validate_file(data=CLOZE, filename="cloze.xml", variants=5)
    assert [str(p) for p in problems if p.severity == "error"] == []
    (entry,) = result.bank["questions"]
    spec = split_question(entry)[1]
    scores = {
        text: grader.grade(spec, None, json.dumps({"p1": text})).score
        for text in ("Whisky", "Whiskey", "Wiskey", "Wisky", "Vodka")
    }
    assert scores == {"Whisky": 1.0, "Whiskey": 1.0, "Wiskey": 0.5, "Wisky": 0.25, "Vodka": 0.0}


def test_the_question_check_lets_a_partial_field_answer_earn_its_fraction():
    spec = {
        "kind": "multipart",
        "text": "The drink is [[p1]].",
        "parts": [
            {
                "name": "p1",
                "kind": "short_text",
                "answers": ["Whisky", {"text": "Wiskey", "fraction": 0.5}],
            }
        ],
    }
    assert grader.check_spec(spec, samples=5) == []  # the schema holds
    assert grader.check_question(spec, 5) == []  # and so must the check of the variants
