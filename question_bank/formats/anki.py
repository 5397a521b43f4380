"""Export a native bank to an Anki deck (``.apkg``) with genanki.

Conventions:

* one deck per bank, named ``Нейрозачёт::<bank title>``; its id is derived from the bank slug and
  the note type's id from a fixed name, so every export of a bank lands in the same deck with the
  same note type;
* one note per question (flashcards: front/back; an essay: its text, and on the back its rubric
  and model answer; other kinds: the rendered text of the default
  variant, with the options of a choice question or the elements and answers of a matching
  question, on the front; the key — for matching the pairs — and the worked solution on the
  back; a multipart question: its numbered fields on the front, every field's key on the
  back). With ``variants > 1`` a template also gets notes for the variants with seeds
  1 … variants−1;
* a description (an information item) asks nothing, so it makes no card: it is skipped and
  reported like a question that cannot be computed (a warning with code ``export_skipped``);
* note GUIDs are ``genanki.guid_for(bank slug, question slug)`` (and ``…, "v<k>"`` for the extra
  variants), so importing a new export into Anki updates the notes instead of duplicating them;
* fields are HTML: text is escaped, line breaks become ``<br>``, ``$…$``/``$$…$$`` become
  ``\\(…\\)``/``\\[…\\]`` for Anki's built-in MathJax;
* tags: the topic slug and the question's tags (spaces replaced by ``_``: Anki tags are words).
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

import genanki
from django.utils.translation import gettext as _

from grader import grade, present, variant
from grader.errors import GraderError
from grader.kinds import choice as choice_kind
from grader.kinds import numeric as numeric_kind
from grader.kinds.short_text import answers_of
from question_bank.formats.common import Problem, split_question
from question_bank.formats.text import native_to_html

__all__ = ["export_anki", "deck_id", "MODEL_ID", "note_guid"]


def _stable_id(*parts: str) -> int:
    """A 31-bit id in [2^30, 2^31) from text: the same input always gives the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


MODEL_ID = _stable_id("neurozachet", "anki-model", "1")
_CSS = """
.card { font-family: system-ui, sans-serif; font-size: 20px; text-align: left; color: #222;
        background: #fff; line-height: 1.4; }
.options { margin-top: .5em; }
.topic { margin-top: 1em; font-size: 14px; color: #777; }
"""
_MODEL = genanki.Model(
    MODEL_ID,
    "Нейрозачёт: вопрос",
    fields=[{"name": "Вопрос"}, {"name": "Ответ"}, {"name": "Тема"}],
    templates=[
        {
            "name": "Карточка",
            "qfmt": "{{Вопрос}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Ответ}}<div class="topic">{{Тема}}</div>',
        }
    ],
    css=_CSS,
)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def deck_id(bank_slug: str) -> int:
    """The Anki deck id of a bank (stable across exports)."""
    return _stable_id("neurozachet", "deck", bank_slug)


def note_guid(bank_slug: str, question_slug: str, index: int = 0) -> str:
    """The GUID of a question's note; ``index`` > 0 for the extra variants of a template."""
    if index == 0:
        return genanki.guid_for(bank_slug, question_slug)
    return genanki.guid_for(bank_slug, question_slug, f"v{index}")


def _html(text: str) -> str:
    return native_to_html(text or "", paragraphs=False)


def _tags(entry: dict) -> list[str]:
    tags = [entry["topic"]] if entry.get("topic") else []
    tags += ["_".join(str(t).split()) for t in entry.get("tags") or []]
    return [t for t in dict.fromkeys(tags) if t]


def _faces(spec: dict, seed: int | None) -> tuple[str, str]:
    """(front HTML, back HTML) of one variant."""
    kind = spec.get("kind")
    shown = present(spec, seed)
    if kind == "flashcard":
        return _html(shown.text), _html(grade(spec, seed, "good").solution or spec.get("back", ""))
    result = grade(spec, seed, "")
    front = _html(shown.text)
    if kind == "essay":
        # Nobody grades the card: the back is what to look for and the model answer.
        back = [_html(spec["rubric"])] if spec.get("rubric") else []
        if result.solution:
            back.append("Образец ответа:<br>" + _html(result.solution))
        return front, "<br><br>".join(back) or "Образца ответа нет."
    if kind == "multipart":
        return _multipart_faces(shown, result)
    if kind in ("single_choice", "multiple_choice"):
        front += _options_html(shown.options)
        right = [
            f"{_LETTERS[n % 26]}) {_html(option['text'])}"
            for n, option in enumerate(shown.options)
            if option["index"] in set(result.expected)
        ]
        answer = ("Верный ответ: " if len(right) == 1 else "Верные ответы: ") + "; ".join(right)
    elif kind == "matching":
        stems = "".join(f"<li>{_html(stem['text'])}</li>" for stem in shown.stems)
        # The default variant lists the answers in the pairs' order, which would give the key
        # away on the card: they are listed alphabetically instead.
        ordered = sorted(shown.options, key=lambda option: option["text"].casefold())
        choices = "".join(
            f"<li>{_LETTERS[n % 26]}) {_html(option['text'])}</li>"
            for n, option in enumerate(ordered)
        )
        front += f'<ol class="options">{stems}</ol>'
        front += f'<ul class="options" style="list-style: none">{choices}</ul>'
        texts = {o["index"]: o["text"] for o in shown.options}
        pairs = [
            f"{_html(stem['text'])} → {_html(texts[result.expected[stem['index']]])}"
            for stem in shown.stems
        ]
        answer = "Ответ:<br>" + "<br>".join(pairs)
    elif kind == "short_text":
        full = [a.text for a in answers_of(spec) if a.fraction >= 1]
        answer = "Ответ: " + " / ".join(html.escape(a) for a in full)
    else:
        answer = "Ответ: " + _key_html(kind, result.expected_display)
    if partial := _partial_answers(spec, seed, shown.options):
        answer += "<br>Частично засчитывается: " + "; ".join(partial)
    back = answer
    if result.solution:
        back += "<br><br>" + _html(result.solution)
    return front, back


def _partial_answers(spec: dict, seed: int | None, options: list) -> list[str]:
    """Answers worth part of the mark (Moodle's grades), «текст (50 %)», in the order shown."""
    kind = spec.get("kind")
    out = []
    if kind == "single_choice" and (weights := choice_kind.fractions(spec)) is not None:
        for n, option in enumerate(options):
            weight = weights[option["index"]]
            if 0 < weight < 1:
                out.append(f"{_LETTERS[n % 26]}) {_html(option['text'])} ({weight * 100:g} %)")
    elif kind == "short_text":
        for answer in answers_of(spec):
            if answer.fraction < 1:
                out.append(f"{html.escape(answer.text)} ({answer.fraction * 100:g} %)")
    elif kind == "numeric" and spec.get("alternatives"):
        values = variant(spec, seed).values
        for alternative in numeric_kind.alternatives(spec, values):
            if alternative.fraction < 1:
                shown = numeric_kind.display(alternative.value, {"tolerance": None})
                width = getattr(alternative.tolerance, "abs", None)
                if width:
                    shown = f"{shown[:-1]} \\pm {width:g}$"
                out.append(f"{_html(shown)} ({alternative.fraction * 100:g} %)")
    return out


def _options_html(options: list[dict]) -> str:
    items = "".join(
        f"<li>{_LETTERS[n % 26]}) {_html(option['text'])}</li>" for n, option in enumerate(options)
    )
    return f'<ol class="options" type="A" style="list-style: none">{items}</ol>'


def _key_html(kind: str, shown_key: str) -> str:
    if "$" not in shown_key and kind in ("numeric", "vector", "matrix"):
        shown_key = f"${shown_key}$"  # format_value gives LaTeX (pmatrix, 10^{k})
    return _html(shown_key)


def _multipart_faces(shown, result) -> tuple[str, str]:
    """One note: the text with its numbered fields (and each choice field's options) on the
    front; every field's key, in order, then the solution on the back."""
    front = _html(shown.text)
    lines = []
    for part in shown.parts:
        label = f"({part['number']})"
        if part["label"]:
            label += " " + _html(part["label"])
        if part["options"]:
            front += f"<br>{label}{_options_html(part['options'])}"
        key = _key_html(part["kind"], result.parts[part["number"] - 1]["expected_display"])
        lines.append(f"{label}: {key}")
    back = "Ответы:<br>" + "<br>".join(lines)
    if result.solution:
        back += "<br><br>" + _html(result.solution)
    return front, back


def export_anki(
    bank: dict, path: str | Path, *, variants: int = 1, warnings: list | None = None
) -> int:
    """Write the bank as an ``.apkg`` deck to ``path``; return the number of notes.

    A question whose spec fails, and a description, is skipped and reported in ``warnings`` (a
    list of :class:`Problem` with code ``export_skipped``).
    """
    sink = warnings if warnings is not None else []
    meta = bank.get("bank") or {}
    slug = meta.get("slug") or "bank"
    topics = {t["slug"]: t.get("title", t["slug"]) for t in bank.get("topics") or []}
    deck = genanki.Deck(deck_id(slug), f"Нейрозачёт::{meta.get('title') or slug}")
    count = 0
    for entry in bank.get("questions") or []:
        _meta, spec = split_question(entry)
        if spec.get("kind") == "description":
            message = _(
                "вопрос %(slug)s: описание (без ответа) не экспортируется в Anki: карточке "
                "нечего спросить"
            ) % {"slug": entry.get("slug")}
            sink.append(Problem(slug, None, None, message, "export_skipped", "warning"))
            continue
        seeds: list[int | None] = [None]
        if spec.get("params") and spec.get("kind") != "flashcard":
            seeds += list(range(1, max(1, int(variants))))
        seen = set()
        for index, seed in enumerate(seeds):
            try:
                front, back = _faces(spec, seed)
            except GraderError as exc:
                sink.append(
                    Problem(
                        slug,
                        None,
                        None,
                        _("вопрос %(slug)s: не экспортирован в Anki: %(message)s")
                        % {"slug": entry.get("slug"), "message": exc.message},
                        "export_skipped",
                        "warning",
                    )
                )
                break
            if front in seen:
                continue  # a variant that repeats an earlier one adds nothing to the deck
            seen.add(front)
            topic = html.escape(topics.get(entry.get("topic"), ""))
            note = genanki.Note(
                model=_MODEL,
                fields=[front, back, topic],
                tags=_tags(entry),
                guid=note_guid(slug, entry["slug"], index),
            )
            deck.add_note(note)
            count += 1
    genanki.Package(deck).write_to_file(str(path))
    return count
