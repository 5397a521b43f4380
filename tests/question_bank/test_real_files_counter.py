"""bench/import_real_files.py counts a file's questions without our importer: the rules, each
on a small file written for it (the before/after figures in bench/RESULTS.md rest on them)."""

from __future__ import annotations

import importlib.util
import io
import json
import tarfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "import_real_files.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("import_real_files", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gift_blocks_as_moodle_splits_them_and_questions_as_written(bench):
    text = (
        "// a comment block is no question\n"
        "\n"
        "$CATEGORY: $course$/A\n"
        "::Q1:: One? {=a ~b}\n"
        "::Q2:: Two? {=c ~d}\n"
        "Three? {T}\n"
        "\n"
        "::Q4:: Four, a blank line inside its block {\n"
        "=e\n"
        "\n"
        "~f\n"
        "}\n"
        "\n"
        "Grant is {~buried =entombed} in Grant's tomb.\n"
    )
    # Moodle: the category+Q1+Q2+Q3 block, Q4's two halves, the last one
    assert bench.count_gift_blocks(text) == 4
    # as written: Q1, Q2, Q3 (after a block closed at the line's end), Q4, the last one
    assert bench.count_gift(text)[1] == {"gift": 5}


def test_gift_text_after_a_block_and_escaped_braces_stay_one_question(bench):
    text = "Braces \\{ and \\} in text {~buried =entombed} in the\ntomb {#1}.\n"
    assert bench.count_gift(text)[1] == {"gift": 1}


def test_moodle_xml_counts_questions_but_not_categories(bench):
    xml = (
        b'<?xml version="1.0"?><quiz><question type="category"/>'
        b'<question type="multichoice"/><question type="cloze"/><question type="cloze"/></quiz>'
    )
    assert bench.count_xml(xml) == ("Moodle XML", {"multichoice": 1, "cloze": 2})


BACKUP = b"""<?xml version="1.0"?>
<question_categories><question_category id="1"><question_bank_entries>
 <question_bank_entry id="10"><question_version><question_versions>
  <questions><question id="100"><parent>0</parent><qtype>multichoice</qtype></question></questions>
 </question_versions><question_versions>
  <questions><question id="101"><parent>0</parent><qtype>multichoice</qtype></question></questions>
 </question_versions></question_version></question_bank_entry>
 <question_bank_entry id="11"><question_version><question_versions><questions>
  <question id="110"><parent>0</parent><qtype>multianswer</qtype></question>
  <question id="111"><parent>110</parent><qtype>numerical</qtype></question>
 </questions></question_versions></question_version></question_bank_entry>
 <question_bank_entry id="12"><question_version><question_versions><questions>
  <question id="120"><parent>0</parent><qtype>random</qtype></question>
 </questions></question_versions></question_version></question_bank_entry>
</question_bank_entries></question_category></question_categories>
"""


def test_backup_counts_entries_not_versions_subquestions_or_random(bench):
    assert bench.count_xml(BACKUP) == ("backup questions.xml", {"multichoice": 1, "multianswer": 1})
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        info = tarfile.TarInfo("questions.xml")
        info.size = len(BACKUP)
        tar.addfile(info, io.BytesIO(BACKUP))
    assert bench.count_mbz(archive.getvalue())[1] == {"multichoice": 1, "multianswer": 1}


def test_crowdanki_counts_the_notes_of_child_decks(bench, tmp_path):
    deck = {
        "__type__": "Deck",
        "notes": [{}, {}],
        "children": [{"__type__": "Deck", "notes": [{}], "children": []}],
    }
    path = tmp_path / "deck.json"
    data = json.dumps(deck).encode()
    assert bench.count_in_file(path, data) == ("CrowdAnki JSON", {"note": 3})
