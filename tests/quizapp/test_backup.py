"""``manage.py backup`` / ``restore``: a round trip through an emptied database.

Realistic data (a course, a published quiz, a finished attempt with graded answers, practice,
flashcard reviews, an archived bank, an upload's bytes, an API key, a score override) is backed
up, the database flushed, the backup restored; every row of every model must come back equal
(a fingerprint of all fields, natural keys for content types), the result page of a restored
attempt must render and a new attempt must start (the sequences were reset). Run on SQLite and
on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import gzip
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from question_bank.models import BankUpload, QuestionVersion
from quizapp import backup
from quizapp.api.keys import api_key_create
from quizapp.attempts import services as attempts
from quizapp.banks.services import bank_archive
from quizapp.models import Attempt, Response, ScoreOverride
from tests.quizapp.studentwork import build_student_work, import_bank

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _fingerprint() -> dict[str, list]:
    """Every row of every backed-up model, all fields, foreign keys to content types and
    permissions by natural key (their ids are the database's own)."""
    out = {}
    for model in backup.backed_up_models():
        rows = model._base_manager.order_by("pk")
        out[model._meta.label_lower] = serializers.serialize(
            "python", rows, use_natural_foreign_keys=True
        )
    return out


def _spec_orders() -> dict[int, list[str]]:
    return {v.pk: list(v.spec) for v in QuestionVersion.objects.all()}


@pytest.fixture
def data(owner, student, admin_user):
    work = build_student_work(student=student, owner=owner)
    archived, _versions = import_bank(owner=owner, slug="old-course")
    bank_archive(bank=archived)
    BankUpload.objects.create(
        owner=owner, filename="cnn.yaml", data="банк: ё\n".encode() + bytes(range(256)), size=266
    )
    api_key_create(owner=owner, name="Moodle")
    ScoreOverride.objects.create(
        attempt=work.attempt,
        old_score=work.attempt.score,
        new_score=2,
        reason="апелляция",
        by=owner,
    )
    return work


@pytest.mark.parametrize("name", ["copy.json", "copy.json.gz"])
def test_round_trip(tmp_path, data, student, client, name):
    before = _fingerprint()
    spec_orders = _spec_orders()
    counts = {label: len(rows) for label, rows in before.items()}
    assert counts["quizapp.attempt"] == 1 and counts["quizapp.response"] == 2
    assert counts["quizapp.flashcardreview"] == 2 and counts["quizapp.practiceanswer"] == 1
    assert counts["question_bank.bank"] == 2 and counts["auth.group"] >= 1

    path = tmp_path / name
    call_command("backup", str(path), stdout=open("/dev/null", "w"))
    raw = path.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == name.endswith(".gz")
    document = json.loads(gzip.decompress(raw) if name.endswith(".gz") else raw)
    assert document["format"] == "neurozachet-backup"
    assert document["counts"]["quizapp.attempt"] == 1
    labels = {o["model"] for o in document["objects"]}
    assert "sessions.session" not in labels and "auth.permission" not in labels
    key_rows = [o for o in document["objects"] if o["model"] == "quizapp.apikey"]
    assert len(key_rows[0]["fields"]["secret_hash"]) == 64  # only the hash is stored

    call_command("flush", "--noinput", verbosity=0)
    ContentType.objects.clear_cache()
    assert not Attempt.objects.exists()
    out = []
    call_command("restore", str(path), stdout=_Lines(out))
    assert "Восстановлено" in out[0]

    assert _fingerprint() == before
    assert _spec_orders() == spec_orders  # the author's key order survives (text column on PG)

    # The restored attempt's result page renders for its student.
    attempt = Attempt.objects.get()
    client.force_login(student)
    page = client.get(reverse("attempt", args=[attempt.uuid]))
    assert page.status_code == 200 and "Вентили LSTM" in page.content.decode()
    # New rows get new ids: the sequences were reset.
    again = attempts.attempt_start(user=student, quiz=attempt.quiz)
    assert again.pk > attempt.pk and again.number == 2
    response = attempts.response_submit(item=again.items.first(), raw="3")
    assert response.pk > max(Response.objects.exclude(pk=response.pk).values_list("pk", flat=True))


def test_restore_refuses_a_database_with_data(tmp_path, data):
    path = tmp_path / "copy.json"
    call_command("backup", str(path), stdout=open("/dev/null", "w"))
    before = _fingerprint()
    with pytest.raises(CommandError, match="База не пуста"):
        call_command("restore", str(path))
    assert _fingerprint() == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    path = tmp_path / "other.json"
    path.write_text('[{"model": "auth.user", "pk": 1, "fields": {}}]')
    with pytest.raises(CommandError, match="не резервная копия"):
        call_command("restore", str(path))


class _Lines:
    def __init__(self, lines):
        self.lines = lines

    def write(self, text):
        self.lines.append(text)

    def flush(self):
        pass
