"""Every bundled question, with its worked solution and key, fits a 360 px phone.

The timed demo quiz draws its questions at random, so its 360 px check saw a wide formula only
on some draws. Here every question of every bundled bank (and the demo bank) is rendered once,
with a fixed seed, through the very partial of the attempt result page
(``quizapp/_result_item.html``, which includes ``_verdict.html``) and laid out with the real
``static/css/app.css``: a formula may scroll inside its own box, but no box and not the page
may get wider than the screen. The reported page itself (the demo quiz's result with the café
network's widest solution) is opened in the live server below.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template.loader import render_to_string

import grader
from question_bank import preview
from question_bank.formats.native import parse_bank
from question_bank.models import Question, QuestionVersion, Topic
from quizapp.attempts.selectors import ItemView
from quizapp.models import AttemptItem, PracticeAnswer, Quiz, Response
from tests.e2e.conftest import SHOTS, start_attempt

ROOT = Path(__file__).resolve().parents[2]
BANK_FILES = [ROOT / "question_bank" / "demo" / "demo.yaml"] + sorted(
    (ROOT / "question_bank" / "banks").glob("*.yaml")
)
SEED = 20261202

# Boxes that must stay within the screen: the question, its text, the verdict and the solution,
# the preview's variant card, and every block inside them. A box that scrolls by design (a
# formula's .math-*, a wide table's .bank-scroll: overflow-x other than visible) may hold wider
# content; its own box must fit.
_OVERFLOWS = """(width) => {
    const cards = 'section.question, article.variant';
    const inside = [...document.querySelectorAll(
        'section.question *:not(math, math *), article.variant *:not(math, math *)')];
    for (const el of inside) {
        if (getComputedStyle(el).overflowX !== 'visible') el.dataset.scroller = '1';
    }
    const wide = [];
    for (const card of document.querySelectorAll(cards)) {
        const boxes = [card, ...card.querySelectorAll('*:not(math, math *)')]
            .filter(el => !el.parentElement.closest('[data-scroller]'));
        const bad = boxes.filter(el => {
            const r = el.getBoundingClientRect();
            return r.right > width + 0.5 || r.left < -0.5
                || (el.clientWidth > 0 && !el.dataset.scroller
                    && el.scrollWidth > el.clientWidth + 1);
        });
        if (bad.length) wide.push(card.dataset.key + ': ' + bad.map(el =>
            el.tagName.toLowerCase() + '.' + el.className + ' ' +
            Math.round(Math.max(el.getBoundingClientRect().right, el.scrollWidth))).join(', '));
    }
    const page = document.documentElement.scrollWidth;
    if (page > width) wide.push('страница: ' + page + ' px');
    return wide;
}"""


def _questions():
    for path in BANK_FILES:
        result = parse_bank(path.read_bytes(), path.name)
        assert result.bank is not None, result.problems
        for question in result.bank["questions"]:
            yield f"{path.stem}/{question['slug']}", question


def _section(position: int, key: str, spec: dict) -> str:
    """The question as the result page shows it after a graded answer, with solution and key."""
    question = Question(title=spec.get("title") or key, kind=spec.get("kind", ""))
    item = AttemptItem(
        version=QuestionVersion(question=question, spec=spec), position=position, seed=SEED
    )
    result = grader.grade(spec, SEED, "").as_dict()
    response = Response(item=item, raw="", status=Response.Status.GRADED, score=0, result=result)
    view = ItemView(
        item=item,
        presented=grader.present(spec, SEED),
        response=response,
        show_solution=True,
        current="",
    )
    # The mark the pages' context processor gives (the site's: these questions have no course).
    html = render_to_string(
        "quizapp/_result_item.html", {"v": view, "decimal_mark": settings.NZ_DECIMAL_MARK}
    )
    assert "Правильный ответ" in html, key
    return html.replace(
        '<section class="question"', f'<section data-key="{key}" class="question"', 1
    )


def _preview(key: str, spec: dict) -> str:
    """The instructor's preview of the question's first variant (numbers, key, solution, typical
    mistakes), through the partial of the preview page, with the context that page gives it."""
    variant = preview.template_variants(spec=spec, seeds=preview.seeds_for(spec, count=1, start=0))
    context = {
        "v": variant[0],
        "spec": spec,
        "count": 1,
        "start": 0,
        "decimal_mark": settings.NZ_DECIMAL_MARK,
    }
    html = render_to_string(
        "question_bank/_variant.html", context | {"is_template": bool(spec.get("params"))}
    )
    assert "Ключ" in html, key
    return html.replace(
        '<article class="card variant"',
        f'<article data-key="{key} (предпросмотр)" class="card variant"',
        1,
    )


def _page(sections: list[str]) -> str:
    css = Path(finders.find("css/app.css")).read_text(encoding="utf-8")
    return (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{css}</style></head><body><main>{''.join(sections)}</main></body></html>"
    )


@pytest.fixture(scope="module")
def bundled_pages() -> dict[str, str]:
    """Two pages: every question as the result page shows it, and as the preview shows it."""
    questions = list(_questions())
    # Every bank was read, each with its questions (none of them is small).
    assert {key.split("/")[0] for key, _spec in questions} == {p.stem for p in BANK_FILES}
    assert len(questions) >= 20 * len(BANK_FILES)
    return {
        "count": len(questions),
        "result": _page([_section(i, key, spec) for i, (key, spec) in enumerate(questions, 1)]),
        "preview": _page([_preview(key, spec) for key, spec in questions]),
    }


# The preview's cards are heavy to lay out (tables of mistakes, forms) and what fits 360 px fits
# the 52rem column of a desktop: it is checked on the phone only.
@pytest.mark.parametrize(("kind", "width"), [("result", 360), ("result", 1280), ("preview", 360)])
def test_every_bundled_question_fits_the_screen(browser, bundled_pages, kind, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="ru-RU")
    page = context.new_page()
    try:
        page.set_content(bundled_pages[kind], timeout=120_000)
        count = page.locator("section.question, article.variant").count()
        assert count == bundled_pages["count"]
        assert page.evaluate(_OVERFLOWS, width) == []
    finally:
        context.close()


def _cafe_seed(spec: dict) -> int:
    """A seed of the demo café question with the numbers of the reported overflow
    (x₁ = 29, a meeting, a barista girl: «h₁ = max(0, 5·29 − 60·1 + 0.5·1) = 85.5»)."""
    return next(
        s
        for s in range(100_000)
        if grader.variant(spec, s).params == {"x1": 29, "x2": 1, "x3": 1, "a": 5}
    )


def _widths(page) -> dict:
    """The page's width and every question box wider than the viewport."""
    return page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            wide: [...document.querySelectorAll('section.question, .solution, .feedback, .text')]
                .filter(el => el.scrollWidth > el.clientWidth + 1
                              || el.getBoundingClientRect().right > window.innerWidth)
                .map(el => (el.closest('section') || el).id + ' ' + el.className),
        })"""
    )


@pytest.mark.django_db(transaction=True)
def test_quiz_result_with_the_cafe_network_fits_a_phone(page, shot, login):
    """The reported page: the demo quiz's result with the widest café solution, every other
    question beside it (its items are explicit, the seeds fixed), at 1280 and 360 px."""
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    Quiz.objects.filter(slug="demo").update(
        show_verdicts=Quiz.Verdicts.AFTER_FINISH, show_solutions=Quiz.Solutions.AFTER_FINISH
    )
    login(page)
    attempt = start_attempt(page, "demo")
    cafe = attempt.items.get(version__question__slug="cafe-network")
    cafe.seed = _cafe_seed(cafe.version.spec)
    cafe.save(update_fields=["seed"])
    page.reload()
    box = page.locator(f"#answer-{cafe.position}")
    box.fill("85")  # wrong (the key is 89.5): the verdict, the solution and the key are shown
    page.locator(f"#item-{cafe.position} .save-button").click()
    page.wait_for_function(
        "pos => document.getElementById('saved-' + pos).textContent.startsWith('Сохранено в')",
        arg=str(cafe.position),
    )
    page.get_by_role("button", name="Завершить попытку").click()
    page.wait_for_selector("text=Завершить попытку 1?")  # the confirmation page
    page.get_by_role("button", name="Завершить", exact=True).click()
    page.wait_for_selector("text=Результат попытки 1")
    solution = page.locator(f"#item-{cafe.position} .solution")
    assert "85.5" in solution.inner_text() or "85,5" in solution.inner_text()
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"quiz-result-{width}")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(f"#item-{cafe.position}").screenshot(
            path=str(SHOTS / f"quiz-result-cafe-{width}.png")
        )
        measured = _widths(page)
        assert measured == {"page": width, "wide": []}, width


@pytest.mark.django_db(transaction=True)
def test_mastery_with_its_range_fits_a_phone(page, shot, login):
    """The dashboard's «Слабые темы» (ranked and «мало данных»), the practice index and a
    topic page show mastery with its range; at 360 px nothing gets wider than the screen."""
    call_command("load_demo", "--no-user", stdout=open(os.devnull, "w"))
    student = login(page)
    topics = {t.slug: t for t in Topic.objects.filter(bank__slug="demo")}
    version = Question.objects.filter(bank__slug="demo").first().versions.first()
    records = {
        "cnn": [1.0] * 30 + [0.0] * 3 + [1.0] * 9 + [0.0] * 2 + [1.0] * 6,
        "activations": [0.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        "regularization": [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0],
        "mlp": [1.0],
    }
    for slug, scores in records.items():
        for i, score in enumerate(scores):  # one by one: each save renews the dashboard
            PracticeAnswer.objects.create(
                user=student,
                topic=topics[slug],
                version=version,
                seed=i,
                raw="1",
                status="graded",
                score=score,
            )
    for url, name in (
        ("/", "dashboard-mastery"),
        ("/practice/", "practice-index-mastery"),
        (f"/practice/topic/{topics['regularization'].pk}/", "practice-topic-mastery"),
        (f"/practice/topic/{topics['mlp'].pk}/", "practice-topic-scarce"),
    ):
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (url, width)
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.goto("/")
    weak = page.locator(".card", has_text="Слабые темы").inner_text()
    assert "Мало данных" in weak and "Полносвязные сети" in weak and "≈" in weak
