"""A complete, consistent JSON backup of the app's data, and its restore into an empty database.

What is saved: every row of every installed model (users and groups, banks, topics, questions,
versions, bank uploads with their file bytes, quizzes, courses, attempts, responses, practice,
flashcards, gradebook overrides and regrades, API keys (hashes only), webhooks, LTI
registrations, keys and links, the admin's log) except what Django rebuilds by itself: content
types and permissions (``migrate`` creates them; they are referred to by natural keys) and
sessions (people simply log in again).

The file is Django's serialisation format inside a small envelope::

    {"format": "neurozachet-backup", "version": 1, "created_at": "…", "database": "postgresql",
     "migrations": {"quizapp": "0014_…", …}, "counts": {"quizapp.attempt": 12, …},
     "objects": [{"model": "auth.user", "pk": 1, "fields": {…}}, …]}

On PostgreSQL the whole dump is read in one REPEATABLE READ, READ ONLY transaction: one snapshot,
so an attempt finished while the dump runs is either wholly in it or wholly not. The restore runs
in one transaction too, refuses a database that already holds data, and resets the sequences so
that new rows get fresh ids.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "neurozachet-backup"
VERSION = 1
# Rebuilt by ``migrate`` (content types, permissions) or not worth keeping (sessions).
SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Created by a data migration in every fresh database; the backup's own rows replace them.
SEEDED = {"auth.group"}


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup keeps them to the microsecond."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A refusal with a message for the person running the command."""


def backed_up_models() -> list:
    """Every concrete model except the skipped ones, in an order that loads (dependencies
    first)."""
    app_list = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.label_lower in SKIPPED:
            continue
        app_list.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _objects(models, using: str, counts: Counter):
    for model in models:
        label = model._meta.label_lower
        counts[label] += 0
        for obj in (
            model._base_manager.using(using).order_by(model._meta.pk.name).iterator(chunk_size=2000)
        ):
            counts[label] += 1
            yield obj


def backup_write(stream: io.TextIOBase, *, using: str = DEFAULT_DB_ALIAS) -> Counter:
    """Write the whole backup to ``stream`` (text); the number of rows per model."""
    connection = connections[using]
    counts: Counter = Counter()
    nested = connection.in_atomic_block  # a caller's transaction already chose its snapshot
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and not nested:
            # Must be the transaction's first statement: the snapshot is taken at the first read.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        models = backed_up_models()
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "migrations": _applied_migrations(using),
        }
        stream.write(json.dumps(header, ensure_ascii=False)[:-1])
        stream.write(', "objects": ')
        serializers.serialize(
            "json",
            _objects(models, using, counts),
            stream=stream,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=False,
            ensure_ascii=False,
            cls=ExactJSONEncoder,
        )
        stream.write(', "counts": ' + json.dumps(dict(sorted(counts.items()))) + "}\n")
    return counts


def backup_to_file(path: str, *, using: str = DEFAULT_DB_ALIAS) -> Counter:
    """Write the backup to ``path`` (gzip when it ends with ``.gz``), atomically: a half-written
    file never carries the final name."""
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    opener = gzip.open if target.name.endswith(".gz") else open
    try:
        with opener(partial, "wt", encoding="utf-8") as stream:
            counts = backup_write(stream, using=using)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def backup_read(path: str) -> dict:
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BackupError(
            _("Файл %(path)s — не резервная копия: %(error)s") % {"path": path, "error": exc}
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(_("Файл %(path)s — не резервная копия Нейрозачёта.") % {"path": path})
    if data.get("version") != VERSION:
        raise BackupError(
            _("Версия копии %(version)s не поддерживается (ожидается %(expected)s).")
            % {"version": data.get("version"), "expected": VERSION}
        )
    return data


def rows_present(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows already in the database, per model (the seeded groups do not count)."""
    present = {}
    for model in backed_up_models():
        label = model._meta.label_lower
        if label in SEEDED:
            continue
        count = model._base_manager.using(using).count()
        if count:
            present[label] = count
    return present


def _check_migrations(data: dict, using: str) -> None:
    applied = _applied_migrations(using)
    missing = [
        f"{app}.{name}"
        for app, names in data.get("migrations", {}).items()
        for name in names
        if name not in applied.get(app, [])
    ]
    if missing:
        raise BackupError(
            _(
                "В базе не применены миграции, с которыми сделана копия (%(missing)s). "
                "Обновите код и выполните «manage.py migrate», затем повторите."
            )
            % {"missing": ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")}
        )


def restore_from_file(path: str, *, using: str = DEFAULT_DB_ALIAS) -> Counter:
    """Load a backup into an empty, migrated database, in one transaction; rows per model."""
    data = backup_read(path)
    _check_migrations(data, using)
    present = rows_present(using)
    if present:
        listed = ", ".join(f"{label}: {n}" for label, n in sorted(present.items())[:6])
        raise BackupError(
            _(
                "База не пуста (%(listed)s): восстанавливать можно только в пустую базу. "
                "Создайте новую базу, выполните «manage.py migrate» и повторите."
            )
            % {"listed": listed}
        )
    connection = connections[using]
    counts: Counter = Counter()
    loaded_models = set()
    with transaction.atomic(using=using):
        for label in SEEDED:
            apps.get_model(label)._base_manager.using(using).all().delete()
        with connection.constraint_checks_disabled():
            deferred = []
            for obj in serializers.deserialize(
                "python",
                data["objects"],
                using=using,
                ignorenonexistent=True,
                handle_forward_references=True,
            ):
                obj.save(using=using)
                if obj.deferred_fields:
                    deferred.append(obj)
                model = type(obj.object)
                loaded_models.add(model)
                counts[model._meta.label_lower] += 1
            for obj in deferred:
                obj.save_deferred_fields(using=using)
        connection.check_constraints(table_names=[m._meta.db_table for m in loaded_models])
        statements = connection.ops.sequence_reset_sql(no_style(), list(loaded_models))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        expected = Counter({k: v for k, v in data.get("counts", {}).items() if v})
        if expected != counts:
            raise BackupError(
                _("Загружено не столько строк, сколько в копии: восстановление отменено.")
            )
    return counts


def summary(counts: Counter) -> str:
    total = sum(counts.values())
    main = ", ".join(
        f"{label.split('.')[1]} {counts[label]}"
        for label in (
            "auth.user",
            "question_bank.bank",
            "quizapp.quiz",
            "quizapp.course",
            "quizapp.attempt",
            "quizapp.response",
            "quizapp.flashcardreview",
        )
        if counts.get(label)
    )
    return _("строк: %(total)s (%(main)s)") % {"total": total, "main": main or "—"}


def default_backup_name() -> str:
    return f"neurozachet-{dt.datetime.now():%Y%m%d-%H%M%S}.json.gz"
