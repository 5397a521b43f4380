"""Error reports: creating (from a quiz item, practice, a flashcard), one open report per
variant, bounds, refusing variants the student was not shown, resolving, reading the outcome."""

from __future__ import annotations

import pytest

from question_bank.models import Question
from quizapp.attempts import services as attempts
from quizapp.core.errors import ServiceError
from quizapp.flashcards.selectors import card_seed
from quizapp.models import PracticeAnswer, QuestionReport, StudyDeck
from quizapp.reports import selectors, services

pytestmark = pytest.mark.django_db


def _report(item, user, message="Ключ не учитывает смещения."):
    return services.report_for_attempt_item(user=user, attempt_item=item, message=message)


def test_a_quiz_report_pins_the_items_variant_and_the_newest_answer(item, student):
    attempts.draft_save(item=item, raw="99", rev=1)
    attempts.response_submit(item=item, raw="448")
    report, created = _report(item, student)
    assert created
    report.refresh_from_db()
    assert (report.version_id, report.seed) == (item.version_id, item.seed)
    assert report.question_id == item.version.question_id
    assert report.source == QuestionReport.Source.QUIZ and report.attempt_item == item
    assert report.answer == "448"  # the submitted answer, not the older draft
    assert report.status == QuestionReport.Status.OPEN and not report.outcome_seen


def test_without_a_submitted_answer_the_draft_is_attached(item, student):
    attempts.draft_save(item=item, raw="12", rev=1)
    report, _ = _report(item, student)
    assert report.answer == "12"


def test_a_second_report_of_the_same_variant_updates_the_open_one(item, student):
    first, created = _report(item, student, "Первое")
    second, created_again = _report(item, student, "  Уточнение: ключ 432.  ")
    assert created and not created_again and first.pk == second.pk
    assert QuestionReport.objects.count() == 1
    assert QuestionReport.objects.get().message == "Уточнение: ключ 432."


def test_after_the_answer_a_new_report_of_the_variant_is_a_new_row(item, student, owner):
    first, _ = _report(item, student)
    services.report_resolve(report=first, by=owner, outcome="no_error")
    second, created = _report(item, student, "Всё-таки ошибка")
    assert created and second.pk != first.pk
    assert QuestionReport.objects.filter(status="open").count() == 1


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("", "report_message_empty"),
        ("   \n ", "report_message_empty"),
        ("я" * 2001, "report_too_long"),
    ],
)
def test_the_message_is_required_and_bounded(item, student, message, code):
    with pytest.raises(ServiceError) as exc:
        _report(item, student, message)
    assert exc.value.code == code and exc.value.field == "message"
    assert not QuestionReport.objects.exists()


def test_the_longest_message_is_taken_and_a_long_answer_is_cut(item, student):
    item.draft = "1" * 5000
    item.save(update_fields=["draft"])
    report, _ = _report(item, student, "я" * 2000)
    assert len(report.message) == 2000 and len(report.answer) == 2000


def test_another_students_item_is_refused(item, outsider):
    with pytest.raises(ServiceError) as exc:
        _report(item, outsider)
    assert exc.value.code == "report_not_shown" and exc.value.status == 404
    assert not QuestionReport.objects.exists()


def test_a_description_is_not_reported(item, student):
    Question.objects.filter(pk=item.version.question_id).update(kind=Question.Kind.DESCRIPTION)
    item.version.question.refresh_from_db()
    with pytest.raises(ServiceError) as exc:
        _report(item, student)
    assert exc.value.code == "report_not_a_question"


def test_practice_needs_a_bank_the_student_studies_or_their_own_answer(numeric, outsider):
    version = numeric.versions.get()
    with pytest.raises(ServiceError) as exc:
        services.report_for_practice(user=outsider, version=version, seed=7, message="Ошибка")
    assert exc.value.code == "report_not_shown"
    answer = PracticeAnswer.objects.create(user=outsider, version=version, seed=7, raw="5")
    report, created = services.report_for_practice(
        user=outsider, version=version, seed=7, message="Ошибка"
    )
    assert created and report.practice_answer == answer and report.answer == "5"
    assert report.source == QuestionReport.Source.PRACTICE and report.seed == 7


def test_practice_in_a_studied_bank(numeric, student, course):
    version = numeric.versions.get()
    report, created = services.report_for_practice(
        user=student, version=version, seed=11, message="Опечатка в условии"
    )
    assert created and report.answer == "" and report.practice_answer is None


def test_a_flashcard_report_takes_the_cards_current_variant(numeric, student, course):
    StudyDeck.objects.create(user=student, bank=numeric.bank)
    report, created = services.report_for_flashcard(
        user=student, question_id=numeric.pk, message="Не тот ответ", answer="448"
    )
    assert created and report.source == QuestionReport.Source.FLASHCARD
    assert report.seed == card_seed(user_id=student.pk, question_id=numeric.pk, variants=0)
    assert report.version == numeric.versions.order_by("-number").first()
    assert report.answer == "448"


def test_a_flashcard_outside_the_students_study_is_refused(numeric, outsider):
    with pytest.raises(ServiceError) as exc:
        services.report_for_flashcard(user=outsider, question_id=numeric.pk, message="x")
    assert exc.value.code == "report_not_shown"


def test_resolve_records_the_outcome_once(item, student, owner):
    report, _ = _report(item, student)
    services.report_resolve(report=report, by=owner, outcome="key_fixed", reply="  Исправлено.  ")
    report.refresh_from_db()
    assert report.status == "resolved" and report.outcome == "key_fixed"
    assert report.reply == "Исправлено." and report.resolved_by == owner
    assert report.resolved_at is not None and not report.outcome_seen
    with pytest.raises(ServiceError) as exc:
        services.report_resolve(report=report, by=owner, outcome="no_error")
    assert exc.value.code == "report_resolved" and exc.value.status == 409
    report.refresh_from_db()
    assert report.outcome == "key_fixed"


@pytest.mark.parametrize(("outcome", "reply", "code"), [
    ("", "", "report_bad_outcome"),
    ("fixed_maybe", "", "report_bad_outcome"),
    ("no_error", "я" * 2001, "report_too_long"),
])  # fmt: skip
def test_resolve_refuses_a_bad_outcome_or_reply(item, student, owner, outcome, reply, code):
    report, _ = _report(item, student)
    with pytest.raises(ServiceError) as exc:
        services.report_resolve(report=report, by=owner, outcome=outcome, reply=reply)
    assert exc.value.code == code
    report.refresh_from_db()
    assert report.status == "open"


def test_the_outcome_is_unseen_until_the_student_reads_it(item, student, owner):
    report, _ = _report(item, student)
    assert selectors.unseen_outcomes(user=student) == 0  # open: nothing to tell yet
    services.report_resolve(report=report, by=owner, outcome="question_fixed")
    assert selectors.unseen_outcomes(user=student) == 1
    assert services.reports_mark_seen(user=student) == 1
    assert selectors.unseen_outcomes(user=student) == 0
    assert QuestionReport.objects.get().outcome_seen


def test_the_owners_queue_lists_only_their_questions(item, student, owner, other_instructor, admin):
    _report(item, student)
    assert [q.pk for q in selectors.report_queue(user=owner)] == [item.version.question_id]
    assert selectors.report_queue(user=owner)[0].report_count == 1
    assert list(selectors.report_queue(user=other_instructor)) == []
    assert len(selectors.report_queue(user=admin)) == 1
    assert list(selectors.report_queue(user=student)) == []


def test_the_queue_reproduces_the_variant_and_checks_the_answer(item, student):
    import grader

    key = grader.grade(item.version.spec, item.seed, "0").expected
    attempts.response_submit(item=item, raw=str(int(key)))
    _report(item, student)
    queue = selectors.question_reports(question=item.version.question)
    (view,) = queue.open
    assert view.variant["seed"] == item.seed and "error" not in view.variant
    assert view.check["ok"] and view.check["correct"] is True
    assert view.newest is None


def test_item_counts(item, student, owner, other_instructor):
    report, _ = _report(item, student)
    qid = item.version.question_id
    assert selectors.report_counts(question_ids=[qid]) == {qid: (1, 1)}
    services.report_resolve(report=report, by=owner, outcome="no_error")
    _report(item, student, "снова")
    assert selectors.item_report_counts(user=owner, question_ids=[qid]) == {
        qid: {"open": 1, "total": 2, "owned": True}
    }
    assert (
        selectors.item_report_counts(user=other_instructor, question_ids=[qid])[qid]["owned"]
        is False
    )


def test_one_answer_for_every_open_report_of_the_question(item, student, outsider, owner, quiz):
    other = attempts.attempt_start(user=outsider, quiz=quiz).items.get(position=1)
    first, _ = _report(item, student)
    _report(other, outsider)
    services.report_resolve(report=first, by=owner, outcome="no_error")
    _report(item, student, "ещё раз")
    count = services.question_reports_resolve(
        question=item.version.question, by=owner, outcome="key_fixed", reply="Исправлено"
    )
    assert count == 2
    rows = QuestionReport.objects.order_by("pk").values_list("outcome", "reply", "status")
    assert list(rows) == [
        ("no_error", "", "resolved"),
        ("key_fixed", "Исправлено", "resolved"),
        ("key_fixed", "Исправлено", "resolved"),
    ]
    with pytest.raises(ServiceError) as exc:
        services.question_reports_resolve(question=item.version.question, by=owner, outcome="")
    assert exc.value.code == "report_bad_outcome"


def test_a_bank_nobody_studied_is_deleted_with_its_reports(numeric, student, course):
    from quizapp.banks.services import bank_delete

    StudyDeck.objects.create(user=student, bank=numeric.bank)
    services.report_for_flashcard(user=student, question_id=numeric.pk, message="Опечатка")
    StudyDeck.objects.all().delete()
    bank_delete(bank=numeric.bank)
    assert not QuestionReport.objects.exists()
