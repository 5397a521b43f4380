"""The practice index: topics in course order grouped by bank, a search, no demo bank for students,
and nothing printed beside a topic not practised yet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from question_bank.models import Topic
from question_bank.services import bank_import
from quizapp.models import PracticeAnswer

pytestmark = pytest.mark.django_db

BANKS = Path(settings.BASE_DIR) / "question_bank" / "banks"
# Three bundled banks: with the alphabetical order of before, «BatchNorm» (07) came first and the
# course's first topic far down.
FILES = ["01-perceptron.yaml", "02-activations.yaml", "07-batchnorm.yaml"]


def _yaml(name):
    return yaml.safe_load((BANKS / name).read_text(encoding="utf-8"))


@pytest.fixture
def bundled(demo_quiz):
    """The demo bank (load_demo) and three bundled banks, imported out of order (as when a bank's
    first import failed and it was imported again later): the file number sets the order."""
    banks = {name: bank_import(data=_yaml(name))[0] for name in reversed(FILES)}
    return [banks[name] for name in FILES]


def _titles(html: str) -> list[str]:
    """The topic titles in the order the page lists them."""
    row = r'<li class="[^"]*" data-topic="\d+"[^>]*>\s*<a href="[^"]+">([^<]+)</a>'
    return re.findall(row, html)


def _page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("practice"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_topics_follow_the_course_order_grouped_by_bank(client, student, bundled):
    html = _page(client, student)
    expected = [t["title"] for name in FILES for t in _yaml(name)["topics"]]
    # Each bank's file lists its subtopics right under their parent: the page keeps that order.
    assert _titles(html) == expected
    assert _titles(html)[0] == "Перцептрон и полносвязные сети"
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == [_yaml(name)["bank"]["title"] for name in FILES]


def test_subtopics_stay_under_their_parent_even_when_created_later(client, student, bundled):
    perceptron = Topic.objects.get(bank=bundled[0], slug="perceptron")
    Topic.objects.create(bank=bundled[0], slug="late", title="Поздняя подтема", parent=perceptron)
    titles = _titles(_page(client, student))
    # After the bank's other subtopics (created earlier), before the next bank's first topic.
    assert titles.index("Поздняя подтема") == len(_yaml(FILES[0])["topics"])


def test_search_filters_by_title_and_keeps_the_parent(client, student, bundled):
    html = _page(client, student, q="логические xor")
    assert _titles(html) == ["Перцептрон и полносвязные сети", "Логические функции и XOR"]
    assert html.count("data-topic-group") == 1  # the banks without a match are left out
    assert 'value="логические xor"' in html
    # Case is ignored, and ё and е are one letter for the search.
    Topic.objects.filter(bank=bundled[1], slug="sigmoid").update(title="Сигмоида и её производная")
    for query in ["ЕЕ ПРОИЗВОДНАЯ", "её производн"]:
        assert _titles(_page(client, student, q=query)) == [
            "Функции активации",
            "Сигмоида и её производная",
        ]
    nothing = _page(client, student, q="квантовые вычисления")
    assert _titles(nothing) == [] and "Таких тем нет" in nothing
    assert re.search(r"<p[^>]*data-topic-empty(?! hidden)", nothing)


def test_the_search_script_is_a_static_file(client, student, bundled):
    html = _page(client, student)
    assert 'src="/static/js/topic-search.js"' in html
    assert "<script>" not in html  # nothing inline: the Content-Security-Policy forbids it
    assert (Path(settings.BASE_DIR) / "static" / "js" / "topic-search.js").is_file()


def test_the_demo_bank_is_hidden_from_a_student_beside_the_course(client, student, admin, bundled):
    assert "Демо" not in _page(client, student)
    assert "Демо" in _page(client, admin)


def test_the_demo_bank_is_shown_when_it_is_the_only_one(client, student, demo_quiz):
    html = _page(client, student)
    assert "Демо" in html and _titles(html)


def test_untouched_topics_show_nothing_practised_ones_their_mastery(client, student, bundled):
    topic = Topic.objects.get(bank=bundled[0], slug="logic")
    version = topic.questions.first().versions.first()
    for seed in range(5):  # enough answers for an estimate (fewer: «мало данных»)
        PracticeAnswer.objects.create(
            user=student, topic=topic, version=version, seed=seed, raw="1", status="graded", score=1
        )
    html = _page(client, student)
    assert "ещё не решали" not in html
    assert html.count("<progress") == 2  # the topic and its parent topic
    assert 'aria-label="Освоение темы «Логические функции и XOR»"' in html
