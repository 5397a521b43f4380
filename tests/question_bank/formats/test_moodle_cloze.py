"""Moodle cloze («вложенные ответы») ↔ multipart: every sub-question type, every rule of the
field syntax with its message, and the round trips of our own exports. No database needed."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
import yaml

import grader
from question_bank.formats.common import FORMAT_TAG, split_question
from question_bank.formats.moodle import export_moodle_xml, parse_moodle_xml
from question_bank.formats.native import parse_bank

BANKS = Path(__file__).resolve().parents[3] / "question_bank" / "banks"


def cloze_xml(text: str, *, name: str = "Поля", tags: tuple = ()) -> bytes:
    tag_xml = "".join(f"<tag><text>{t}</text></tag>" for t in tags)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        '<question type="category"><category><text>$course$/top/Т</text></category></question>\n'
        f'<question type="cloze">\n<name><text>{name}</text></name>\n'
        f'<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>\n'
        "<generalfeedback><text>Решение.</text></generalfeedback>\n"
        f"<tags>{tag_xml}</tags>\n"
        "</question>\n</quiz>\n"
    ).encode()


def imported(text: str, **kwargs):
    result = parse_moodle_xml(cloze_xml(text, **kwargs), "c.xml")
    return result, (result.bank["questions"][0] if result.bank else None)


def messages(result) -> list[str]:
    return [str(p) for p in result.problems]


def test_numerical_with_tolerance_and_weight_and_mistakes():
    result, entry = imported("<p>Высота: {2:NUMERICAL:=5:0.5#Верно~%0%7:0#Забыли k−1~*#Иначе}</p>")
    assert entry["kind"] == "multipart" and entry["text"] == "Высота: [[p1]]"
    [part] = entry["parts"]
    assert part["kind"] == "numeric" and part["weight"] == 2
    assert part["answer"] == {"value": 5} and part["tolerance"] == {"abs": 0.5}
    assert part["mistakes"] == [
        {"id": "moodle_1", "answer": {"value": 7}, "feedback": "Забыли k−1"}
    ]
    assert any("«любой другой ответ» (*)" in m for m in messages(result))
    spec = split_question(entry)[1]
    assert grader.grade(spec, None, json.dumps({"p1": "5,4"})).correct


@pytest.mark.parametrize("short", ["NUMERICAL", "NM"])
def test_numerical_short_name(short):
    _result, entry = imported(f"{{1:{short}:=3}}")
    assert entry["parts"][0]["answer"] == {"value": 3}
    assert entry["parts"][0]["tolerance"] == {"abs": 0.0}


@pytest.mark.parametrize("short", ["SHORTANSWER", "SA", "MW"])
def test_short_answer_types(short):
    result, entry = imported(f"Слой: {{1:{short}:=свёрточный~=conv~%0%полносвязный#Нет}}")
    [part] = entry["parts"]
    assert part["kind"] == "short_text" and part["answers"] == ["свёрточный", "conv"]
    assert part["mistakes"][0]["answer"] == {"value": "полносвязный"}
    assert not [m for m in messages(result) if "регистр" in m]


@pytest.mark.parametrize("short", ["SHORTANSWER_C", "SAC", "MWC"])
def test_case_sensitive_short_answer_is_kept_with_a_warning(short):
    result, entry = imported(f"{{1:{short}:=ReLU}}")
    assert entry["parts"][0]["answers"] == ["ReLU"]
    [problem] = result.problems
    assert problem.severity == "warning" and problem.line == 4
    assert "«Поля»: поле 1: регистр букв в Нейрозачёте не учитывается" in problem.message


@pytest.mark.parametrize(
    ("short", "shuffle"),
    [
        ("MULTICHOICE", False), ("MC", False), ("MULTICHOICE_V", False), ("MCV", False),
        ("MULTICHOICE_H", False), ("MCH", False), ("MULTICHOICE_S", True), ("MCS", True),
        ("MULTICHOICE_VS", True), ("MCVS", True), ("MULTICHOICE_HS", True), ("MCHS", True),
    ],
)  # fmt: skip
def test_multichoice_variants(short, shuffle):
    _result, entry = imported(f"{{1:{short}:=10#да~9#Смещение~27}}")
    [part] = entry["parts"]
    assert part["kind"] == "single_choice" and part["shuffle"] is shuffle
    assert [o["correct"] for o in part["options"]] == [True, False, False]
    assert part["options"][1]["feedback"] == "Смещение"


@pytest.mark.parametrize(
    ("short", "shuffle"),
    [("MULTIRESPONSE", False), ("MR", False), ("MULTIRESPONSE_H", False), ("MRH", False),
     ("MULTIRESPONSE_S", True), ("MRS", True), ("MULTIRESPONSE_HS", True), ("MRHS", True)],
)  # fmt: skip
def test_multiresponse_variants(short, shuffle):
    _result, entry = imported(f"{{1:{short}:%50%сигмоида~%50%tanh~%-100%ReLU#Нет}}")
    [part] = entry["parts"]
    assert part["kind"] == "multiple_choice" and part["shuffle"] is shuffle
    assert [o["correct"] for o in part["options"]] == [True, True, False]
    spec = split_question(entry)[1]
    assert grader.grade(spec, None, json.dumps({"p1": "0,1"})).correct


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        (r"a\}b", "a}b"),
        (r"a\#b", "a#b"),
        (r"a\~b", "a~b"),
        (r"a\/b", "a/b"),
        (r"a\"b", 'a"b'),
        (r"a\\b", "a\\b"),
    ],
)
def test_escapes(written, meant):
    _result, entry = imported(f"{{1:SA:={written}#отзыв \\# с решёткой~%0%x#y}}")
    part = entry["parts"][0]
    # the right answer keeps its own feedback (escaped # inside it)
    assert part["answers"] == [{"text": meant, "feedback": "отзыв # с решёткой"}]


def test_escaped_feedback_and_option_text():
    _result, entry = imported(r"{1:MC:=a\~b#хорошо \} да~c}")
    options = entry["parts"][0]["options"]
    assert options[0] == {"text": "a~b", "correct": True, "feedback": "хорошо } да"}


def test_several_fields_keep_their_places_and_the_solution():
    _result, entry = imported("<p>{1:NM:=1} и {1:SA:=два}</p><p>и {3:MC:=три~четыре}</p>")
    assert entry["text"] == "[[p1]] и [[p2]]\n\nи [[p3]]"
    assert [p["name"] for p in entry["parts"]] == ["p1", "p2", "p3"]
    assert entry["parts"][2]["weight"] == 3 and entry["solution"] == "Решение."
    parsed = parse_bank(yaml.safe_dump(_bank([entry]), allow_unicode=True), "b.yaml")
    assert parsed.ok, [str(p) for p in parsed.problems]


def _bank(questions: list[dict]) -> dict:
    questions = [{k: v for k, v in q.items() if k != "topic"} for q in questions]
    return {"format": FORMAT_TAG, "bank": {"slug": "b", "title": "Б"}, "questions": questions}


def test_partial_grades_are_kept_and_scored_as_moodle_scores_them():
    result, entry = imported("{1:NM:=5~%50%6#почти}, {1:MC:=a~%50%b~c}, {1:SA:=full~%50%half}")
    assert not [p for p in result.problems if p.code == "partial"]
    numeric, choice, short = entry["parts"]
    assert numeric["alternatives"] == [
        {"answer": {"value": 6}, "tolerance": {"abs": 0.0}, "fraction": 0.5, "feedback": "почти"}
    ]
    assert [o.get("fraction") for o in choice["options"]] == [1.0, 0.5, 0.0]
    assert short["answers"] == ["full", {"text": "half", "fraction": 0.5}]
    parsed = parse_bank(yaml.safe_dump(_bank([entry]), allow_unicode=True), "b.yaml")
    assert parsed.ok, [str(p) for p in parsed.problems]
    spec = {k: v for k, v in entry.items() if k not in ("slug", "title", "topic", "tags")}
    halves = json.dumps({"p1": "6", "p2": "1", "p3": "half"})
    assert grader.grade(spec, None, halves).score == pytest.approx(0.5)
    full = json.dumps({"p1": "5", "p2": "0", "p3": "full"})
    assert grader.grade(spec, None, full).correct


@pytest.mark.parametrize(
    ("text", "message", "code"),
    [
        ("{1:SA:%x%a}", "поле 1: после % ждётся процент и ещё один % (например %50%)",
         "bad_fraction"),
        ("{1:SA:=a~%50b}", "поле 1: после % ждётся процент и ещё один %", "bad_fraction"),
        ("{1:SA:%150%a}", "поле 1: балл 150% вне пределов от −100 до 100", "bad_fraction"),
        ("{1:NM:=5} {1:FOO:=a}", "поле 2: неизвестный тип «FOO»", "unknown_cloze_type"),
        ("{1:SA:=a", "поле 1: нет закрывающей фигурной скобки }", "unclosed_field"),
        ("{1:SA:}", "поле 1: нет ни одного ответа", "empty_field"),
        ("{0:SA:=a}", "поле 1: вес поля 0: нужен вес от 1 до 1000", "bad_weight"),
        ("{1001:SA:=a}", "поле 1: вес поля 1001: нужен вес от 1 до 1000", "bad_weight"),
        ("{1:NM:=пять}", "поле 1: ответ NUMERICAL пишется «число:допуск»", "bad_number"),
        ("{1:NM:%0%5#нет}", "поле 1: нет ответа с баллом 100 %", "no_correct"),
        ("{1:SA:%0%a#нет}", "поле 1: нет ни одного ответа с баллом 100 %", "no_correct"),
        ("{1:MC:=a}", "поле 1: нужно не меньше двух вариантов ответа", "too_few_options"),
        ("{1:MR:a~b}", "поле 1: нет ни одного верного варианта", "bad_cloze"),
        ("{1:MC:=a~}", "поле 1: пустой вариант ответа", "empty_option"),
        ("Текст без полей {a}", "в тексте нет ни одного поля вида {1:SHORTANSWER:=ответ}",
         "no_cloze_fields"),
    ],
)  # fmt: skip
def test_each_rule_is_named_with_the_question_and_its_line(text, message, code):
    result, entry = imported(text)
    assert entry is None  # the only question was refused
    [problem] = [p for p in result.problems if p.code == code]
    assert problem.severity == "error" and problem.line == 4
    assert problem.message.startswith("вопрос «Поля»: ") and message in problem.message


def test_a_broken_cloze_does_not_stop_the_other_questions():
    xml = cloze_xml("{1:SA:%x%a}").replace(
        b"</quiz>",
        b'<question type="cloze"><name><text>OK</text></name><questiontext><text>'
        b"{1:NM:=1}</text></questiontext></question></quiz>",
    )
    result = parse_moodle_xml(xml, "c.xml")
    assert [q["title"] for q in result.bank["questions"]] == ["OK"]


def test_a_foreign_cloze_with_our_kind_tag_but_other_fields_stays_multipart():
    _result, entry = imported("{1:SA:=a} {1:NM:=2}", tags=("nz-kind:vector",))
    assert entry["kind"] == "multipart" and "tags" not in entry


def test_our_vector_cloze_without_a_tolerance_tag_takes_the_widest_bound():
    text = "<p>Вектор?</p><p>Ответ: ({1:NUMERICAL:=1:0.1}; {1:NUMERICAL:=20:0.5})</p>"
    _result, entry = imported(text, tags=("nz-kind:vector",))
    assert entry["kind"] == "vector" and entry["text"] == "Вектор?"
    assert entry["answer"] == {"value": [1, 20]} and entry["tolerance"] == {"abs": 0.5}


def test_machine_tags_are_not_imported_as_tags():
    _result, entry = imported("{1:NM:=1}", tags=("nz-parts:h", "свёртки"))
    assert entry["tags"] == ["свёртки"] and entry["parts"][0]["name"] == "h"
    assert entry["text"] == "[[h]]"


# --- export and round trips -------------------------------------------------------------------

MULTIPART = {
    "slug": "conv-out",
    "title": "Выход свёртки",
    "kind": "multipart",
    "params": {"n": {"type": "int", "min": 5, "max": 9, "default": 7}},
    "text": "Вход ${{ n }}\\times{{ n }}$, ядро 3. Высота: [[h]]; слой: [[w]]; параметры: [[p]]; "
    "ограничены: [[b]].",
    "parts": [
        {
            "name": "h",
            "kind": "numeric",
            "answer": {"expr": "n - 2"},
            "tolerance": {"abs": 0},
            "mistakes": [{"answer": {"expr": "n"}, "feedback": "Вычтите k − 1."}],
        },
        {
            "name": "w",
            "kind": "short_text",
            "weight": 2,
            "answers": ["свёрточный", "conv#1"],
            "mistakes": [{"answer": {"value": "dense"}, "feedback": "Нет~не он."}],
        },
        {
            "name": "p",
            "kind": "single_choice",
            "shuffle": False,
            "options": [
                {"text": "10", "correct": True},
                {"text": "9 {без bias}", "feedback": "Смещение & вес."},
            ],
        },
        {
            "name": "b",
            "kind": "multiple_choice",
            "options": [
                {"text": "сигмоида", "correct": True},
                {"text": "ReLU"},
                {"text": "tanh", "correct": True},
            ],
        },
    ],
    "solution": "Высота {{ n - 2 }}.",
}


def test_multipart_export_and_import_keep_the_question():
    warnings: list = []
    xml = export_moodle_xml(_bank([MULTIPART]), warnings=warnings)
    text = xml.decode()
    assert '<question type="cloze">' in text and "{1:NUMERICAL:=5:0~%0%7:0#" in text
    assert "<text>nz-parts:h,w,p,b</text>" in text
    assert any("одним вариантом" in str(w) for w in warnings)  # a template: its default variant
    result = parse_moodle_xml(xml, "mp.xml")
    assert result.ok, messages(result)
    [entry] = result.bank["questions"]
    assert entry["slug"] == "conv-out" and entry["kind"] == "multipart"
    assert (
        entry["text"] == "Вход $7\\times7$, ядро 3. Высота: [[h]]; слой: [[w]]; параметры: [[p]]; "
        "ограничены: [[b]]."
    )
    h, w, p, b = entry["parts"]
    assert (h["kind"], h["answer"], h["tolerance"]) == ("numeric", {"value": 5}, {"abs": 0.0})
    assert h["mistakes"][0]["answer"] == {"value": 7}
    assert w["kind"] == "short_text" and w["weight"] == 2
    assert w["answers"] == ["свёрточный", "conv#1"]
    assert w["mistakes"][0]["feedback"] == "Нет~не он."
    assert p["options"] == [
        {"text": "10", "correct": True},
        {"text": "9 {без bias}", "correct": False, "feedback": "Смещение & вес."},
    ]
    assert p["shuffle"] is False and b["shuffle"] is True
    assert [o["correct"] for o in b["options"]] == [True, False, True]
    assert b["kind"] == "multiple_choice"
    spec = split_question(entry)[1]
    right = {"h": "5", "w": "conv#1", "p": "0", "b": "0, 2"}
    assert grader.grade(spec, None, json.dumps(right, ensure_ascii=False)).correct
    assert grader.check_spec(spec, samples=2) == []
    # and the whole thing is a valid native bank again
    parsed = parse_bank(yaml.safe_dump(_bank([entry]), allow_unicode=True), "b.yaml")
    assert parsed.ok, [str(p) for p in parsed.problems]


def test_multipart_without_markers_lists_labelled_fields_after_the_text():
    plain = {**MULTIPART, "text": "Вход ${{ n }}$.", "params": MULTIPART["params"]}
    plain["parts"] = [{**MULTIPART["parts"][0], "label": "Высота"}, MULTIPART["parts"][2]]
    xml = html.unescape(export_moodle_xml(_bank([plain])).decode())
    assert "<p>Высота: {1:NUMERICAL:=5:0" in xml and "<p>(2): {1:MULTICHOICE_V:=10" in xml


def test_fractional_weights_become_whole_numbers():
    halves = {
        **MULTIPART,
        "parts": [{**MULTIPART["parts"][0], "weight": 0.5}, MULTIPART["parts"][2]],
    }
    halves["text"] = "[[h]] [[p]]"
    xml = export_moodle_xml(_bank([halves])).decode()
    assert "{1:NUMERICAL:" in xml and "{2:MULTICHOICE_V:" in xml


@pytest.mark.parametrize(
    ("bank_file", "kind"), [("09-cnn.yaml", "vector"), ("09-cnn.yaml", "matrix")]
)
def test_bundled_vector_and_matrix_come_back_as_the_same_kind(bank_file, kind):
    bank = parse_bank((BANKS / bank_file).read_bytes(), bank_file).bank
    chosen = [q for q in bank["questions"] if q["kind"] == kind]
    assert chosen, f"no {kind} question in {bank_file}"
    xml = export_moodle_xml({**bank, "questions": chosen})
    result = parse_moodle_xml(xml, "back.xml")
    assert result.ok, messages(result)
    assert [q["kind"] for q in result.bank["questions"]] == [kind] * len(chosen)
    for before, after in zip(chosen, result.bank["questions"], strict=True):
        assert after["slug"] == before["slug"]
        assert after.get("tolerance") == before.get("tolerance")
        original = grader.grade(split_question(before)[1], None, "")
        spec = split_question(after)[1]
        typed = json.dumps(original.expected)
        assert grader.grade(spec, None, typed).correct, (after["slug"], typed)
        assert "Ответ" not in after["text"].split("\n")[-1] or "Ответ" in before["text"]


def test_a_bundled_bank_now_comes_back_whole():
    bank = parse_bank((BANKS / "09-cnn.yaml").read_bytes(), "09-cnn.yaml").bank
    result = parse_moodle_xml(export_moodle_xml(bank), "cnn.xml")
    assert len(result.bank["questions"]) == len(bank["questions"])  # was 43 of 55
    kinds_before = sorted(q["kind"] for q in bank["questions"] if q["kind"] != "expression")
    kinds_after = sorted(q["kind"] for q in result.bank["questions"] if q["slug"] in {
        q["slug"] for q in bank["questions"] if q["kind"] != "expression"})  # fmt: skip
    assert kinds_after == kinds_before


def test_vector_and_expression_fields_are_exported_approximately_with_warnings():
    mixed = {
        "slug": "mix",
        "title": "Смесь",
        "kind": "multipart",
        "text": "Форма [[v]], производная [[d]].",
        "parts": [
            {"name": "v", "kind": "vector", "answer": {"value": [1, 2]}, "weight": 2},
            {"name": "d", "kind": "expression", "variables": ["t"], "answer": {"expr": "2*t"}},
        ],
    }
    warnings: list = []
    xml = export_moodle_xml(_bank([mixed]), warnings=warnings)
    notes = " ".join(str(w) for w in warnings)
    assert "поле v: по числовому полю на каждый элемент" in notes
    assert "поле d: выражение экспортировано как короткий ответ" in notes
    [entry] = parse_moodle_xml(xml, "mix.xml").bank["questions"]
    assert entry["text"] == "Форма ([[p1]]; [[p2]]), производная [[p3]]."
    assert [(p["kind"], p.get("weight", 1)) for p in entry["parts"]] == [
        ("numeric", 2), ("numeric", 2), ("short_text", 1)
    ]  # fmt: skip
    assert entry["parts"][2]["answers"] == ["2*t"]
