"""Uploading a bank in the browser: report before anything is saved, preview, publish."""

from __future__ import annotations

import re

import pytest
import yaml
from django.urls import reverse

from question_bank.formats.moodle import export_moodle_xml
from question_bank.models import Bank, BankUpload, Question, QuestionVersion, Topic
from question_bank.services import BankError, bank_import, bank_upload_publish
from question_bank.tasks import import_bank_upload, validate_bank_upload
from tests.conftest import DEMO
from tests.question_bank.conftest import demo_yaml, publish, upload

pytestmark = pytest.mark.django_db

GIFT = """// Небольшой банк в GIFT
$CATEGORY: Глубокое обучение/Регуляризация

::Dropout::Какой метод регуляризации случайно отключает нейроны при обучении? {
=Dropout
~L2-регуляризация
~BatchNorm
}

::Шаг обучения::Чему равен шаг обучения по умолчанию у SGD в Keras? {#0.01:0.0001}

::Переобучение::Ошибка на обучающей выборке низкая, а на тестовой высокая — это переобучение. {T}
"""


def _bank_tables() -> tuple[int, int, int, int]:
    return (
        Bank.objects.count(),
        Topic.objects.count(),
        Question.objects.count(),
        QuestionVersion.objects.count(),
    )


def _line_of(text: str, fragment: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(fragment, start)].count("\n") + 1


def test_yaml_upload_report_preview_publish(
    owner_client, owner, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    page = upload(owner_client, "my-demo.yaml", demo_yaml(), capture)
    upload_row = BankUpload.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse(
        "banks:upload", args=[upload_row.pk]
    )

    # Checked, but nothing entered the bank tables.
    assert upload_row.status == BankUpload.Status.VALID
    assert upload_row.owner == owner and upload_row.format == "native"
    assert upload_row.progress_done == upload_row.progress_total == 9
    assert _bank_tables() == (0, 0, 0, 0)
    assert upload_row.report["counts"] == {"new": 9, "changed": 0, "unchanged": 0, "absent": 0}
    assert upload_row.report["errors"] == []
    html = owner_client.get(page["Location"]).content.decode()
    assert "Новый банк «Мой демо-банк»" in html and "Опубликовать" in html
    assert html.count("предпросмотр</a>") == 9

    # Preview of a template of the upload, before publishing.
    index = next(q["index"] for q in upload_row.report["questions"] if q["slug"] == "dense-params")
    preview = owner_client.get(reverse("banks:upload-preview", args=[upload_row.pk, index]))
    assert preview.status_code == 200
    assert len(preview.context["variants"]) == 5
    assert "Число параметров полносвязной сети" in preview.content.decode()
    assert _bank_tables() == (0, 0, 0, 0)

    page = publish(owner_client, upload_row.pk, capture)
    assert page.status_code == 302
    upload_row.refresh_from_db()
    bank = Bank.objects.get()
    assert upload_row.status == BankUpload.Status.IMPORTED and upload_row.bank == bank
    assert upload_row.published_at is not None
    assert (bank.slug, bank.title, bank.owner) == ("owner-demo", "Мой демо-банк", owner)
    assert _bank_tables() == (1, 5, 9, 9)
    assert upload_row.report["published"] == {"bank_id": bank.pk, "new_versions": 9}
    html = owner_client.get(reverse("banks:upload", args=[upload_row.pk])).content.decode()
    assert "Банк опубликован" in html and "Опубликовать</button>" not in html


def test_invalid_file_lists_problems_with_lines_and_saves_nothing(
    owner_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    text = demo_yaml().replace("kind: matrix", "kind: tensor").replace("topic: cnn", "topic: cnns")
    upload(owner_client, "broken.yaml", text, capture)
    upload_row = BankUpload.objects.get()
    assert upload_row.status == BankUpload.Status.INVALID
    errors = upload_row.report["errors"]
    assert len(errors) >= 2 and all(e["line"] for e in errors)
    html = owner_client.get(reverse("banks:upload", args=[upload_row.pk])).content.decode()
    kind_line = _line_of(text, "kind: tensor")
    topic_line = _line_of(text, "topic: cnns")
    assert re.search(rf"broken\.yaml:{kind_line}:\d+", html), html
    assert re.search(rf"broken\.yaml:{topic_line}:\d+", html)
    assert "Опубликовать</button>" not in html

    # Publishing an invalid upload is refused in Russian, and nothing is stored.
    page = publish(owner_client, upload_row.pk, capture)
    upload_row.refresh_from_db()
    assert upload_row.status == BankUpload.Status.INVALID
    assert (
        "только проверенный файл без ошибок" in owner_client.get(page["Location"]).content.decode()
    )
    assert _bank_tables() == (0, 0, 0, 0)
    with pytest.raises(BankError) as err:
        bank_upload_publish(upload=upload_row)
    assert err.value.code == "not_valid"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bank.pdf", b"%PDF-1.4 ...", "неизвестный формат файла"),
        ("bank.yaml", b"\xff\xfe\x00\x81 garbage", "не в кодировке UTF-8"),
        ("bank.xml", b"<quiz><question", "не является корректным XML"),
        ("bank.gift", "просто текст без вопросов".encode(), "нет вопросов"),
        ("bank.yaml", b"- 1\n- 2\n", "ожидался словарь"),
    ],
)
def test_wrong_files_get_a_report_not_an_error(
    owner_client, django_capture_on_commit_callbacks, name, content, message
):
    page = upload(owner_client, name, content, django_capture_on_commit_callbacks)
    upload_row = BankUpload.objects.get()
    assert upload_row.status == BankUpload.Status.INVALID
    report = owner_client.get(page["Location"])
    assert report.status_code == 200
    assert message in report.content.decode()
    assert _bank_tables() == (0, 0, 0, 0)


def test_too_large_file_is_refused_in_russian(
    owner_client, settings, django_capture_on_commit_callbacks
):
    settings.BANK_UPLOAD_MAX_BYTES = 1024
    page = upload(owner_client, "big.yaml", demo_yaml(), django_capture_on_commit_callbacks)
    assert page.status_code == 200
    assert "Файл больше" in page.content.decode() and "МБ" in page.content.decode()
    assert not BankUpload.objects.exists()


def test_empty_file_is_refused_by_the_form(owner_client, django_capture_on_commit_callbacks):
    page = upload(owner_client, "empty.yaml", b"", django_capture_on_commit_callbacks)
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert not BankUpload.objects.exists()


def test_moodle_xml_upload_publishes(owner_client, owner, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    data = export_moodle_xml(yaml.safe_load(DEMO.read_text(encoding="utf-8")), variants=5)
    upload(owner_client, "course.xml", data, capture)
    upload_row = BankUpload.objects.get()
    assert upload_row.format == "moodle_xml"
    assert upload_row.status == BankUpload.Status.VALID, upload_row.report["errors"]
    count = len(upload_row.report["questions"])
    # every question comes back, the vector and matrix ones too (their cloze carries the kind)
    assert count == len(yaml.safe_load(DEMO.read_text(encoding="utf-8"))["questions"])

    publish(owner_client, upload_row.pk, capture)
    bank = Bank.objects.get()
    # our own export names its bank (nz-bank: on the first category): the slug comes back, not
    # the file's name
    assert (bank.slug, bank.owner) == ("demo", owner)
    assert bank.questions.count() == count


def test_gift_upload_publishes(owner_client, owner, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    upload(owner_client, "regularization.gift", GIFT, capture)
    upload_row = BankUpload.objects.get()
    assert upload_row.format == "gift" and upload_row.status == BankUpload.Status.VALID
    publish(owner_client, upload_row.pk, capture)
    bank = Bank.objects.get(slug="regularization")
    assert bank.owner == owner
    assert sorted(bank.questions.values_list("slug", flat=True)) == [
        "dropout",
        "pereobuchenie",
        "shag-obucheniya",
    ]
    assert Topic.objects.filter(bank=bank, title="Регуляризация").exists()


def test_republishing_a_changed_file_adds_a_version_and_keeps_the_old(
    owner_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    upload(owner_client, "my-demo.yaml", demo_yaml(), capture)
    publish(owner_client, BankUpload.objects.get().pk, capture)
    question = Question.objects.get(slug="dense-params")
    old = question.versions.get()

    changed = demo_yaml().replace(
        'answer: {engine: dense_params, args: {sizes: "[n_in, h1, h2, h3, 1]"}}',
        'answer: {engine: dense_params, args: {sizes: "[n_in, h1, h2, h3, 2]"}}',
    )
    upload(owner_client, "my-demo.yaml", changed, capture)
    second = BankUpload.objects.order_by("-pk").first()
    assert second.status == BankUpload.Status.VALID
    assert second.report["counts"] == {"new": 0, "changed": 1, "unchanged": 8, "absent": 0}
    assert second.report["bank"]["existing_id"] == question.bank_id
    statuses = {q["slug"]: q["status"] for q in second.report["questions"]}
    assert statuses["dense-params"] == "changed" and statuses["lstm-gates"] == "unchanged"
    html = owner_client.get(reverse("banks:upload", args=[second.pk])).content.decode()
    assert "Обновление банка" in html and "новая версия" in html

    publish(owner_client, second.pk, capture)
    second.refresh_from_db()
    assert second.status == BankUpload.Status.IMPORTED
    assert second.report["published"]["new_versions"] == 1
    assert list(question.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    old.refresh_from_db()  # still there, unchanged
    assert old.spec["answer"]["args"]["sizes"] == "[n_in, h1, h2, h3, 1]"
    assert QuestionVersion.objects.count() == 10


def test_publish_twice_imports_once(owner_client, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    upload(owner_client, "my-demo.yaml", demo_yaml(), capture)
    upload_row = BankUpload.objects.get()
    with capture(execute=False) as callbacks:
        bank_upload_publish(upload=upload_row)
        bank_upload_publish(upload=upload_row)  # a double click: the second is a no-op
    assert len(callbacks) == 1
    callbacks[0]()
    assert import_bank_upload.delay(upload_row.pk).get() is None  # redelivered: nothing to do
    assert QuestionVersion.objects.count() == 9


def test_tasks_are_idempotent(owner_client, django_capture_on_commit_callbacks):
    upload(owner_client, "my-demo.yaml", demo_yaml(), django_capture_on_commit_callbacks)
    upload_row = BankUpload.objects.get()
    validated_at = upload_row.validated_at
    assert validate_bank_upload.delay(upload_row.pk).get() is None
    upload_row.refresh_from_db()
    assert upload_row.validated_at == validated_at

    # A check whose worker died (still "validating") runs again when redelivered.
    BankUpload.objects.filter(pk=upload_row.pk).update(status=BankUpload.Status.VALIDATING)
    assert validate_bank_upload.delay(upload_row.pk).get() == BankUpload.Status.VALID


def test_another_instructors_slug_is_an_error_with_its_line(
    client, owner, other, django_capture_on_commit_callbacks
):
    bank_import(data=yaml.safe_load(demo_yaml()), user=owner)
    client.force_login(other)
    text = demo_yaml()
    upload(client, "copy.yaml", text, django_capture_on_commit_callbacks)
    upload_row = BankUpload.objects.get()
    assert upload_row.status == BankUpload.Status.INVALID
    [error] = upload_row.report["errors"]
    assert error["code"] == "bank_not_yours"
    assert error["line"] == _line_of(text, "slug: owner-demo")
    assert Bank.objects.get().owner == owner


def test_bundled_bank_is_not_changed_by_an_instructor(
    owner_client, django_capture_on_commit_callbacks
):
    bank_import(data=yaml.safe_load(DEMO.read_text(encoding="utf-8")))  # bundled: no owner
    changed = DEMO.read_text(encoding="utf-8").replace(
        "kind: matrix", "kind: matrix\n    hints: [x]"
    )
    upload(owner_client, "demo.yaml", changed, django_capture_on_commit_callbacks)
    upload_row = BankUpload.objects.get()
    assert upload_row.status == BankUpload.Status.INVALID
    assert upload_row.report["errors"][0]["code"] == "bank_not_yours"
    assert Bank.objects.get().owner is None and QuestionVersion.objects.count() == 9


def test_gift_name_taken_by_someone_else_becomes_an_own_bank(
    client, owner, other, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    client.force_login(owner)
    upload(client, "regularization.gift", GIFT, capture)
    publish(client, BankUpload.objects.get().pk, capture)

    client.force_login(other)
    for _ in range(2):  # the second upload updates the bank the first one made
        upload(client, "regularization.gift", GIFT, capture)
        upload_row = BankUpload.objects.filter(owner=other).order_by("-pk").first()
        assert upload_row.status == BankUpload.Status.VALID
        assert upload_row.report["bank"]["slug"] == "regularization-2"
        publish(client, upload_row.pk, capture)
    assert dict(Bank.objects.values_list("slug", "owner__username")) == {
        "regularization": "owner",
        "regularization-2": "other",
    }
    assert QuestionVersion.objects.count() == 6


def test_new_version_from_the_bank_page_keeps_the_banks_slug(
    owner_client, owner, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    bank, _ = bank_import(data=yaml.safe_load(demo_yaml()), user=owner)
    form = owner_client.get(reverse("banks:upload-new") + f"?bank={bank.pk}")
    assert "Новая версия банка «Мой демо-банк»" in form.content.decode()
    renamed = demo_yaml(slug="renamed").replace("Маша обучает", "Петя обучает")
    upload(owner_client, "v2.yaml", renamed, capture, bank=bank.pk)
    upload_row = BankUpload.objects.get()
    assert upload_row.target == bank and upload_row.status == BankUpload.Status.VALID
    assert [w["code"] for w in upload_row.report["warnings"]] == ["slug_replaced"]
    assert upload_row.report["counts"]["changed"] == 1
    publish(owner_client, upload_row.pk, capture)
    assert list(Bank.objects.values_list("slug", flat=True)) == ["owner-demo"]
    assert bank.questions.get(slug="dense-params").versions.count() == 2


def test_new_version_of_a_bank_one_may_not_change_is_refused(
    client, owner, other, django_capture_on_commit_callbacks
):
    bank, _ = bank_import(data=yaml.safe_load(demo_yaml()), user=owner)
    bundled, _ = bank_import(data=yaml.safe_load(DEMO.read_text(encoding="utf-8")))
    client.force_login(other)
    assert client.get(reverse("banks:upload-new") + f"?bank={bank.pk}").status_code == 404
    assert client.get(reverse("banks:upload-new") + f"?bank={bundled.pk}").status_code == 403
    page = upload(client, "x.yaml", demo_yaml(), django_capture_on_commit_callbacks, bank=bank.pk)
    assert page.status_code == 404
    assert not BankUpload.objects.exists()


def test_import_refuses_a_bank_that_became_someone_elses(
    owner_client, owner, other, django_capture_on_commit_callbacks
):
    """The slug was free at the check; another instructor published it before «Опубликовать»."""
    capture = django_capture_on_commit_callbacks
    upload(owner_client, "my-demo.yaml", demo_yaml(), capture)
    upload_row = BankUpload.objects.get()
    bank_import(data=yaml.safe_load(demo_yaml(title="Чужой")), user=other)
    publish(owner_client, upload_row.pk, capture)
    upload_row.refresh_from_db()
    assert upload_row.status == BankUpload.Status.FAILED
    assert "изменять его вы не можете" in upload_row.report["failure"]
    bank = Bank.objects.get()
    assert (bank.title, bank.owner) == ("Чужой", other)
    html = owner_client.get(reverse("banks:upload", args=[upload_row.pk])).content.decode()
    assert "изменять его вы не можете" in html


def test_progress_endpoint_and_active_page(owner_client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not started yet
        owner_client.post(
            reverse("banks:upload-new"),
            {"file": _file("my-demo.yaml", demo_yaml())},
        )
    upload_row = BankUpload.objects.get()
    assert upload_row.status == BankUpload.Status.QUEUED
    data = owner_client.get(reverse("banks:upload-progress", args=[upload_row.pk])).json()
    assert data == {
        "status": "queued",
        "status_display": "в очереди на проверку",
        "active": True,
        "done": 0,
        "total": 0,
        "percent": 0,
    }
    html = owner_client.get(reverse("banks:upload", args=[upload_row.pk])).content.decode()
    assert '<meta http-equiv="refresh"' in html and "<progress" in html
    assert "bank-upload.js" in html

    validate_bank_upload.delay(upload_row.pk)
    data = owner_client.get(reverse("banks:upload-progress", args=[upload_row.pk])).json()
    assert data["status"] == "valid" and not data["active"]
    assert (data["done"], data["total"], data["percent"]) == (9, 9, 100)
    html = owner_client.get(reverse("banks:upload", args=[upload_row.pk])).content.decode()
    assert "http-equiv" not in html and "<progress" not in html


def _file(name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode())


def test_upload_warns_about_a_question_the_instructor_has_in_another_bank(
    owner_client, owner, other, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    bank_import(data=yaml.safe_load(demo_yaml(slug="first")), user=owner)
    bank_import(data=yaml.safe_load(demo_yaml(slug="not-mine")), user=other)
    second = yaml.safe_load(demo_yaml(slug="second", title="Второй банк"))
    second["questions"] = [q for q in second["questions"] if q["slug"] == "dense-params"]
    second["questions"][0]["slug"] = "my-dense"
    upload(owner_client, "second.yaml", yaml.safe_dump(second, allow_unicode=True), capture)
    upload_row = BankUpload.objects.get()
    assert upload_row.status == BankUpload.Status.VALID  # a warning does not stop it
    warnings = [w for w in upload_row.report["warnings"] if w["code"] == "near_duplicate"]
    # Compared with the owner's own bank only, not with another instructor's.
    assert [w["message"] for w in warnings] == [
        "my-dense: почти повторяет вопрос «dense-params» банка «first» (сходство 1.00); "
        "оставьте один из них"
    ]


LENIENT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>Верно ли</text></name>
    <questiontext format="html"><text>Сигмоида ограничена?</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="numerical">
    <name><text>Без ключа</text></name>
    <questiontext format="html"><text>Сколько?</text></questiontext>
    <answer fraction="50"><text>3</text></answer>
  </question>
</quiz>
"""


def test_upload_strict_by_default_lenient_when_asked(
    owner_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    form = owner_client.get(reverse("banks:upload-new")).content.decode()
    assert 'name="skip_invalid"' in form and "пропустив вопросы с ошибками" in form

    page = upload(owner_client, "strict.xml", LENIENT_XML, capture)
    strict = BankUpload.objects.get()
    assert strict.status == BankUpload.Status.INVALID and not strict.report.get("skipped")
    # The refusal says the rest could be imported, and how many questions that would leave out.
    assert strict.report["could_skip"] == 1
    html = owner_client.get(page["Location"]).content.decode()
    assert "можно импортировать остальное, пропустив 1 вопрос с ошибками" in html

    page = upload(owner_client, "lenient.xml", LENIENT_XML, capture, skip_invalid="on")
    lenient = BankUpload.objects.exclude(pk=strict.pk).get()
    assert lenient.status == BankUpload.Status.VALID and lenient.report["errors"] == []
    [skipped] = lenient.report["skipped"]
    assert skipped["question"] == {"name": "Без ключа", "type": "numerical", "line": 9}
    assert "нет ответа с баллом 100 %" in skipped["message"]
    html = owner_client.get(page["Location"]).content.decode()
    assert "Пропущено из-за ошибок: 1" in html and "<td>numerical</td><td>9</td>" in html
    assert _bank_tables() == (0, 0, 0, 0)

    publish(owner_client, lenient.pk, capture)
    lenient.refresh_from_db()
    assert lenient.status == BankUpload.Status.IMPORTED
    assert list(Question.objects.values_list("title", flat=True)) == ["Верно ли"]
