"""Bank pages: who sees what, the bank page's versions and usage, template previews."""

from __future__ import annotations

import json

import pytest
import yaml
from django.urls import reverse

import grader
from grader import kinds
from grader.grading import mistake_value
from question_bank.models import Bank, BankUpload, QuestionVersion
from question_bank.services import bank_import
from quizapp.models import Attempt, AttemptItem, Quiz, QuizItem
from tests.conftest import DEMO
from tests.question_bank.conftest import demo_yaml, make_user, upload

pytestmark = pytest.mark.django_db

PEOPLE = ["owner", "other", "student", "anonymous"]


@pytest.fixture
def own_bank(owner):
    return bank_import(data=yaml.safe_load(demo_yaml()), user=owner)[0]


@pytest.fixture
def bundled_bank(db):
    return bank_import(data=yaml.safe_load(DEMO.read_text(encoding="utf-8")))[0]


@pytest.fixture
def own_upload(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    upload(client, "my-demo.yaml", demo_yaml(slug="next"), django_capture_on_commit_callbacks)
    client.logout()
    return BankUpload.objects.get()


@pytest.fixture
def people(owner, other, student):
    return {"owner": owner, "other": other, "student": student, "anonymous": None}


def _as(client, people, who):
    if people[who] is not None:
        client.force_login(people[who])
    return client


def _dense(bank):
    return bank.questions.get(slug="dense-params")


# (url, method, expected status per person); "owner" pages belong to the owner.
def _pages(own_bank, bundled_bank, own_upload):
    dense, bundled_dense = _dense(own_bank), _dense(bundled_bank)
    up = own_upload.pk
    return [
        ("banks:list", [], "get", {"owner": 200, "other": 200}),
        ("banks:upload-new", [], "get", {"owner": 200, "other": 200}),
        ("banks:upload", [up], "get", {"owner": 200, "other": 404}),
        ("banks:upload-progress", [up], "get", {"owner": 200, "other": 404}),
        ("banks:upload-preview", [up, 0], "get", {"owner": 200, "other": 404}),
        ("banks:upload-publish", [up], "post", {"owner": 302, "other": 404}),
        ("banks:detail", [own_bank.pk], "get", {"owner": 200, "other": 404}),
        ("banks:preview", [own_bank.pk, dense.pk], "get", {"owner": 200, "other": 404}),
        ("banks:detail", [bundled_bank.pk], "get", {"owner": 200, "other": 200}),
        ("banks:preview", [bundled_bank.pk, bundled_dense.pk], "get", {"owner": 200, "other": 200}),
    ]


@pytest.mark.parametrize("who", PEOPLE)
def test_permissions_of_every_page(
    client, people, who, own_bank, bundled_bank, own_upload, django_capture_on_commit_callbacks
):
    _as(client, people, who)
    for name, args, method, expected in _pages(own_bank, bundled_bank, own_upload):
        url = reverse(name, args=args)
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(url)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url
        elif who == "student":
            assert response.status_code == 403, url
        else:
            assert response.status_code == expected[who], url
    own_upload.refresh_from_db()
    published = own_upload.status == BankUpload.Status.IMPORTED
    assert published == (who == "owner")  # only the owner's «Опубликовать» did anything
    assert Bank.objects.filter(slug="next").exists() == published


def test_bank_list_shows_own_and_bundled_banks_admin_sees_all(
    client, owner, other, admin, own_bank, bundled_bank
):
    others_bank = bank_import(
        data=yaml.safe_load(demo_yaml("other-demo", "Чужой банк")), user=other
    )[0]
    client.force_login(owner)
    html = client.get(reverse("banks:list")).content.decode()
    assert "Мой демо-банк" in html and "Демо: все типы вопросов" in html
    assert "Чужой банк" not in html
    assert html.count("только просмотр") == 1  # the bundled bank
    assert client.get(reverse("banks:detail", args=[others_bank.pk])).status_code == 404

    client.force_login(admin)
    html = client.get(reverse("banks:list")).content.decode()
    assert all(t in html for t in ["Мой демо-банк", "Демо: все типы вопросов", "Чужой банк"])
    assert "только просмотр" not in html
    assert client.get(reverse("banks:detail", args=[others_bank.pk])).status_code == 200


def test_menu_link_only_for_instructors(client, owner, student):
    client.force_login(student)
    assert reverse("banks:list") not in client.get("/").content.decode()
    client.force_login(owner)
    assert f'href="{reverse("banks:list")}">Банки' in client.get("/").content.decode()


def test_bank_page_shows_versions_and_where_they_are_used(
    client, owner, other, student, own_bank, django_capture_on_commit_callbacks
):
    dense = _dense(own_bank)
    v1 = dense.versions.get()
    client.force_login(owner)
    changed = demo_yaml().replace("Маша обучает", "Петя обучает")
    upload(client, "v2.yaml", changed, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("banks:upload-publish", args=[BankUpload.objects.get().pk]))
    v2 = dense.versions.get(number=2)

    pinned = Quiz.objects.create(slug="pinned", title="Контрольная по MLP", owner=owner)
    QuizItem.objects.create(quiz=pinned, question=dense, version=v1, position=1)
    latest = Quiz.objects.create(slug="latest", title="Тест на новейших", owner=owner)
    QuizItem.objects.create(quiz=latest, question=dense, position=1)
    ruled = Quiz.objects.create(slug="ruled", title="Случайные из CNN", owner=owner)
    QuizItem.objects.create(quiz=ruled, topic=own_bank.topics.get(slug="cnn"), position=1)
    secret = Quiz.objects.create(slug="secret", title="Секретный тест коллеги", owner=other)
    QuizItem.objects.create(quiz=secret, question=dense, version=v1, position=1)
    for _ in range(2):
        attempt = Attempt.objects.create(quiz=pinned, user=student)
        AttemptItem.objects.create(attempt=attempt, version=v1, position=1, seed=1)

    html = client.get(reverse("banks:detail", args=[own_bank.pk])).content.decode()
    assert "Контрольная по MLP" in html and "Тест на новейших" in html
    assert "Случайные из CNN" in html
    assert "Секретный тест коллеги" not in html and "других преподавателей: 1" in html
    overview = client.get(reverse("banks:detail", args=[own_bank.pk])).context
    rows = {
        v.number: v
        for v in next(
            q for t in overview["topics"] for q in t.question_rows if q.pk == dense.pk
        ).version_rows
    }
    assert (rows[1].attempts, rows[2].attempts) == (2, 0)
    assert [q.title for q in rows[1].quizzes.quizzes] == ["Контрольная по MLP"]
    assert rows[1].quizzes.hidden == 1 and not rows[2].quizzes
    assert f"?version={v2.pk}" in html and f"?version={v1.pk}" in html
    assert "Загрузить новую версию" in html


def test_bundled_bank_page_is_read_only_for_an_instructor(client, owner, bundled_bank):
    client.force_login(owner)
    html = client.get(reverse("banks:detail", args=[bundled_bank.pk])).content.decode()
    assert "Встроенный банк" in html and "Загрузить новую версию" not in html


def test_preview_shows_n_variants_with_the_graders_keys(client, owner, own_bank):
    client.force_login(owner)
    dense = _dense(own_bank)
    spec = dense.versions.get().spec
    url = reverse("banks:preview", args=[own_bank.pk, dense.pk])
    page = client.get(url, {"n": 7, "start": 3})
    html = page.content.decode()
    variants = page.context["variants"]
    assert [v["seed"] for v in variants] == list(range(3, 10))
    assert html.count('class="card variant"') == 7
    kind = kinds.get("numeric")
    for v in variants:
        graded = grader.grade(spec, v["seed"], "")
        assert v["key"] == graded.expected
        assert json.loads(v["key_json"]) == graded.expected
        assert f"Вариант seed {v['seed']}" in html
        values = grader.variant(spec, v["seed"]).values
        assert dict(v["params"])["n_in"]["exact"] == str(values["n_in"])
        [mistake] = v["mistakes"]
        no_bias = mistake_value(kind, spec, 0, values)
        assert mistake["id"] == "no_bias" and mistake["value_display"] == f"${no_bias}$"
        assert not mistake["equals_key"]
    assert "<math" in html and "Решение" in html and "Типичные ошибки" in html


@pytest.mark.parametrize(("n", "shown"), [(None, 5), ("50", 50), ("500", 50), ("0", 1), ("x", 5)])
def test_preview_count_is_bounded(client, owner, own_bank, n, shown):
    client.force_login(owner)
    dense = _dense(own_bank)
    query = {} if n is None else {"n": n}
    page = client.get(reverse("banks:preview", args=[own_bank.pk, dense.pk]), query)
    assert len(page.context["variants"]) == shown


def test_preview_of_every_kind_and_an_answer_check(client, owner, own_bank):
    client.force_login(owner)
    for question in own_bank.questions.all():
        page = client.get(reverse("banks:preview", args=[own_bank.pk, question.pk]))
        assert page.status_code == 200, question.slug
        assert not any(v.get("error") for v in page.context["variants"]), question.slug
    gates = own_bank.questions.get(slug="lstm-gates")
    html = client.get(reverse("banks:preview", args=[own_bank.pk, gates.pk])).content.decode()
    assert html.count('class="card variant"') == 1 and "верный</span>" in html

    dense = _dense(own_bank)
    spec = dense.versions.get().spec
    expected = grader.grade(spec, 2, "").expected
    url = reverse("banks:preview", args=[own_bank.pk, dense.pk])
    page = client.get(url, {"check_seed": 2, "raw": str(expected)})
    checked = [v for v in page.context["variants"] if "check" in v]
    assert [v["seed"] for v in checked] == [2] and checked[0]["check"]["correct"]
    assert "Верно." in page.content.decode()


def test_preview_shows_a_broken_variant_instead_of_failing(client, owner):
    data = yaml.safe_load(demo_yaml())
    # Stored straight, not through the checks: an engine argument the engine does not know.
    data["questions"][0]["answer"]["args"]["bogus"] = 1
    bank = bank_import(data=data, user=owner)[0]
    client.force_login(owner)
    page = client.get(reverse("banks:preview", args=[bank.pk, _dense(bank).pk]))
    assert page.status_code == 200
    assert all(v.get("error") for v in page.context["variants"])
    assert "Ошибка:" in page.content.decode()


def test_bank_list_query_count_does_not_grow_with_banks(
    client, owner, django_user_model, django_assert_max_num_queries
):
    client.force_login(owner)
    for index in range(6):
        bank_import(data=yaml.safe_load(demo_yaml(f"bank-{index}", f"Банк {index}")), user=owner)
    other = make_user(django_user_model, "uploader-owner")
    BankUpload.objects.create(owner=owner, filename="a.yaml", data=b"", size=0)
    BankUpload.objects.create(owner=other, filename="b.yaml", data=b"", size=0)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("banks:list"))
    assert page.content.decode().count('class="card bank-card"') == 6


def test_bank_page_query_count_is_bounded(
    client, owner, student, own_bank, django_assert_max_num_queries
):
    for index, question in enumerate(own_bank.questions.all()):
        quiz = Quiz.objects.create(slug=f"q{index}", title=f"Тест {index}", owner=owner)
        version = question.versions.get()
        QuizItem.objects.create(quiz=quiz, question=question, version=version, position=1)
        attempt = Attempt.objects.create(quiz=quiz, user=student)
        AttemptItem.objects.create(attempt=attempt, version=version, position=1, seed=index)
    client.force_login(owner)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("banks:detail", args=[own_bank.pk]))
    assert page.status_code == 200
    assert QuestionVersion.objects.count() == 9
