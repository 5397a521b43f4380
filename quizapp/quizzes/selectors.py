"""Reads of the quiz builder, and the access helper of the quiz pages, the gradebook and the API:
who manages which quiz."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from question_bank.access import banks_for_new_work
from question_bank.models import Question, Topic
from question_bank.selectors import topic_with_subtopics
from quizapp.core.roles import is_admin, is_instructor
from quizapp.models import Quiz


def can_manage_quiz(user, quiz: Quiz) -> bool:
    """The quiz's owner (an instructor) or an admin: the one rule of the builder, the gradebook,
    item analysis, regrade and the REST API."""
    return is_admin(user) or (is_instructor(user) and quiz.owner_id == user.pk)


def managed_quizzes(user):
    """The quizzes ``user`` may change: an instructor's own; every quiz for an admin."""
    if is_admin(user):
        return Quiz.objects.all()
    if is_instructor(user):
        return Quiz.objects.filter(owner=user.pk)
    return Quiz.objects.none()


def quizzes_managed_by(user):
    """The builder's list: managed quizzes with their number of items."""
    return managed_quizzes(user).annotate(n_items=Count("items", distinct=True)).order_by("title")


def quiz_for_user(user, quiz_id) -> Quiz:
    """The quiz to manage; somebody else's quiz is "not found", its existence not revealed."""
    quiz = Quiz.objects.filter(pk=quiz_id).first()
    if quiz is None or not can_manage_quiz(user, quiz):
        raise Http404(_("Тест не найден"))
    return quiz


def question_search(*, user, text: str = "", topic_id=None, limit: int = 30):
    """Questions an instructor may add, filtered by words of the title or slug and by topic."""
    questions = Question.objects.filter(
        bank__in=banks_for_new_work(user), is_archived=False
    ).select_related("bank", "topic")
    for word in text.split()[:5]:
        questions = questions.filter(Q(title__icontains=word) | Q(slug__icontains=word))
    if topic_id:
        topic = Topic.objects.filter(pk=topic_id, bank__in=banks_for_new_work(user)).first()
        questions = questions.filter(topic_id__in=topic_with_subtopics(topic) if topic else [])
    return list(questions.order_by("bank__title", "title")[:limit])


def topics_for(user):
    return list(
        Topic.objects.filter(bank__in=banks_for_new_work(user))
        .select_related("bank")
        .order_by("bank__title", "title")
    )
