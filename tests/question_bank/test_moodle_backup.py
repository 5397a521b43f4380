"""Moodle course backups (question_bank/formats/moodle/backup.py): .mbz and its questions.xml.

Every backup here is built by the test: the layouts of Moodle 4.0+ (question bank entries with
versions) and before 4.0, tar.gz and zip archives. A backup must give the same bank as the Moodle
XML export of the same questions (fixtures/moodle_backup_export.xml, written as Moodle writes it).
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from question_bank.formats import parse_file
from question_bank.formats.moodle import backup as backup_module
from question_bank.formats.moodle import backup_archive, parse_moodle_xml
from question_bank.formats.moodle.reader import read_xml

NULL = "$@NULL@$"


# ---------------------------------------------------------------------------------------------
# Building backups


def _text(tag: str, value: str, fmt: int = 1) -> str:
    return f"<{tag}>{escape(value)}</{tag}><{tag}format>{fmt}</{tag}format>"


def _answers(rows, start: int) -> str:
    """``rows``: (text, fraction 0…1, feedback); ids from ``start``."""
    out = []
    for i, (text, fraction, feedback) in enumerate(rows):
        out.append(
            f'<answer id="{start + i}">{_text("answertext", text, 0 if start >= 300 else 1)}'
            f"<fraction>{fraction:.7f}</fraction>{_text('feedback', feedback)}</answer>"
        )
    return "<answers>" + "".join(out) + "</answers>"


def _question(qid: int, qtype: str, name: str, text: str, plugin: str, *, extra="") -> str:
    return (
        f'<question id="{qid}"><parent>0</parent><name>{escape(name)}</name>'
        f"{_text('questiontext', text)}{_text('generalfeedback', '')}"
        f"<defaultmark>1.0000000</defaultmark><penalty>0.3333333</penalty>"
        f"<qtype>{qtype}</qtype><length>1</length>{extra}"
        f"<plugin_qtype_{qtype}_question>{plugin}</plugin_qtype_{qtype}_question>"
        f"<question_hints></question_hints><tags></tags></question>"
    )


# (category, qtype, name, text, plugin) of the questions both layouts hold, in their order
QUESTIONS = [
    (
        "nets",
        "multichoice",
        "Функция активации",
        "<p>Какая функция активации даёт выход от 0 до 1?</p>",
        _answers(
            [
                ("Сигмоида", 1, "<p>Да</p>"),
                ("ReLU", 0, "<p>Нет: до бесконечности</p>"),
                ("tanh", 0, ""),
            ],
            100,
        )
        + "<multichoice id='1'><layout>0</layout><single>1</single>"
        + "<shuffleanswers>1</shuffleanswers>"
        + _text("correctfeedback", "")
        + "<answernumbering>abc</answernumbering></multichoice>",
    ),
    (
        "nets",
        "multichoice",
        "Регуляризация",
        "Что уменьшает переобучение?",
        _answers(
            [("Dropout", 0.5, ""), ("L2", 0.5, ""), ("Больше эпох", -1, "<p>Наоборот</p>")], 110
        )
        + "<multichoice id='2'><single>0</single><shuffleanswers>0</shuffleanswers></multichoice>",
    ),
    (
        "nets",
        "truefalse",
        "Нейрон",
        "Перцептрон — линейный классификатор.",
        # Moodle stores the answers' texts in the course's language; the ids say which is which
        _answers([("Верно", 1, "<p>Так и есть</p>"), ("Неверно", 0, "")], 120)
        + "<truefalse id='3'><trueanswer>120</trueanswer><falseanswer>121</falseanswer>"
        + "</truefalse>",
    ),
    (
        "conv",
        "shortanswer",
        "Операция",
        "Как называется операция свёрточного слоя?",
        _answers(
            [("свёртка", 1, ""), ("конволюция", 1, ""), ("пулинг", 0, "<p>Это другое</p>")], 300
        )
        + "<shortanswer id='4'><usecase>0</usecase></shortanswer>",
    ),
    (
        "conv",
        "numerical",
        "Число пи",
        "Чему равно $$\\pi$$ с точностью до сотых?",
        _answers([("3.14", 1, ""), ("3", 0, "<p>Округлили до целых</p>")], 310)
        + "<numerical_records><numerical_record id='1'><answer>310</answer>"
        + "<tolerance>0.01</tolerance></numerical_record><numerical_record id='2'>"
        + "<answer>311</answer><tolerance>0</tolerance></numerical_record></numerical_records>"
        + "<numerical_options><numerical_option id='1'><showunits>3</showunits>"
        + "<unitsleft>0</unitsleft>"
        + "<unitgradingtype>0</unitgradingtype><unitpenalty>0.1000000</unitpenalty>"
        + "</numerical_option></numerical_options><numerical_units></numerical_units>",
    ),
    (
        "conv",
        "essay",
        "Пулинг",
        "Зачем нужен пулинг?",
        "<essay id='5'><responseformat>editor</responseformat>"
        + "<responserequired>1</responserequired>"
        + "<responsefieldlines>15</responsefieldlines><attachments>0</attachments>"
        + _text("graderinfo", "<p>Уменьшает размер карты признаков.</p>")
        + _text("responsetemplate", "")
        + "</essay>",
    ),
    (
        "conv",
        "calculated",
        "Выход слоя",
        "<p>Вход {n} × {n}, ядро {k} × {k}: какой ширины выход?</p>",
        _answers([("{n} - {k} + 1", 1, ""), ("{n} - {k}", 0, "<p>Забыли +1</p>")], 320)
        + "<numerical_units></numerical_units><numerical_options><numerical_option id='2'>"
        + "<showunits>3</showunits><unitsleft>0</unitsleft><unitgradingtype>0</unitgradingtype>"
        + "<unitpenalty>0.1000000</unitpenalty></numerical_option></numerical_options>"
        + "<dataset_definitions><dataset_definition id='1'><category>0</category><name>n</name>"
        + "<type>1</type><options>uniform:5:9:0</options><itemcount>2</itemcount><dataset_items>"
        + "<dataset_item id='1'><number>1</number><value>6</value></dataset_item>"
        + "<dataset_item id='2'><number>2</number><value>8</value></dataset_item>"
        + "</dataset_items></dataset_definition><dataset_definition id='2'><category>0</category>"
        + "<name>k</name><type>1</type><options>uniform:1:3:0</options><itemcount>2</itemcount>"
        + "<dataset_items><dataset_item id='3'><number>1</number><value>3</value></dataset_item>"
        + "<dataset_item id='4'><number>2</number><value>2</value></dataset_item></dataset_items>"
        + "</dataset_definition></dataset_definitions>"
        + "<calculated_records><calculated_record id='1'><answer>320</answer>"
        + "<tolerance>0</tolerance>"
        + "<tolerancetype>2</tolerancetype><correctanswerlength>0</correctanswerlength>"
        + "<correctanswerformat>1</correctanswerformat></calculated_record>"
        + "<calculated_record id='2'><answer>321</answer><tolerance>0</tolerance>"
        + "<tolerancetype>2</tolerancetype><correctanswerlength>0</correctanswerlength>"
        + "<correctanswerformat>1</correctanswerformat></calculated_record></calculated_records>"
        + "<calculated_options><calculated_option id='1'><synchronize>0</synchronize>"
        + "<single>0</single><shuffleanswers>0</shuffleanswers>"
        + _text("correctfeedback", "")
        + "<answernumbering>abc</answernumbering></calculated_option></calculated_options>",
    ),
    (
        "conv",
        "match",
        "Соответствие",
        "Сопоставьте слои и их роли.",
        "<matchoptions id='1'><shuffleanswers>1</shuffleanswers>"
        + _text("correctfeedback", "")
        + "<shownumcorrect>1</shownumcorrect></matchoptions><matches>"
        + "<match id='1'>"
        + _text("questiontext", "<p>Свёрточный</p>")
        + "<answertext>признаки</answertext></match><match id='2'>"
        + _text("questiontext", "<p>Пулинг</p>")
        + "<answertext>уменьшение</answertext></match></matches>",
    ),
    (
        "conv",
        "ddimageortext",
        "Перетаскивание",
        "Перетащите слои на схему.",
        "<ddimageortext id='1'><shuffleanswers>1</shuffleanswers></ddimageortext>",
    ),
]

# The Moodle XML export of QUESTIONS (what «Банк вопросов → Экспорт → Moodle XML» writes)
EXPORT = Path(__file__).parent / "fixtures" / "moodle_backup_export.xml"

HIDDEN = (
    "conv",
    "multichoice",
    "Скрытый",
    "Старый вопрос",
    _answers([("a", 1, ""), ("b", 0, "")], 400),
)


def _category(cid: int, name: str, parent: int, body: str, level: int = 50) -> str:
    return (
        f'<question_category id="{cid}"><name>{escape(name)}</name><contextid>25</contextid>'
        f"<contextlevel>{level}</contextlevel><contextinstanceid>2</contextinstanceid>"
        f"{_text('info', '', 0)}<stamp>x</stamp><parent>{parent}</parent>"
        f"<sortorder>0</sortorder><idnumber>{NULL}</idnumber>{body}</question_category>"
    )


CATEGORY_IDS = {"top": 1, "nets": 2, "conv": 3}
PARENTS = {"top": 0, "nets": 1, "conv": 2}
NAMES = {"top": "top", "nets": "Сети", "conv": "Свёртки"}


def _entry(eid: int, versions: list[tuple[str, str]]) -> str:
    """A Moodle 4 question bank entry: ``versions`` = (status, <question> xml), oldest first."""
    rows = "".join(
        f'<question_versions id="{eid * 10 + n}"><version>{n + 1}</version>'
        f"<status>{status}</status><questions>{question}</questions></question_versions>"
        for n, (status, question) in enumerate(versions)
    )
    return (
        f'<question_bank_entry id="{eid}"><questioncategoryid>1</questioncategoryid>'
        f"<idnumber>{NULL}</idnumber><ownerid>2</ownerid>"
        f"<question_version>{rows}</question_version></question_bank_entry>"
    )


CLOZE_TEXT = "<p>Операция слоя — {#1}, ширина выхода при входе 5 и ядре 3 — {#2}</p>"
CLOZE_PARTS = [
    ("shortanswer", "{1:SHORTANSWER:=свёртка}", "свёртка"),
    ("numerical", "{1:NUMERICAL:=3:0}", "3"),
]
CLOZE_PLUGIN = (
    "<multianswer id='1'><question>3000</question><sequence>3001,3002</sequence></multianswer>"
)


def questions_xml(layout: str = "4") -> str:
    """The backup's questions.xml: QUESTIONS, a hidden one, an edited one (4.0+), a cloze one with
    its parts, a random one (before 4.0)."""
    body: dict[str, list[str]] = {"top": [], "nets": [], "conv": []}
    for n, (cat, qtype, name, text, plugin) in enumerate([*QUESTIONS, HIDDEN]):
        qid = 1000 + n
        hidden = (cat, qtype, name, text, plugin) == HIDDEN
        if layout == "4":
            question = _question(qid, qtype, name, text, plugin)
            versions = [("hidden" if hidden else "ready", question)]
            if name == "Функция активации":  # an edited question: version 1 is the old text
                old = _question(qid - 500, qtype, name, "Старая формулировка", plugin)
                versions.insert(0, ("ready", old))
            body[cat].append(_entry(qid, versions))
        else:
            extra = f"<hidden>{int(hidden)}</hidden>"
            body[cat].append(_question(qid, qtype, name, text, plugin, extra=extra))
    # A cloze question: Moodle keeps each part as a question whose text is the part's code.
    cloze = _question(3000, "multianswer", "Пропуски", CLOZE_TEXT, CLOZE_PLUGIN)
    parts = [
        _question(
            3001 + i, qtype, f"часть {i + 1}", code, _answers([(answer, 1, "")], 340 + i)
        ).replace("<parent>0</parent>", "<parent>3000</parent>")
        for i, (qtype, code, answer) in enumerate(CLOZE_PARTS)
    ]
    if layout == "4":
        body["conv"] += [_entry(3000 + i, [("ready", q)]) for i, q in enumerate([cloze, *parts])]
    else:
        body["conv"] += [cloze, *parts]
    if layout == "3":
        body["conv"].append(
            '<question id="2000"><parent>2000</parent><name>Случайный</name>'
            "<questiontext>0</questiontext><qtype>random</qtype><hidden>0</hidden></question>"
        )
    holder = "question_bank_entries" if layout == "4" else "questions"
    categories = "".join(
        _category(CATEGORY_IDS[c], NAMES[c], PARENTS[c], f"<{holder}>{''.join(body[c])}</{holder}>")
        for c in ("top", "nets", "conv")
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f"{head}<question_categories>{categories}</question_categories>\n"


DESCRIPTION = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<moodle_backup><information>'
    "<name>backup-moodle2-course-2.mbz</name><moodle_version>2022112800</moodle_version>"
    "<moodle_release>4.1 (Build: 20221128)</moodle_release>"
    "<original_course_fullname>Глубокое обучение</original_course_fullname>"
    "</information></moodle_backup>\n"
)


def mbz(files: dict[str, bytes], kind: str = "tgz") -> bytes:
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def course(layout: str = "4", kind: str = "tgz", **more: bytes) -> bytes:
    files = {
        "moodle_backup.xml": DESCRIPTION.encode(),
        "course/course.xml": b"<course/>",
        "questions.xml": questions_xml(layout).encode(),
        **more,
    }
    return mbz(files, kind)


# ---------------------------------------------------------------------------------------------
# The same bank as the export


@pytest.fixture(scope="module")
def exported():
    result = parse_moodle_xml(EXPORT.read_bytes(), "course.xml")
    assert result.ok, result.problems
    return result


@pytest.mark.parametrize(
    ("layout", "kind"), [("4", "tgz"), ("4", "zip"), ("3", "tgz"), ("3", "zip")]
)
def test_a_backup_gives_the_bank_of_its_moodle_xml_export(exported, layout, kind):
    result = parse_file(course(layout, kind), "course.mbz")
    assert result.ok, result.problems
    assert result.bank["questions"] == exported.bank["questions"]
    assert (
        result.bank["topics"]
        == exported.bank["topics"]
        == [
            {"slug": "seti", "title": "Сети"},
            {"slug": "svertki", "title": "Свёртки", "parent": "seti"},
        ]
    )
    assert result.bank["bank"]["title"] == "Глубокое обучение"  # the course's, not «Сети»
    assert result.bank["bank"]["description"] == (
        "Импортировано из резервной копии курса Moodle (course.mbz)"
    )
    # The backup's own warnings: what was read, what it left out.
    by_code = {p.code: p for p in result.problems}
    note = by_code["moodle_backup_read"]
    assert note.severity == "warning" and note.message.startswith(
        "прочитана резервная копия курса Moodle «Глубокое обучение» (Moodle 4.1 (Build: 20221128))"
    )
    era = "4.0+" if layout == "4" else "до 4.0"
    assert f"вопросов — 11, категорий — 2 (формат Moodle {era})" in note.message
    assert "строки в сообщениях — строки файла questions.xml в архиве" in note.message
    assert ("прежние версии вопросов (1)" in note.message) == (layout == "4")
    # Whatever the reader says of a question (a type it leaves out…), it says of both.
    backup_only = ("moodle_backup_read", "hidden_skipped", "random_skipped")
    assert [
        (p.code, p.message, p.severity)
        for p in result.problems
        if p.code not in backup_only and "из резервной копии" not in p.message
    ] == [(p.code, p.message, p.severity) for p in exported.problems]
    codes = {p.code for p in result.problems}
    assert codes >= {"moodle_backup_read", "unsupported_type", "hidden_skipped"}
    assert ("random_skipped" in codes) == (layout == "3")  # random questions: before 4.0 here


def test_every_left_out_question_is_named_with_its_type_and_line():
    text = questions_xml("4")
    result = parse_moodle_xml(text.encode(), "questions.xml")
    lines = text.splitlines()
    assert len(lines) == 2  # one long line: the questions' lines are that of the root's contents
    unsupported = next(p for p in result.problems if "из резервной копии" in p.message)
    assert unsupported.severity == "warning"
    assert unsupported.message == (
        "вопрос «Перетаскивание»: тип «ddimageortext — перетаскивание на изображение» из "
        "резервной копии не "
        "импортируется, вопрос пропущен (попробуйте экспорт банка вопросов в Moodle XML)"
    )
    assert unsupported.question.as_dict() == {
        "name": "Перетаскивание",
        "type": "ddimageortext",
        "line": 2,
    }
    hidden = next(p for p in result.problems if p.code == "hidden_skipped")
    assert hidden.message == "вопрос «Скрытый»: скрытый вопрос не импортируется, вопрос пропущен"
    assert hidden.question.type == "multichoice"


def test_lines_are_those_of_questions_xml():
    broken = _question(9, "multichoice", "Без верного", "?", _answers([("a", 0, "")], 1))
    text = questions_xml("3").replace("<questions>", f"<questions>{broken}", 1)
    text = text.replace("<question ", "\n<question ")
    result = parse_moodle_xml(text.encode(), "questions.xml")
    lines = text.splitlines()
    for name in ("Без верного", "Перетаскивание"):  # one left out by the reader, one here
        [skipped] = [p for p in result.problems if p.question and p.question.name == name]
        assert f"<name>{name}</name>" in lines[skipped.line - 1]
    hidden = next(p for p in result.problems if p.code == "hidden_skipped")
    assert "<name>Скрытый</name>" in lines[hidden.line - 1]


def test_a_bare_questions_xml_is_read_as_a_backup(exported):
    result = parse_file(questions_xml("4").encode(), "questions.xml")
    assert result.ok and result.bank["questions"] == exported.bank["questions"]
    note = next(p for p in result.problems if p.code == "moodle_backup_read")
    assert note.message.startswith("прочитана резервная копия курса Moodle: вопросов — 11")
    assert "в архиве" not in note.message


def test_only_the_newest_version_and_only_a_ready_one():
    question = _question(1, "shortanswer", "Вопрос", "{text}", _answers([("да", 1, "")], 300))
    entry = _entry(
        1,
        [
            ("ready", question.replace("{text}", "Первая")),
            ("ready", question.replace("{text}", "Третья")),
            ("draft", question.replace("{text}", "Черновик")),
        ],
    )
    # versions numbered 1, 2, 3 in that order; the newest (3) is a draft: nothing to import
    data = _category(5, "top", 0, f"<question_bank_entries>{entry}</question_bank_entries>")
    text = f"<question_categories>{data}</question_categories>"
    result = parse_moodle_xml(text.encode(), "q.xml")
    assert result.bank is None
    [draft] = [p for p in result.problems if p.code == "hidden_skipped"]
    assert draft.message == "вопрос «Вопрос»: вопрос не готов (статус «draft»), вопрос пропущен"
    # the version number decides, not the order in the file
    swapped = text.replace("<version>3</version>", "<version>0</version>")
    result = parse_moodle_xml(swapped.encode(), "q.xml")
    assert [q["text"] for q in result.bank["questions"]] == ["Третья"]


def test_version_wrappers_swapped_by_other_tools_are_read():
    question = _question(1, "shortanswer", "Вопрос", "Текст", _answers([("да", 1, "")], 300))
    entry = _entry(1, [("ready", question)])
    swapped = (
        entry.replace("<question_version>", "<WRAP>")
        .replace("</question_version>", "</WRAP>")
        .replace("question_versions", "question_version")
        .replace("WRAP", "question_versions")
    )
    assert "<question_versions><question_version id=" in swapped
    data = _category(5, "top", 0, f"<question_bank_entries>{swapped}</question_bank_entries>")
    result = parse_moodle_xml(f"<question_categories>{data}</question_categories>".encode(), "q")
    assert [q["title"] for q in result.bank["questions"]] == ["Вопрос"]


def _truefalse_alone(answers: str):
    """The import of one truefalse question written without <truefalse> ids."""
    question = _question(1, "truefalse", "ВН", "Небо синее?", answers)
    data = _category(1, "top", 0, f"<questions>{question}</questions>")
    return parse_moodle_xml(f"<question_categories>{data}</question_categories>".encode(), "q")


def test_truefalse_without_ids_reads_english_texts():
    answers = '<answers><answer id="9"><answertext>False</answertext><fraction>0</fraction>'
    answers += '</answer><answer id="8"><answertext>True</answertext><fraction>1</fraction>'
    answers += "</answer></answers>"
    result = _truefalse_alone(answers)
    assert result.bank["questions"][0]["options"] == [
        {"text": "Верно", "correct": True},
        {"text": "Неверно", "correct": False},
    ]
    assert [p.code for p in result.problems] == ["moodle_backup_read"]


@pytest.mark.parametrize("order", [(5, 6), (6, 5)])
def test_truefalse_without_ids_takes_the_first_saved_as_true_and_says_so(order):
    rows = {5: ("Verdadero", 0), 6: ("Falso", 1)}  # the statement is false
    answers = "<answers>"
    for i in order:
        text, fraction = rows[i]
        answers += f'<answer id="{i}"><answertext>{text}</answertext>'
        answers += f"<fraction>{fraction}</fraction></answer>"
    result = _truefalse_alone(answers + "</answers>")
    assert result.bank["questions"][0]["options"] == [
        {"text": "Верно", "correct": False},
        {"text": "Неверно", "correct": True},
    ]
    [warning] = [p for p in result.problems if p.code == "truefalse_guessed"]
    assert warning.message == (
        "вопрос «ВН»: в резервной копии не отмечено, какой из ответов означает «верно»: им "
        "считается «Verdadero», сохранённый первым, как это делает Moodle (второй — «Falso»)"
    )


def test_category_paths_keep_slashes_and_other_contexts():
    plugin = _answers([("да", 1, "")], 300)
    body = "<questions>" + _question(7, "shortanswer", "В", "Текст", plugin) + "</questions>"
    data = (
        _category(1, "top", 0, "", level=70)
        + _category(2, "Тест 1/2", 1, "", level=70)
        + _category(3, "Часть", 2, body, level=70)
    )
    result = parse_moodle_xml(f"<question_categories>{data}</question_categories>".encode(), "q")
    assert [t["title"] for t in result.bank["topics"]] == ["Тест 1/2", "Часть"]
    assert result.bank["questions"][0]["topic"] == result.bank["topics"][1]["slug"]


def test_a_category_loop_ends():
    plugin = _answers([("да", 1, "")], 300)
    body = "<questions>" + _question(7, "shortanswer", "В", "Текст", plugin) + "</questions>"
    data = _category(1, "A", 2, "") + _category(2, "B", 1, body)
    result = parse_moodle_xml(f"<question_categories>{data}</question_categories>".encode(), "q")
    # the loop is cut where it closes: B, read from A upwards, is the top of its path
    assert [t["title"] for t in result.bank["topics"]] == ["B"]
    assert result.bank["questions"][0]["topic"] == "b"


def test_a_deep_category_tree_is_read_once_and_cut(monkeypatch):
    monkeypatch.setattr(backup_module, "_MAX_CATEGORY_DEPTH", 5)
    plugin = _answers([("да", 1, "")], 300)
    body = "<questions>" + _question(7, "shortanswer", "В", "Текст", plugin) + "</questions>"
    chain = "".join(_category(i, f"К{i}", i - 1, body if i == 9 else "") for i in range(1, 10))
    result = parse_moodle_xml(f"<question_categories>{chain}</question_categories>".encode(), "q")
    assert [t["title"] for t in result.bank["topics"]] == ["К1", "К2", "К3", "К4", "К5"]


def _cloze_quiz(text: str, sequence: str, parts: list[tuple[int, str]]):
    """The <quiz> a backup with one cloze question is rewritten to, and its problems."""
    plugin = f"<multianswer id='1'><sequence>{sequence}</sequence></multianswer>"
    cloze = _question(7, "multianswer", "Пропуски", text, plugin)
    rows = [
        _question(qid, "shortanswer", "часть", code, _answers([("да", 1, "")], 300)).replace(
            "<parent>0</parent>", "<parent>7</parent>"
        )
        for qid, code in parts
    ]
    data = _category(1, "top", 0, f"<questions>{cloze}{''.join(rows)}</questions>")
    root, _problem = read_xml(f"<question_categories>{data}</question_categories>".encode(), "q")
    problems = []
    return backup_module._Reading("q", problems).quiz(root), problems


def test_a_cloze_question_gets_its_parts_written_into_its_text():
    quiz, problems = _cloze_quiz(
        "Ответ: {#1}, ещё {#2}", "8,9", [(9, "{1:NUMERICAL:=5}"), (8, "{1:SHORTANSWER:=да}")]
    )
    [question] = [q for q in quiz.children if q.attrs["type"] != "category"]  # parts are in it
    assert question.attrs["type"] == "cloze"  # as Moodle's XML export names it
    assert question.value("questiontext") == "Ответ: {1:SHORTANSWER:=да}, ещё {1:NUMERICAL:=5}"
    assert question.find("sequence") is None and problems == []


def test_a_cloze_question_without_a_part_is_an_error_naming_it():
    quiz, problems = _cloze_quiz("Ответ: {#1} {#2}", "8,99", [(8, "{1:SHORTANSWER:=да}")])
    assert [q.attrs["type"] for q in quiz.children] == []
    [error] = problems
    assert error.severity == "error" and error.question.name == "Пропуски"
    assert error.message == (
        "вопрос «Пропуски»: часть {#2} вложенного вопроса (вопрос id 99) не найдена в резервной "
        "копии, вопрос пропущен"
    )


def test_a_cloze_part_used_many_times_cannot_blow_the_text_up():
    quiz, problems = _cloze_quiz("{#1}" * 5000, "8", [(8, "{1:SHORTANSWER:=" + "д" * 100 + "}")])
    [error] = problems
    assert error.code == "too_long" and "текст длиннее 200000 символов" in error.message


def test_too_many_cloze_parts_are_an_error():
    sequence = ",".join(str(i) for i in range(1000, 1501))
    quiz, problems = _cloze_quiz("{#1}", sequence, [])
    [error] = problems
    assert error.message == "вопрос «Пропуски»: у вложенного вопроса больше 500 частей"


# ---------------------------------------------------------------------------------------------
# What is not a backup's questions, and hostile archives


def test_moodle_backup_xml_alone_says_where_the_questions_are():
    result = parse_file(DESCRIPTION.encode(), "moodle_backup.xml")
    [problem] = result.problems
    assert result.bank is None and problem.code == "moodle_backup" and problem.line == 2
    assert problem.message.startswith("Это описание резервной копии курса Moodle")
    assert "questions.xml" in problem.message
    assert "Банк вопросов → Экспорт → Moodle XML" in problem.message


def test_a_backup_without_questions_xml_says_what_is_missing():
    data = mbz({"moodle_backup.xml": DESCRIPTION.encode(), "course/course.xml": b"<c/>"})
    [problem] = parse_file(data, "course.mbz").problems
    assert problem.code == "mbz_no_questions"
    assert problem.message.startswith(
        "в резервной копии курса Moodle нет файла questions.xml, в котором лежат вопросы"
    )


def test_an_archive_of_something_else_is_not_a_backup():
    [problem] = parse_file(mbz({"notes.txt": b"x"}, "zip"), "course.mbz").problems
    assert problem.code == "mbz_no_questions"
    assert "нет ни moodle_backup.xml, ни questions.xml" in problem.message


@pytest.mark.parametrize("name", ["../questions.xml", "/questions.xml", "sub/questions.xml"])
def test_questions_xml_is_read_only_at_the_root(name):
    data = mbz({"moodle_backup.xml": DESCRIPTION.encode(), name: questions_xml().encode()})
    [problem] = parse_file(data, "course.mbz").problems
    assert problem.code == "mbz_no_questions"


def test_a_backup_with_no_questions_says_so():
    empty = "<question_categories>" + _category(1, "top", 0, "") + "</question_categories>"
    result = parse_file(mbz({"questions.xml": empty.encode()}), "course.mbz")
    [problem] = result.problems
    assert result.bank is None and problem.code == "empty"
    assert problem.message.startswith("в резервной копии курса Moodle нет вопросов (категорий: 0)")


@pytest.mark.parametrize(
    ("data", "code", "start"),
    [
        (b"plain text", "mbz_corrupt", "файл .mbz не является архивом"),
        (b"\x1f\x8b\x08\x00 not really gzip", "mbz_corrupt", "архив резервной копии повреждён"),
        (b"PK\x03\x04 not really zip", "mbz_corrupt", "архив резервной копии повреждён"),
    ],
)
def test_a_damaged_archive_is_refused(data, code, start):
    [problem] = parse_file(data, "course.mbz").problems
    assert problem.code == code and problem.message.startswith(start)
    assert problem.severity == "error"


def test_a_truncated_backup_is_refused():
    data = course()
    [problem] = parse_file(data[: len(data) // 2], "course.mbz").problems
    assert problem.code in ("mbz_corrupt", "mbz_no_questions")


def test_too_large_an_archive_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(backup_module, "MAX_ARCHIVE_BYTES", 1000)
    data = course()
    [problem] = parse_file(data, "course.mbz").problems
    assert problem.code == "too_large" and str(len(data)) in problem.message


@pytest.mark.parametrize("kind", ["tgz", "zip"])
def test_questions_xml_over_the_moodle_xml_limit_is_refused(monkeypatch, kind):
    monkeypatch.setattr(backup_archive, "MAX_BYTES", 1000)
    [problem] = parse_file(course(kind=kind), "course.mbz").problems
    assert problem.code == "too_large"
    assert problem.message.startswith("файл questions.xml в архиве больше")


@pytest.mark.parametrize("kind", ["tgz", "zip"])
def test_an_archive_bomb_is_refused(kind):
    # 60 MB of zeros pack into some 60 KB: a ratio of about a thousand.
    data = mbz({"files/zeros": bytes(60 * 1024 * 1024), "questions.xml": b"<x/>"}, kind)
    assert len(data) < 1024 * 1024
    [problem] = parse_file(data, "course.mbz").problems
    assert problem.code == "mbz_ratio"
    assert "допускается не больше 100" in problem.message


@pytest.mark.parametrize("kind", ["tgz", "zip"])
def test_too_much_unpacked_is_refused(monkeypatch, kind):
    monkeypatch.setattr(backup_archive, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)
    monkeypatch.setattr(backup_archive, "MAX_RATIO", 10**9)
    data = mbz({"files/zeros": bytes(6 * 1024 * 1024), "questions.xml": b"<x/>"}, kind)
    [problem] = parse_file(data, "course.mbz").problems
    assert problem.code == "mbz_too_large"


@pytest.mark.parametrize("kind", ["tgz", "zip"])
def test_too_many_members_are_refused(monkeypatch, kind):
    monkeypatch.setattr(backup_archive, "MAX_MEMBERS", 5)
    files = {f"files/{i}": b"x" for i in range(6)}
    data = mbz({**files, "questions.xml": questions_xml().encode()}, kind)
    [problem] = parse_file(data, "course.mbz").problems
    assert problem.code == "mbz_too_many_files"


def test_broken_questions_xml_names_the_file_inside_the_archive():
    data = mbz({"questions.xml": b"<question_categories>\n<oops>\n</question_categories>"})
    [problem] = parse_file(data, "course.mbz").problems
    assert problem.code == "xml_syntax" and problem.line == 3
    assert problem.message.startswith("(файл questions.xml в архиве) файл не является корректным")


def test_questions_xml_of_another_kind_is_named():
    export = EXPORT.read_bytes()  # a Moodle XML export zipped under a backup's name
    [problem] = parse_file(mbz({"questions.xml": export}, "zip"), "course.mbz").problems
    assert problem.code == "mbz_bad_questions" and problem.line == 2
    assert "без корня <question_categories>" in problem.message


def test_an_archive_with_another_name_is_not_opened():
    [problem] = parse_file(course(), "course.tgz").problems
    assert problem.code == "moodle_backup"
    assert problem.message.startswith("Файл — архив (zip или tar.gz), а не файл банка")
    assert "с расширением .mbz" in problem.message


# ---------------------------------------------------------------------------------------------
# The ways in: the upload form, import_bank and validate_bank


@pytest.mark.django_db
def test_an_mbz_upload_is_checked_and_published(
    owner_client, owner, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from question_bank.models import Bank, BankUpload
    from tests.question_bank.conftest import publish, upload

    capture = django_capture_on_commit_callbacks
    form = owner_client.get(reverse("banks:upload-new")).content.decode()
    assert ".mbz" in form and "резервная копия курса Moodle" in form
    page = upload(owner_client, "course.mbz", course(), capture)
    row = BankUpload.objects.get()
    assert row.format == "moodle_backup"
    assert row.status == BankUpload.Status.VALID, row.report["errors"]
    codes = [w["code"] for w in row.report["warnings"]]
    assert codes[0] == "moodle_backup_read" and "hidden_skipped" in codes
    imported = len(parse_file(course(), "course.mbz").bank["questions"])  # the types read now
    assert imported >= 7 and len(row.report["questions"]) == imported
    html = owner_client.get(page["Location"]).content.decode()
    assert "прочитана резервная копия курса Moodle «Глубокое обучение»" in html
    assert "«Скрытый»" in html

    publish(owner_client, row.pk, capture)
    bank = Bank.objects.get()
    assert (bank.slug, bank.title, bank.owner) == ("course", "Глубокое обучение", owner)
    assert bank.questions.count() == imported


@pytest.mark.django_db
def test_import_bank_and_validate_bank_read_an_mbz(tmp_path):
    from django.core.management import call_command

    from question_bank.models import Bank

    path = tmp_path / "course.mbz"
    path.write_bytes(course("3", "zip"))
    out = io.StringIO()
    call_command("validate_bank", str(path), "--variants", "2", stdout=out)
    assert "прочитана резервная копия курса Moodle" in out.getvalue()
    out = io.StringIO()
    call_command("import_bank", str(path), "--variants", "2", stdout=out)
    text = out.getvalue()
    assert "вопрос «Перетаскивание»: тип «ddimageortext" in text
    imported = len(parse_file(path.read_bytes(), "course.mbz").bank["questions"])
    assert imported >= 7 and f"{path}: банк «Глубокое обучение», вопросов {imported}" in text
    assert Bank.objects.get(slug="course").questions.count() == imported


def test_a_broken_question_stops_a_strict_import_and_is_left_out_in_lenient_mode():
    broken = _question(
        9, "multichoice", "Без верного", "?", _answers([("a", 0, ""), ("b", 0, "")], 1)
    )
    data = questions_xml("3").replace("<questions>", f"<questions>{broken}", 1)
    strict = parse_file(mbz({"questions.xml": data.encode()}), "course.mbz")
    [error] = [p for p in strict.problems if p.severity == "error"]
    assert not strict.ok and error.question.name == "Без верного"
    assert (
        error.message == "вопрос «Без верного»: нет ни одного верного варианта (с баллом больше 0)"
    )
    lenient = parse_file(mbz({"questions.xml": data.encode()}), "course.mbz", skip_invalid=True)
    whole = parse_file(course("3", "zip"), "course.mbz").bank["questions"]
    assert lenient.ok and lenient.bank["questions"] == whole  # all but the broken one
    assert [p.question.name for p in lenient.problems if p.severity == "skipped"] == ["Без верного"]


@pytest.mark.parametrize("layout", ["4", "3"])
def test_hints_tags_and_idnumber_come_along(layout):
    extra = "<idnumber>svertka-1</idnumber>" if layout == "3" else ""
    question = _question(
        1, "shortanswer", "В", "Текст", _answers([("да", 1, "")], 300), extra=extra
    )
    question = question.replace(
        "<question_hints></question_hints><tags></tags>",
        '<question_hints><question_hint id="1">'
        + _text("hint", "<p>Вспомните определение</p>")
        + '</question_hint></question_hints><tags><tag id="3"><name>cnn</name>'
        + "<rawname>CNN</rawname></tag></tags>",
    )
    if layout == "4":
        body = _entry(1, [("ready", question)]).replace(
            f"<idnumber>{NULL}</idnumber>", "<idnumber>svertka-1</idnumber>"
        )
        body = f"<question_bank_entries>{body}</question_bank_entries>"
    else:
        body = f"<questions>{question}</questions>"
    data = _category(1, "top", 0, body)
    result = parse_moodle_xml(f"<question_categories>{data}</question_categories>".encode(), "q")
    [entry] = result.bank["questions"]
    assert entry["slug"] == "svertka-1"
    assert entry["tags"] == ["CNN"]
    assert entry["hints"] == ["Вспомните определение"]
