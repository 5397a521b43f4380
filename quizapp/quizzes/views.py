"""Quiz builder pages for instructors: thin — check access, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from question_bank.access import banks_for_new_work
from question_bank.models import Question, Topic
from quizapp.core.errors import ServiceError
from quizapp.core.roles import instructor_required
from quizapp.quizzes import selectors
from quizapp.quizzes import services as builder
from quizapp.quizzes.forms import QuizForm


@instructor_required
def quiz_list(request):
    quizzes = selectors.quizzes_managed_by(request.user)
    return render(request, "instructor/quiz_list.html", {"quizzes": quizzes})


@instructor_required
def quiz_create(request):
    form = QuizForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        quiz = builder.quiz_create(owner=request.user, settings=form.cleaned_data)
        messages.success(request, _("Тест создан. Добавьте вопросы или правила."))
        return redirect("teach-quiz-edit", quiz_id=quiz.pk)
    return render(request, "instructor/quiz_form.html", {"form": form})


@instructor_required
def quiz_edit(request, quiz_id):
    quiz = selectors.quiz_for_user(request.user, quiz_id)
    form = QuizForm(request.POST or None, instance=quiz)
    if request.method == "POST" and form.is_valid():
        builder.quiz_update(quiz=quiz, settings=form.cleaned_data, user=request.user)
        messages.success(request, _("Настройки теста сохранены."))
        return redirect("teach-quiz-edit", quiz_id=quiz.pk)
    text, topic_id = request.GET.get("q", "")[:200], request.GET.get("topic") or None
    found = None
    if text or topic_id:
        found = selectors.question_search(user=request.user, text=text, topic_id=topic_id)
    context = {
        "quiz": quiz,
        "form": form,
        "items": quiz.items.select_related("question__bank", "topic__bank").order_by("position"),
        "courses": quiz.courses.all(),
        "topics": selectors.topics_for(request.user),
        "found": found,
        "q": text,
        "topic_id": str(topic_id or ""),
        "attempts": quiz.attempts.count(),
    }
    return render(request, "instructor/quiz_edit.html", context)


@instructor_required
@require_POST
def quiz_publish(request, quiz_id):
    """The builder's publish toggle: «Опубликовать» / «Снять с публикации»."""
    quiz = selectors.quiz_for_user(request.user, quiz_id)
    publish = request.POST.get("publish") == "1"
    builder.quiz_update(quiz=quiz, settings={"is_published": publish}, user=request.user)
    if publish:
        messages.success(request, _("Тест опубликован."))
    else:
        messages.success(request, _("Тест снят с публикации: теперь это черновик."))
    return redirect("teach-quiz-edit", quiz_id=quiz.pk)


def _back(quiz, anchor="items"):
    return redirect(f"/teach/quizzes/{quiz.pk}/#{anchor}")


@instructor_required
@require_POST
def item_add_question(request, quiz_id):
    quiz = selectors.quiz_for_user(request.user, quiz_id)
    question = get_object_or_404(
        Question, pk=request.POST.get("question"), bank__in=banks_for_new_work(request.user)
    )
    try:
        builder.quiz_item_add_question(
            quiz=quiz, question=question, user=request.user, points=request.POST.get("points", 1)
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Добавлен вопрос «%(title)s».") % {"title": question.title})
    return _back(quiz)


@instructor_required
@require_POST
def item_add_rule(request, quiz_id):
    quiz = selectors.quiz_for_user(request.user, quiz_id)
    topic = get_object_or_404(
        Topic, pk=request.POST.get("topic"), bank__in=banks_for_new_work(request.user)
    )
    try:
        count = int(request.POST.get("count", "1"))
    except ValueError:
        count = 0
    try:
        builder.quiz_item_add_rule(
            quiz=quiz,
            topic=topic,
            user=request.user,
            count=count,
            points=request.POST.get("points", 1),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Добавлено правило: %(count)s из темы «%(title)s».")
            % {"count": count, "title": topic.title},
        )
    return _back(quiz)


def _item(request, quiz_id, item_id):
    quiz = selectors.quiz_for_user(request.user, quiz_id)
    return quiz, get_object_or_404(quiz.items, pk=item_id)


@instructor_required
@require_POST
def item_update(request, quiz_id, item_id):
    quiz, item = _item(request, quiz_id, item_id)
    try:
        count = int(request.POST["count"]) if "count" in request.POST else None
    except ValueError:
        count = 0
    try:
        builder.quiz_item_update(item=item, points=request.POST.get("points", ""), count=count)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(quiz)


@instructor_required
@require_POST
def item_remove(request, quiz_id, item_id):
    quiz, item = _item(request, quiz_id, item_id)
    builder.quiz_item_remove(item=item)
    messages.success(request, _("Пункт удалён; уже начатые попытки не изменились."))
    return _back(quiz)


@instructor_required
@require_POST
def item_move(request, quiz_id, item_id):
    quiz, item = _item(request, quiz_id, item_id)
    builder.quiz_item_move(item=item, delta=-1 if request.POST.get("dir") == "up" else 1)
    return _back(quiz)
