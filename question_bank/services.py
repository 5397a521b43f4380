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
