"""Writes to the question bank: publishing questions, importing bank files, browser uploads."""

from __future__ import annotations

import json
import logging
import time
from pathlib import PurePath

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from grader.errors import GraderError
from grader.variants import variant
from question_bank.access import can_manage_bank
from question_bank.formats import IMPORTERS, parse_file
from question_bank.formats.common import (
    SKIPPED,
    Problem,
    count_skipped,
    skip_invalid_questions,
    split_question,
)
from question_bank.models import Bank, BankUpload, Question, QuestionVersion, Topic, spec_hash
from question_bank.selectors import newest_versions
from question_bank.validation import DEFAULT_VARIANTS, check_bank_variants, check_near_duplicates
from quizapp.core.errors import ErrorCode, ServiceError
from quizapp.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)


class BankError(ServiceError):
    """A refused bank operation: ``code`` for machines, ``message`` in Russian for people."""


@transaction.atomic
def question_publish(
    *, bank: Bank, slug: str, title: str, spec: dict, topic: Topic | None = None
) -> QuestionVersion:
    """Create the question or, if its spec changed, a new version of it; return the current version.

    Publishing the same spec again is a no-op, so re-importing an unchanged bank creates nothing.
    The same content in another key order (a version stored in PostgreSQL's jsonb before specs
    were kept as text lost its order) takes the given order: in place when no variant anyone saw
    changes with it, otherwise as a new version, so stored attempts keep their numbers.
    """
    question, _created = Question.objects.select_for_update().get_or_create(
        bank=bank, slug=slug, defaults={"title": title, "kind": spec["kind"], "topic": topic}
    )
    if (question.title, question.kind, question.topic_id, question.is_archived) != (
        title,
        spec["kind"],
        getattr(topic, "pk", None),
        False,
    ):
        # Published again: an archived question (dropped from its file once) comes back.
        question.title, question.kind, question.topic = title, spec["kind"], topic
        question.is_archived = False
        question.save(update_fields=["title", "kind", "topic", "is_archived"])
    latest = question.versions.order_by("-number").first()
    if latest is not None and latest.spec_hash == spec_hash(spec):
        if _in_order(latest.spec) == _in_order(spec):
            return latest
        if not _reorder_changes_variants(latest, spec):
            return _version_reorder(latest, spec)
    return QuestionVersion.objects.create(
        question=question, number=(latest.number + 1) if latest else 1, spec=spec
    )


def _in_order(spec: dict) -> str:
    return json.dumps(spec, ensure_ascii=False, separators=(",", ":"))


def _reorder_changes_variants(version: QuestionVersion, spec: dict) -> bool:
    """Would ``spec``, equal to the version's up to key order, change numbers someone has seen?

    Parameters are drawn in the listed order; everything else a variant depends on is either a
    list or looked up by name. A version nobody was shown a variant of (no row that carries a
    seed refers to it) may take any order.
    """
    if list(version.spec.get("params") or {}) == list(spec.get("params") or {}):
        return False
    return _variant_shown(version)


def _variant_shown(version: QuestionVersion) -> bool:
    """Whether a row that stores a seed (an attempt item, a practice answer…) refers to it.

    Found through the model's reverse relations: the rows live in layers above this one.
    """
    for relation in QuestionVersion._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.one_to_many):
            continue
        model = relation.related_model
        if not any(f.name == "seed" for f in model._meta.concrete_fields):
            continue
        if model._base_manager.filter(**{relation.field.name: version.pk}).exists():
            return True
    return False


def _version_reorder(version: QuestionVersion, spec: dict) -> QuestionVersion:
    """Give a version the author's key order back (it lost it in PostgreSQL's jsonb).

    The content is equal (same ``spec_hash``) and no variant anyone saw changes, so this is not
    an edit of the version: the one write that bypasses ``QuestionVersion.save``.
    """
    QuestionVersion.objects.filter(pk=version.pk).update(spec=spec)
    version.spec = spec
    logger.info("question version %s: key order restored from the bank file", version.pk)
    return version


@transaction.atomic
def bank_import(
    *, data: dict, user=None, keep: frozenset[str] = frozenset()
) -> tuple[Bank, list[QuestionVersion]]:
    """Create or update a bank from already validated data (bank, topics, questions).

    All or nothing: one transaction, so a failure leaves what was stored untouched. ``user`` is
    the instructor publishing from the browser: a new bank becomes theirs, and a bank they may
    not change is refused (``bank_not_yours``). Without ``user`` (the commands) any bank is
    updated and a new one is bundled (no owner).

    The file is the whole bank: a stored question the file no longer has (a duplicate removed
    from the bundled banks) is archived, not deleted — attempts, practice answers and flashcard
    reviews keep its versions (they are protected), it just stops being drawn for new work.
    ``keep``: slugs of questions a lenient import left out for errors; they stay as stored.
    """
    meta = data["bank"]
    defaults = {
        "title": meta["title"],
        "description": meta.get("description", ""),
        "language": meta.get("language", "ru"),
        "version": str(meta.get("version", "")),
        "authors": meta.get("authors", []),
        "license": meta.get("license", ""),
    }
    bank, created = Bank.objects.update_or_create(
        slug=meta["slug"], defaults=defaults, create_defaults={**defaults, "owner": user}
    )
    # Checked after the write, not before: a bank created by someone else between a check and
    # this transaction would otherwise be updated; raising here rolls the update back.
    if user is not None and not created and not can_manage_bank(user, bank):
        raise BankError(
            gettext("Банк с кодом «%(slug)s» уже есть, и изменять его вы не можете.")
            % {"slug": bank.slug},
            code=ErrorCode.BANK_NOT_YOURS,
        )
    topics = {}
    for entry in data.get("topics", []):
        parent = topics.get(entry.get("parent"))
        topics[entry["slug"]], _ = Topic.objects.update_or_create(
            bank=bank, slug=entry["slug"], defaults={"title": entry["title"], "parent": parent}
        )
    versions = []
    for entry in data.get("questions", []):
        meta, spec = split_question(entry)
        versions.append(
            question_publish(
                bank=bank,
                slug=meta["slug"],
                title=meta["title"],
                spec=spec,
                topic=topics.get(meta.get("topic")),
            )
        )
    Question.objects.filter(bank=bank, is_archived=False).exclude(
        pk__in=[v.question_id for v in versions]
    ).exclude(slug__in=keep).update(is_archived=True)
    return bank, versions


class BankInvalid(Exception):
    """A bank file has errors; ``problems`` lists every one of them (nothing was stored).

    ``warnings``: the file's other problems, among them the questions it left out (an
    unsupported type…), so that a refusal can say why nothing was left to import.
    """

    code = "bank_invalid"

    def __init__(self, problems, warnings=()):
        super().__init__(gettext("%(count)s ошибок в банке") % {"count": len(problems)})
        self.problems = problems
        self.warnings = list(warnings)


def bank_validate_file(
    *,
    data: bytes,
    filename: str,
    variants: int,
    progress=None,
    skip_invalid: bool = False,
    essays_as_cards: bool = False,
):
    """Parse and check a bank file of any format; return (ImportResult, all problems).

    ``essays_as_cards``: Moodle and GIFT essays become self-check flashcards instead of essays
    graded by the instructor (the lecturer's choice at import).

    ``skip_invalid`` (lenient mode): questions with errors, in the file or in their variants,
    are left out and reported as ``skipped``; errors of the file itself still count.
    """
    result = parse_file(data, filename, skip_invalid=skip_invalid, essays_as_cards=essays_as_cards)
    problems = list(result.problems)
    if result.ok:
        problems += check_bank_variants(result, filename, variants=variants, progress=progress)
        if skip_invalid:
            result, problems = skip_invalid_questions(result, problems)
    return result, problems


def bank_import_file(
    *,
    data: bytes,
    filename: str,
    variants: int,
    progress=None,
    user=None,
    slug: str | None = None,
    skip_invalid: bool = False,
    essays_as_cards: bool = False,
):
    """Validate a bank file completely, then store it; an invalid file changes nothing.

    Questions whose spec is already stored as their newest version are not validated again,
    so re-importing an unchanged bank is quick and creates nothing. ``slug`` replaces the bank's
    code from the file (a browser upload decided it at validation); ``user``: see bank_import.
    ``skip_invalid`` (lenient mode, asked for explicitly): questions with errors are left out
    and named among the problems returned (severity ``skipped``); a stored question left out so
    keeps its stored version. Strict (the default): any error refuses the whole file.
    ``essays_as_cards``: see :func:`bank_validate_file`.
    """
    result = parse_file(data, filename, skip_invalid=skip_invalid, essays_as_cards=essays_as_cards)
    problems = list(result.problems)
    if result.ok and slug:
        result.bank["bank"]["slug"] = slug
    if result.ok:
        changed = _changed_questions(result.bank)
        if changed:
            problems += check_bank_variants(
                result, filename, variants=variants, progress=progress, only=changed
            )
        if skip_invalid:
            result, problems = skip_invalid_questions(result, problems)
    if not result.ok or any(p.severity == "error" for p in problems):
        raise BankInvalid(
            [p for p in problems if p.severity == "error"],
            [p for p in problems if p.severity != "error"],
        )
    keep = frozenset(p.question.slug for p in problems if p.question and p.question.slug)
    with transaction.atomic():
        bank, versions = bank_import(data=result.bank, user=user, keep=keep)
        stored = check_stored_specs(result, versions, filename)
        if stored:
            raise BankInvalid(stored)  # rolls the import back: nothing half-imported
    return bank, versions, problems


STORED_CHECK_SEEDS = (None, 0, 1)


def check_stored_specs(result, versions: list[QuestionVersion], filename: str) -> list[Problem]:
    """Problems with the versions as the database gives them back (not as they were written).

    Every stored spec must give a variant, and the same one as the file's spec for a few seeds:
    what was validated is what students will get, whatever the database does to the text.
    """
    stored = dict(
        QuestionVersion.objects.filter(pk__in=[v.pk for v in versions]).values_list("pk", "spec")
    )
    problems = []
    for index, (entry, version) in enumerate(zip(result.bank["questions"], versions, strict=True)):
        meta, spec = split_question(entry)
        line, column = result.positions.get(("questions", index), (None, None))
        message = _stored_spec_problem(spec, stored[version.pk])
        if message:
            text = gettext("вопрос «%(slug)s», сохранённая версия: %(message)s") % {
                "slug": meta["slug"],
                "message": message,
            }
            problems.append(Problem(filename, line, column, text, "stored_spec"))
    return problems


def _stored_spec_problem(spec: dict, stored: dict) -> str | None:
    for seed in STORED_CHECK_SEEDS if spec.get("params") else (None,):
        try:
            got = variant(stored, seed)
        except GraderError as exc:  # a SpecError, or an engine refusing the default numbers
            return gettext("вариант не вычисляется: %(message)s") % {"message": exc.message}
        try:
            same = got == variant(spec, seed)
        except GraderError:
            same = False  # validated before, so not expected; the stored spec is what counts
        if not same:
            return gettext(
                "числа варианта %(seed)s не совпадают с числами из файла "
                "(база данных изменила спецификацию)"
            ) % {"seed": gettext("по умолчанию") if seed is None else seed}
    return None


def _changed_questions(data: dict) -> set[int]:
    """Indices of the questions whose spec differs from the newest stored version."""
    stored = _newest_hashes(Bank.objects.filter(slug=data["bank"]["slug"]).first())
    changed = set()
    for index, entry in enumerate(data["questions"]):
        meta, spec = split_question(entry)
        if stored.get(meta["slug"]) != spec_hash(spec):
            changed.add(index)
    return changed


def _newest_hashes(bank: Bank | None) -> dict[str, str]:
    """Question slug → spec hash of its newest version."""
    if bank is None:
        return {}
    newest = {}
    rows = QuestionVersion.objects.filter(question__bank=bank).values_list(
        "question__slug", "number", "spec_hash"
    )
    for slug, number, digest in rows:
        if slug not in newest or number > newest[slug][0]:
            newest[slug] = (number, digest)
    return {slug: digest for slug, (_number, digest) in newest.items()}


# --- Uploads from the browser ----------------------------------------------------------------
# upload (queued) → validate task (validating → valid | invalid) → «Опубликовать» (importing)
# → import task (imported | failed). Tasks take the upload's id; each step claims its state with
# a conditional update, so a redelivered task repeats an unfinished step and skips a finished one.

VALIDATE_UPLOAD_TASK = "question_bank.tasks.validate_bank_upload"
IMPORT_UPLOAD_TASK = "question_bank.tasks.import_bank_upload"
DEFAULT_UPLOAD_MAX_BYTES = 2 * 1024 * 1024  # the native format's own limit
PROGRESS_EVERY = 0.5  # seconds between progress writes


def upload_max_bytes() -> int:
    return getattr(settings, "BANK_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


def upload_variants() -> int:
    return getattr(settings, "BANK_UPLOAD_VARIANTS", DEFAULT_VARIANTS)


def bank_upload_create(
    *,
    owner,
    filename: str,
    data: bytes,
    target: Bank | None = None,
    skip_invalid: bool = False,
    essays_as_cards: bool = False,
):
    """Keep an uploaded file and queue its validation; nothing enters the bank tables yet.

    ``skip_invalid``: the instructor chose to publish the valid questions and leave out those
    with errors (kept in the report, which the check and the publication read it from);
    ``essays_as_cards``: essays become self-check flashcards (kept there too).
    """
    limit = upload_max_bytes()
    if len(data) > limit:
        raise BankError(
            gettext("Файл больше %(value).3g МБ: разделите банк на несколько файлов.")
            % {"value": limit / 1024 / 1024},
            code=ErrorCode.TOO_LARGE,
        )
    if target is not None and not can_manage_bank(owner, target):
        raise BankError(
            gettext("Новую версию банка может загрузить только его владелец или администратор."),
            code=ErrorCode.BANK_NOT_YOURS,
        )
    name = PurePath(filename.replace("\\", "/")).name[-255:] or "bank"
    with transaction.atomic():
        upload = BankUpload.objects.create(
            owner=owner,
            target=target,
            filename=name,
            data=data,
            size=len(data),
            format=IMPORTERS.get(PurePath(name).suffix.lower(), ""),
            report={
                **({"skip_invalid": True} if skip_invalid else {}),
                **({"essays_as_cards": True} if essays_as_cards else {}),
            },
        )
        enqueue_on_commit(VALIDATE_UPLOAD_TASK, upload.pk)
    return upload


def bank_upload_validate(*, upload_id: int) -> BankUpload | None:
    """Check an uploaded file and store the report; None if it was checked already."""
    Status = BankUpload.Status
    # A redelivered task (its worker died mid-check) finds VALIDATING and checks again.
    claimed = BankUpload.objects.filter(
        pk=upload_id, status__in=[Status.QUEUED, Status.VALIDATING]
    ).update(status=Status.VALIDATING, progress_done=0, progress_total=0)
    if not claimed:
        return None
    upload = BankUpload.objects.select_related("owner", "target").get(pk=upload_id)
    parsed = None
    try:
        report, parsed = _upload_report(upload)
        status = Status.INVALID if report["errors"] else Status.VALID
    except DatabaseError:
        raise  # transient: the task retries
    except Exception as exc:
        report, status = _failure_report(upload, exc, gettext("проверке")), Status.FAILED
    # Only the check that still owns the upload writes: a publish may have moved it on meanwhile.
    BankUpload.objects.filter(pk=upload_id, status=Status.VALIDATING).update(
        status=status, report=report, parsed=parsed, validated_at=timezone.now()
    )
    upload.refresh_from_db()
    return upload


def bank_upload_publish(*, upload: BankUpload) -> BankUpload:
    """Queue the import of a valid upload; pressing «Опубликовать» twice publishes once."""
    Status = BankUpload.Status
    with transaction.atomic():
        # Race: a double click or two tabs; the row lock lets one request move VALID → IMPORTING.
        locked = BankUpload.objects.select_for_update().defer("data").get(pk=upload.pk)
        if locked.status in (Status.IMPORTING, Status.IMPORTED):
            return locked
        if locked.status != Status.VALID:
            raise BankError(
                gettext("Опубликовать можно только проверенный файл без ошибок."),
                code=ErrorCode.NOT_VALID,
            )
        locked.status, locked.progress_done, locked.progress_total = Status.IMPORTING, 0, 0
        locked.save(update_fields=["status", "progress_done", "progress_total"])
        enqueue_on_commit(IMPORT_UPLOAD_TASK, locked.pk)
    return locked


def bank_upload_import(*, upload_id: int) -> BankUpload | None:
    """Store a published upload (all or nothing); None if it is not waiting to be imported."""
    Status = BankUpload.Status
    upload = (
        BankUpload.objects.select_related("owner")
        .filter(pk=upload_id, status=Status.IMPORTING)
        .first()
    )
    if upload is None:
        return None
    report = dict(upload.report)
    slug = report["bank"]["slug"]
    before = set(
        QuestionVersion.objects.filter(question__bank__slug=slug).values_list("pk", flat=True)
    )
    bank, status = None, Status.IMPORTED
    try:
        bank, versions, _problems = bank_import_file(
            data=bytes(upload.data),
            filename=upload.filename,
            variants=upload_variants(),
            progress=_progress_writer(upload_id),
            user=upload.owner,
            slug=slug,
            skip_invalid=bool(report.get("skip_invalid")),
            essays_as_cards=bool(report.get("essays_as_cards")),
        )
        created = sum(1 for v in versions if v.pk not in before)
        report["published"] = {"bank_id": bank.pk, "new_versions": created}
    except BankInvalid as exc:
        # The bank changed since the check (another upload published first): nothing stored.
        report["errors"] = [p.as_dict() for p in exc.problems]
        report["failure"] = gettext("При публикации найдены ошибки; ничего не сохранено.")
        status = Status.FAILED
    except BankError as exc:
        report["failure"], status = exc.message, Status.FAILED
    except DatabaseError:
        raise
    except Exception as exc:
        report, status = _failure_report(upload, exc, gettext("публикации"), report), Status.FAILED
    BankUpload.objects.filter(pk=upload_id, status=Status.IMPORTING).update(
        status=status, report=report, bank=bank, published_at=timezone.now()
    )
    upload.refresh_from_db()
    return upload


def bank_upload_fail(*, upload_id: int, message: str) -> None:
    """Mark an unfinished upload failed (its task gave up), so that its page stops waiting."""
    upload = BankUpload.objects.filter(pk=upload_id, status__in=BankUpload.ACTIVE).first()
    if upload is None:
        return
    report = {**upload.report, "failure": message}
    BankUpload.objects.filter(pk=upload_id, status=upload.status).update(
        status=BankUpload.Status.FAILED, report=report
    )


def _progress_writer(upload_id: int):
    """A progress callback that writes at most every PROGRESS_EVERY seconds, and the last step."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        BankUpload.objects.filter(pk=upload_id).update(progress_done=done, progress_total=total)

    return progress


def _failure_report(upload: BankUpload, exc: Exception, stage: str, report=None) -> dict:
    if isinstance(exc, SoftTimeLimitExceeded):
        message = gettext(
            "Сбой при %(stage)s: файл не успел обработаться за отведённое время. "
            "Разделите банк на несколько файлов поменьше."
        ) % {"stage": stage}
    else:
        logger.exception("bank upload %s failed at %s", upload.pk, stage)
        message = gettext(
            "Сбой при %(stage)s файла. Попробуйте ещё раз; если не поможет, сообщите нам."
        ) % {"stage": stage}
    return {**(report or {}), "failure": message}


def _upload_report(upload: BankUpload) -> tuple[dict, dict | None]:
    """(report, the parsed native structure or None) of an upload."""
    skip_invalid = bool(upload.report.get("skip_invalid"))
    essays_as_cards = bool(upload.report.get("essays_as_cards"))
    result, problems = bank_validate_file(
        data=bytes(upload.data),
        filename=upload.filename,
        variants=upload_variants(),
        progress=_progress_writer(upload.pk),
        skip_invalid=skip_invalid,
        essays_as_cards=essays_as_cards,
    )
    report = {"format": upload.format, "bank": None, "questions": [], "counts": {}}
    if skip_invalid:
        report["skip_invalid"] = True
    if essays_as_cards:
        report["essays_as_cards"] = True
    if result.bank is not None:
        existing = _resolve_bank(upload, result, problems)
        meta = result.bank["bank"]
        report["bank"] = {
            "slug": meta["slug"],
            "title": meta["title"],
            "existing_id": existing.pk if existing else None,
            "existing_title": existing.title if existing else "",
        }
        labels = {kind: str(label) for kind, label in Question.Kind.choices}
        report["questions"], report["counts"] = _question_summary(result, existing, labels)
        if result.ok:
            report["variants"] = _variants_checked(report["questions"], upload_variants())
            problems += check_near_duplicates(
                [(upload.filename, result)], others=_own_questions(upload.owner, meta["slug"])
            )
    if not skip_invalid and any(p.severity == "error" for p in problems):
        # How many questions «импортировать остальное» would leave out, if it can save the file.
        lenient, kept = skip_invalid_questions(result, problems)
        if lenient is not result and lenient.ok:
            report["could_skip"] = count_skipped(kept)
    report["errors"] = [p.as_dict() for p in problems if p.severity == "error"]
    report["skipped"] = [p.as_dict() for p in problems if p.severity == SKIPPED]
    report["warnings"] = [p.as_dict() for p in problems if p.severity not in ("error", SKIPPED)]
    # Previews need the questions even when some variants fail: that is what they show.
    parsed = result.bank if result.bank is not None and result.ok else None
    return report, parsed


def _own_questions(owner, slug: str) -> list[tuple[str, str, dict]]:
    """(bank, question, spec) of the instructor's other banks, to find repeats of an upload."""
    questions = {
        pk: (bank, question)
        for pk, bank, question in Question.objects.filter(bank__owner=owner, is_archived=False)
        .exclude(bank__slug=slug)
        .values_list("pk", "bank__slug", "slug")
    }
    return [
        (*questions[version.question_id], version.spec)
        for version in newest_versions(questions).values()
    ]


def _resolve_bank(upload: BankUpload, result, problems: list) -> Bank | None:
    """Decide which bank the file will update (or that it makes a new one); fix the slug."""
    meta = result.bank["bank"]
    slug = meta["slug"]
    line, column = result.positions.get(("bank", "slug"), (None, None))
    if upload.target is not None:
        if slug != upload.target.slug:
            message = gettext(
                "код банка «%(slug)s» заменён на «%(target)s»: файл публикуется как "
                "новая версия банка «%(title)s»"
            ) % {"slug": slug, "target": upload.target.slug, "title": upload.target.title}
            problems.append(
                Problem(upload.filename, line, column, message, "slug_replaced", "warning")
            )
            meta["slug"] = upload.target.slug
        return upload.target
    existing = Bank.objects.filter(slug=slug).first()
    if existing is None or can_manage_bank(upload.owner, existing):
        return existing
    if upload.format == "native":  # the author wrote this slug: let them choose another
        message = gettext(
            "банк с кодом «%(slug)s» уже есть, и изменять его вы не можете; "
            "задайте в bank.slug другой код"
        ) % {"slug": slug}
        problems.append(Problem(upload.filename, line, column, message, "bank_not_yours"))
        return None
    # Moodle XML and GIFT take the code from the file name: pick one that is free or ours.
    candidates = [f"{slug[:90]}-{n}" for n in range(2, 1000)]
    taken = {b.slug: b for b in Bank.objects.filter(slug__in=candidates).select_related("owner")}
    free = next(c for c in candidates if c not in taken or can_manage_bank(upload.owner, taken[c]))
    message = gettext(
        "банк с кодом «%(slug)s» уже есть; файл будет опубликован как банк «%(free)s»"
    ) % {"slug": slug, "free": free}
    problems.append(Problem(upload.filename, None, None, message, "slug_taken", "warning"))
    meta["slug"] = free
    return taken.get(free)


def _variants_checked(rows: list[dict], variants: int) -> dict:
    """How many variants the check computed: a template its default variant and ``variants``
    drawn ones (question_bank.validation, grader/checks.py), a question without parameters one."""
    templates = sum(1 for row in rows if row["template"])
    fixed = len(rows) - templates
    per_template = variants + 1
    return {
        "drawn": variants,
        "per_template": per_template,
        "templates": templates,
        "fixed": fixed,
        "total": templates * per_template + fixed,
    }


def _question_summary(result, existing: Bank | None, labels: dict) -> tuple[list, dict]:
    stored = _newest_hashes(existing)
    rows, counts = [], {"new": 0, "changed": 0, "unchanged": 0}
    for index, entry in enumerate(result.bank["questions"]):
        meta, spec = split_question(entry)
        known = stored.get(meta["slug"])
        state = "new" if known is None else "unchanged" if known == spec_hash(spec) else "changed"
        counts[state] += 1
        rows.append(
            {
                "index": index,
                "slug": meta["slug"],
                "title": meta["title"],
                "topic": meta.get("topic", ""),
                "kind": labels.get(spec.get("kind"), spec.get("kind")),
                "template": bool(spec.get("params")),
                "status": state,
                "line": result.positions.get(("questions", index), (None, None))[0],
            }
        )
    in_file = {row["slug"] for row in rows}
    counts["absent"] = sum(1 for slug in stored if slug not in in_file)
    return rows, counts
