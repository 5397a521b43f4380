"""GIFT as written in real course files (bench/import_real_files.py), read as Moodle reads it.

Found on real files (issue 13's measurement, bench/RESULTS.md «Импорт реальных файлов»): 44
questions of an English course's GIFT files write a right option as ``~=answer``. Moodle turns
every ``=`` into ``~=`` and splits on ``~`` (question/format/gift/format.php), so ``~=c`` gives an
empty option and a right one «c»; qtype_multichoice drops options with empty text when it saves
the question. Moodle therefore imports ``{~a ~b ~=c}`` as a single-answer question with «c»
right; it must not be refused as «пустой вариант ответа». No database needed.
"""

from __future__ import annotations

import grader
from question_bank.formats.common import split_question
from question_bank.formats.gift import parse_gift


def test_tilde_before_equals_is_a_right_option_as_in_moodle():
    result = parse_gift("Q {~a~b~=c}\n", "t.gift")
    assert result.ok, [str(p) for p in result.problems]
    (entry,) = result.bank["questions"]
    assert entry["kind"] == "single_choice"
    assert [(o["text"], o["correct"]) for o in entry["options"]] == [
        ("a", False),
        ("b", False),
        ("c", True),
    ]


def test_tilde_equals_first_in_a_titled_question_keeps_the_key():
    text = "::U3 CD.01::I _____ interested in theatre since I was very young.{~=have been~was}\n"
    result = parse_gift(text, "t.gift")
    assert result.ok, [str(p) for p in result.problems]
    (entry,) = result.bank["questions"]
    assert [(o["text"], o["correct"]) for o in entry["options"]] == [
        ("have been", True),
        ("was", False),
    ]
    spec = split_question(entry)[1]
    assert grader.grade(spec, None, "0").score == 1.0  # «have been», the first option
    assert grader.grade(spec, None, "1").score == 0.0
