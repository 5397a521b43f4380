"""Every bundled question, with its worked solution, fits a 360 px phone.

The timed demo quiz draws its questions at random, so its 360 px check saw a wide formula only
on some draws. Here every question of every bundled bank (and the demo bank) is laid out once,
with a fixed seed, in the markup and CSS of the attempt result page: a formula or a line of code
may scroll inside its own box, but the page itself must not get wider than the screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import grader
from question_bank.formats.native import parse_bank
from quizapp.core.mathml import render_math

ROOT = Path(__file__).resolve().parents[2]
BANK_FILES = [ROOT / "question_bank" / "demo" / "demo.yaml"] + sorted(
    (ROOT / "question_bank" / "banks").glob("*.yaml")
)
SEED = 20261202


def _questions():
    for path in BANK_FILES:
        result = parse_bank(path.read_bytes(), path.name)
        assert result.bank is not None, result.problems
        for question in result.bank["questions"]:
            yield f"{path.stem}/{question['slug']}", question


def _section(key: str, spec: dict) -> str:
    presented = grader.present(spec, SEED)
    solution = grader.grade(spec, SEED, "").as_dict().get("solution") or ""
    options = "".join(
        f'<label class="option"><input type="checkbox"> {render_math(o["text"])}</label>'
        for o in presented.options
    )
    hints = "".join(f"<p class='hint'>{render_math(h)}</p>" for h in presented.hints)
    return (
        f'<section class="question" data-key="{key}"><div class="text">'
        f"{render_math(presented.text)}</div>{options}{hints}"
        f'<div class="solution"><h3>Решение</h3><p>{render_math(solution)}</p></div></section>'
    )


@pytest.fixture(scope="module")
def all_questions_page() -> str:
    css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    sections = [_section(key, spec) for key, spec in _questions()]
    assert len(sections) > 500  # every bank was read
    return (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{css}</style></head><body><main>{''.join(sections)}</main></body></html>"
    )


def test_every_bundled_question_fits_a_phone(browser, all_questions_page):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="ru-RU")
    page = context.new_page()
    try:
        page.set_content(all_questions_page)
        # One question at a time, so that a failure names the questions that are too wide.
        too_wide = page.evaluate(
            """() => {
                const sections = [...document.querySelectorAll('section.question')];
                const wide = [];
                for (const shown of sections) {
                    for (const s of sections) s.style.display = s === shown ? '' : 'none';
                    const width = document.documentElement.scrollWidth;
                    if (width > 360) wide.push(shown.dataset.key + ': ' + width + ' px');
                }
                for (const s of sections) s.style.display = '';
                return wide;
            }"""
        )
        assert too_wide == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
