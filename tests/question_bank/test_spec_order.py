"""A spec keeps the key order its author wrote, whatever the database (issue 10, item 4).

Parameters are drawn in the listed order, so the order defines every variant's numbers; on
PostgreSQL a plain JSONField (jsonb) reordered the keys: other numbers than on SQLite, and a
derived value computed before the one it uses (a 500 on practice pages). The PostgreSQL tests
import every bundled question through the real import path and read it back.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import FieldError

import grader
from grader import kinds
from question_bank.formats.common import split_question
from question_bank.models import BankUpload, OrderedJSONField, Question, QuestionVersion
from question_bank.services import BankInvalid, bank_import_file, question_publish
from tests.conftest import DEMO
from tests.question_bank.banks import BANKS_DIR
from tests.question_bank.conftest import demo_yaml, publish, upload

pytestmark = pytest.mark.django_db

BUNDLED = [DEMO, *sorted(BANKS_DIR.glob("*.yaml"))]
SEEDS = (None, 0, 7, 20261202)
# What bin/serve loads the bundled banks with; fewer make the statistical checks flaky.
VARIANTS = 20

# A template whose parameters and derived values jsonb would put in another order (shorter keys
# first): ``total`` would come before the ``blocks`` it uses.
BANK = """
bank: {slug: order-bank, title: Порядок ключей}
questions:
  - slug: order
    title: Порядок
    kind: numeric
    text: "{{ width }} и {{ n }}: сколько будет {{ total }}?"
    params:
      width: {type: int, min: 1, max: 50, default: 3}
      n: {type: int, min: 1, max: 50, default: 2}
    derived:
      blocks: "width * n"
      total: "blocks + 1"
    answer: {expr: total}
"""


def _file_specs(path: Path) -> dict[str, dict]:
    """slug → spec, read with plain YAML (not the importer): the order the author wrote."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {q["slug"]: split_question(q)[1] for q in data["questions"]}


def _order_difference(written, stored, where="spec") -> str | None:
    """Where the stored value's keys (at any depth) are not in the written order, if anywhere."""
    if isinstance(written, dict) and isinstance(stored, dict):
        if list(written) != list(stored):
            return f"{where}: {list(written)} ≠ {list(stored)}"
        for key in written:
            found = _order_difference(written[key], stored[key], f"{where}.{key}")
            if found:
                return found
    elif isinstance(written, list) and isinstance(stored, list) and len(written) == len(stored):
        for index, (a, b) in enumerate(zip(written, stored, strict=True)):
            found = _order_difference(a, b, f"{where}[{index}]")
            if found:
                return found
    elif written != stored:
        return f"{where}: {written!r} ≠ {stored!r}"
    return None


def _stored_problems(slug: str, written: dict, stored: dict) -> list[str]:
    """(a) key order, (b) the same variants as the file's spec, (c) the own key graded right."""
    problems = []
    difference = _order_difference(written, stored)
    if difference:
        problems.append(f"{slug}: {difference}")
    kind = kinds.get(stored["kind"])
    for seed in SEEDS if written.get("params") else (None,):
        got = grader.variant(stored, seed)
        if got != grader.variant(written, seed):
            problems.append(f"{slug}, seed {seed}: {got} ≠ the file's variant")
            continue
        raw = kind.self_test(stored, kind.expected(stored, got.values)).correct
        result = grader.grade(stored, seed, raw)
        if not result.correct:
            problems.append(f"{slug}, seed {seed}: own key {raw!r} graded {result.feedback}")
    return problems


@pytest.mark.postgres
def test_every_bundled_question_reads_back_in_the_authors_order():
    started = time.monotonic()
    problems, checked, expected = [], 0, 0
    for path in BUNDLED:
        bank, versions, _warnings = bank_import_file(
            data=path.read_bytes(), filename=path.name, variants=VARIANTS
        )
        written = _file_specs(path)
        stored = QuestionVersion.objects.filter(question__bank=bank).values_list(
            "question__slug", "spec"
        )
        assert len(stored) == len(written) == len(versions), path.name
        expected += len(written)
        for slug, spec in stored:
            problems += _stored_problems(slug, written[slug], spec)
            checked += 1
    assert problems == []
    # Every question of every file was read back (no bank is small).
    assert checked == expected >= 20 * len(BUNDLED), checked
    print(f"\n{checked} questions of {len(BUNDLED)} files in {time.monotonic() - started:.1f} s")


@pytest.mark.postgres
def test_an_uploaded_bank_keeps_its_order_through_validation_and_publishing(
    owner_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    text = demo_yaml() + BANK.split("questions:\n", 1)[1]
    upload(owner_client, "mine.yaml", text, capture)
    row = BankUpload.objects.get()
    assert row.status == BankUpload.Status.VALID, row.report["errors"]
    written = {q["slug"]: split_question(q)[1] for q in yaml.safe_load(text)["questions"]}
    # The validated file as stored for previews.
    parsed = BankUpload.objects.values_list("parsed", flat=True).get()
    for entry in parsed["questions"]:
        meta, spec = split_question(entry)
        assert _order_difference(written[meta["slug"]], spec) is None, meta["slug"]
    publish(owner_client, row.pk, capture)
    row.refresh_from_db()
    assert row.status == BankUpload.Status.IMPORTED, row.report
    problems = []
    for slug, spec in QuestionVersion.objects.values_list("question__slug", "spec"):
        problems += _stored_problems(slug, written[slug], spec)
    assert problems == []
    assert len(written) == QuestionVersion.objects.count() == 10


# --- On any database ---------------------------------------------------------------------------


def test_the_field_stores_the_text_in_order_and_offers_no_lookups_inside():
    bank, versions, _ = bank_import_file(data=BANK.encode(), filename="b.yaml", variants=1)
    (version,) = versions
    stored = QuestionVersion.objects.get(pk=version.pk).spec
    assert list(stored["params"]) == ["width", "n"]
    assert list(stored["derived"]) == ["blocks", "total"]
    assert (
        grader.variant(stored, 5).values["total"]
        == grader.variant(stored, 5).values["width"] * grader.variant(stored, 5).values["n"] + 1
    )
    with pytest.raises(FieldError):
        list(QuestionVersion.objects.filter(spec__kind="numeric"))
    with pytest.raises(FieldError):
        list(QuestionVersion.objects.filter(spec__has_key="params"))
    assert QuestionVersion.objects.filter(spec__isnull=False).count() == 1
    assert BankUpload.objects.filter(parsed__isnull=True).count() == 0


def _jsonb_order(value):
    """What PostgreSQL's jsonb did to a JSON value: shorter keys first, then bytewise."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return {k: _jsonb_order(value[k]) for k in keys}
    if isinstance(value, list):
        return [_jsonb_order(v) for v in value]
    return value


@pytest.fixture
def jsonb_like(monkeypatch):
    """Make the field hand values back as jsonb would (or as ``change`` says)."""

    def install(change=_jsonb_order):
        original = OrderedJSONField.from_db_value

        def from_db_value(self, value, expression, connection):
            decoded = original(self, value, expression, connection)
            return change(decoded) if isinstance(decoded, dict) else decoded

        monkeypatch.setattr(OrderedJSONField, "from_db_value", from_db_value)

    return install


def test_an_import_whose_stored_specs_give_other_numbers_is_refused(jsonb_like):
    jsonb_like()
    with pytest.raises(BankInvalid) as info:
        bank_import_file(data=BANK.encode(), filename="b.yaml", variants=1)
    (problem,) = info.value.problems
    assert problem.code == "stored_spec" and problem.line == 4
    assert "«order», сохранённая версия: числа варианта" in problem.message
    assert Question.objects.count() == QuestionVersion.objects.count() == 0


def test_an_import_whose_stored_spec_gives_no_variant_is_refused(jsonb_like):
    jsonb_like(lambda spec: {k: v for k, v in spec.items() if k != "params"})
    with pytest.raises(BankInvalid) as info:
        bank_import_file(data=BANK.encode(), filename="b.yaml", variants=1)
    (problem,) = info.value.problems
    assert "вариант не вычисляется" in problem.message
    assert QuestionVersion.objects.count() == 0


def test_an_upload_refused_at_publishing_reports_why_and_stores_nothing(
    owner_client, django_capture_on_commit_callbacks, jsonb_like
):
    capture = django_capture_on_commit_callbacks
    upload(owner_client, "order.yaml", BANK, capture)
    row = BankUpload.objects.get()
    assert row.status == BankUpload.Status.VALID
    jsonb_like()
    publish(owner_client, row.pk, capture)
    row = BankUpload.objects.get()
    assert row.status == BankUpload.Status.FAILED
    assert [e["code"] for e in row.report["errors"]] == ["stored_spec"]
    assert "ничего не сохранено" in row.report["failure"]
    assert QuestionVersion.objects.count() == 0


# --- Versions stored before the fix get the file's order back ------------------------------------


def _lose_order(version: QuestionVersion) -> dict:
    """Store the version as jsonb did before specs were kept as text."""
    lost = _jsonb_order(version.spec)
    QuestionVersion.objects.filter(pk=version.pk).update(spec=lost)
    return lost


def _reimport() -> list[QuestionVersion]:
    return bank_import_file(data=BANK.encode(), filename="b.yaml", variants=1)[1]


def _practice(user, version):
    from quizapp.models import PracticeAnswer

    return PracticeAnswer.objects.create(user=user, version=version, seed=3, raw="1")


def test_a_version_nobody_saw_gets_the_order_back_in_place():
    (version,) = _reimport()
    lost = _lose_order(version)
    assert list(lost["params"]) == ["n", "width"]
    (again,) = _reimport()
    assert again.pk == version.pk and again.number == 1
    stored = QuestionVersion.objects.get(pk=version.pk)
    assert json.dumps(stored.spec) == json.dumps(_file_specs_text(BANK)["order"])
    assert stored.spec_hash == version.spec_hash


def test_a_version_with_variants_shown_keeps_its_numbers_and_gets_a_successor(student):
    (version,) = _reimport()
    lost = _lose_order(version)
    _practice(student, version)
    before = grader.variant(lost, 3).values
    (newest,) = _reimport()
    assert newest.number == 2 and newest.pk != version.pk
    assert QuestionVersion.objects.get(pk=version.pk).spec == lost
    assert grader.variant(QuestionVersion.objects.get(pk=version.pk).spec, 3).values == before
    assert list(QuestionVersion.objects.get(pk=newest.pk).spec["params"]) == ["width", "n"]
    assert _reimport()[0].pk == newest.pk  # and then nothing more changes


def test_a_shown_version_whose_draw_order_is_the_same_is_reordered_in_place(student):
    (version,) = _reimport()
    spec = QuestionVersion.objects.get(pk=version.pk).spec
    lost = {**_jsonb_order(spec), "params": {k: _jsonb_order(v) for k, v in spec["params"].items()}}
    QuestionVersion.objects.filter(pk=version.pk).update(spec=lost)
    _practice(student, version)
    (again,) = _reimport()
    assert again.pk == version.pk
    assert _order_difference(spec, QuestionVersion.objects.get(pk=version.pk).spec) is None


def test_publishing_the_same_spec_in_the_same_order_changes_nothing():
    (version,) = _reimport()
    spec = QuestionVersion.objects.get(pk=version.pk).spec
    again = question_publish(bank=version.question.bank, slug="order", title="Порядок", spec=spec)
    assert again.pk == version.pk and QuestionVersion.objects.count() == 1


def _file_specs_text(text: str) -> dict[str, dict]:
    return {q["slug"]: split_question(q)[1] for q in yaml.safe_load(text)["questions"]}
