"""Writes to the question bank."""

from __future__ import annotations

from django.db import transaction

from question_bank.formats.common import split_question
from question_bank.models import Bank, Question, QuestionVersion, Topic, spec_hash


@transaction.atomic
def question_publish(
    *, bank: Bank, slug: str, title: str, spec: dict, topic: Topic | None = None
) -> QuestionVersion:
    """Create the question or, if its spec changed, a new version of it; return the current version.

    Publishing the same spec again is a no-op, so re-importing an unchanged bank creates nothing.
    """
    question, _created = Question.objects.select_for_update().get_or_create(
        bank=bank, slug=slug, defaults={"title": title, "kind": spec["kind"], "topic": topic}
    )
    if (question.title, question.kind, question.topic_id) != (
        title,
        spec["kind"],
        getattr(topic, "pk", None),
    ):
        question.title, question.kind, question.topic = title, spec["kind"], topic
        question.save(update_fields=["title", "kind", "topic"])
    latest = question.versions.order_by("-number").first()
    if latest is not None and latest.spec_hash == spec_hash(spec):
        return latest
    return QuestionVersion.objects.create(
        question=question, number=(latest.number + 1) if latest else 1, spec=spec
    )


@transaction.atomic
def bank_import(*, data: dict) -> tuple[Bank, list[QuestionVersion]]:
    """Create or update a bank from already validated data (bank, topics, questions).

    All or nothing: one transaction, so a failure leaves what was stored untouched.
    """
    meta = data["bank"]
    bank, _ = Bank.objects.update_or_create(
        slug=meta["slug"],
        defaults={
            "title": meta["title"],
            "description": meta.get("description", ""),
            "language": meta.get("language", "ru"),
            "version": str(meta.get("version", "")),
            "authors": meta.get("authors", []),
            "license": meta.get("license", ""),
        },
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
    return bank, versions


class BankInvalid(Exception):
    """A bank file has errors; ``problems`` lists every one of them (nothing was stored)."""

    code = "bank_invalid"

    def __init__(self, problems):
        super().__init__(f"{len(problems)} ошибок в банке")
        self.problems = problems


def bank_validate_file(*, data: bytes, filename: str, variants: int, progress=None):
    """Parse and check a bank file of any format; return (ImportResult, all problems)."""
    from question_bank.formats import parse_file
    from question_bank.validation import check_bank_variants

    result = parse_file(data, filename)
    problems = list(result.problems)
    if result.ok:
        problems += check_bank_variants(result, filename, variants=variants, progress=progress)
    return result, problems


def bank_import_file(*, data: bytes, filename: str, variants: int, progress=None):
    """Validate a bank file completely, then store it; an invalid file changes nothing.

    Questions whose spec is already stored as their newest version are not validated again,
    so re-importing an unchanged bank is quick and creates nothing.
    """
    from question_bank.formats import parse_file
    from question_bank.validation import check_bank_variants

    result = parse_file(data, filename)
    problems = list(result.problems)
    if result.ok:
        changed = _changed_questions(result.bank)
        if changed:
            problems += check_bank_variants(
                result, filename, variants=variants, progress=progress, only=changed
            )
    if not result.ok or any(p.severity == "error" for p in problems):
        raise BankInvalid([p for p in problems if p.severity == "error"])
    bank, versions = bank_import(data=result.bank)
    return bank, versions, problems


def _changed_questions(data: dict) -> set[int]:
    """Indices of the questions whose spec differs from the newest stored version."""
    stored = {}
    bank = Bank.objects.filter(slug=data["bank"]["slug"]).first()
    if bank is not None:
        for version in QuestionVersion.objects.filter(question__bank=bank).select_related(
            "question"
        ):
            known = stored.get(version.question.slug)
            if known is None or version.number > known[0]:
                stored[version.question.slug] = (version.number, version.spec_hash)
    changed = set()
    for index, entry in enumerate(data["questions"]):
        meta, spec = split_question(entry)
        if stored.get(meta["slug"], (0, None))[1] != spec_hash(spec):
            changed.add(index)
    return changed
