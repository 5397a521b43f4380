"""Reads of the question bank."""

from __future__ import annotations

from question_bank.formats.common import FORMAT_TAG
from question_bank.models import Bank, QuestionVersion


def bank_as_native(*, bank: Bank) -> dict:
    """A stored bank, with the newest version of every question, as the native bank structure."""
    topics = [
        {"slug": t.slug, "title": t.title, **({"parent": t.parent.slug} if t.parent else {})}
        for t in bank.topics.select_related("parent").order_by("pk")
    ]
    newest = {}
    for version in (
        QuestionVersion.objects.filter(question__bank=bank)
        .select_related("question__topic")
        .order_by("question__pk", "-number")
    ):
        newest.setdefault(version.question_id, version)
    questions = []
    for version in newest.values():
        question = version.question
        entry = {"slug": question.slug, "title": question.title}
        if question.topic:
            entry["topic"] = question.topic.slug
        questions.append({**entry, **version.spec})
    meta = {
        "slug": bank.slug,
        "title": bank.title,
        "description": bank.description,
        "language": bank.language,
        "version": bank.version,
        "authors": bank.authors,
        "license": bank.license,
    }
    return {"format": FORMAT_TAG, "bank": meta, "topics": topics, "questions": questions}
