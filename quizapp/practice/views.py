"""Practice pages: thin — check access, call one service or selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

import grader
from question_bank.models import QuestionVersion, Topic
from quizapp.attempts.grading import GRADING_DELAYED, grading_delayed
from quizapp.core.errors import ServiceError
from quizapp.core.http import posted_answer, posted_submit_token
from quizapp.courses.selectors import banks_for_study
from quizapp.models import PracticeAnswer
from quizapp.practice import adaptive, selectors
from quizapp.practice import services as practice

SESSION_KEY = "practice:{}"


def _topic(request, topic_id, *, related: bool = False) -> Topic:
    """A topic of a bank the student may study; any other is "not found"."""
    topics = Topic.objects.filter(bank__in=banks_for_study(request.user))
    return get_object_or_404(topics.select_related("bank") if related else topics, pk=topic_id)


def _current(request, topic: Topic, *, fresh: bool = False) -> tuple[QuestionVersion, int]:
    """The variant on screen for this topic: kept in the session so a reload shows the same one."""
    key = SESSION_KEY.format(topic.pk)
    saved = request.session.get(key)
    version = None
    if saved and not fresh:
        version = QuestionVersion.objects.filter(pk=saved["version"]).first()
    if version is None:
        previous = saved["version"] if saved else None
        version, seed = selectors.practice_pick(topic=topic, exclude_version_id=previous)
        request.session[key] = {"version": version.pk, "seed": seed}
        return version, seed
    return version, saved["seed"]


ADAPTIVE_KEY = "practice:adaptive"  # the topic of the last pick: the next comes from another


@login_required
def practice_adaptive(request):
    """«Подобрать задачи»: the next question where the student is least sure, on its topic's
    page (the variant kept in the session like any other)."""
    try:
        version, seed = adaptive.adaptive_pick(
            user=request.user, last_topic_id=request.session.get(ADAPTIVE_KEY)
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("practice")
    topic_id = version.question.topic_id
    request.session[SESSION_KEY.format(topic_id)] = {"version": version.pk, "seed": seed}
    request.session[ADAPTIVE_KEY] = topic_id
    return redirect("practice-topic", topic_id)


@login_required
def practice_index(request):
    request.session.pop(ADAPTIVE_KEY, None)  # back to choosing topics by hand
    query = request.GET.get("q", "")[:100]
    groups = selectors.practice_index(user=request.user, query=query)
    return render(request, "quizapp/practice_index.html", {"banks": groups, "query": query.strip()})


@login_required
def practice_topic(request, topic_id):
    topic = _topic(request, topic_id, related=True)
    try:
        version, seed = _current(request, topic)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("practice")
    last = selectors.last_answer(user=request.user, version=version, seed=seed)
    context = {
        "topic": topic,
        "version": version,
        "seed": seed,
        "presented": grader.present(version.spec, seed),
        "answer": last,
        "pending": last is not None and last.status == "pending",
        # The key is shown (or on its way): the form is closed, «Ещё вариант» is the next step.
        "locked": practice.answer_locks_variant(last),
        "chosen": _chosen(last),
        "mastery": selectors.topic_mastery(user=request.user, topics=[topic])[topic.pk],
        # Reached through «Подобрать задачи» (and still on its topic after answering).
        "adaptive": request.session.get(ADAPTIVE_KEY) == topic.pk,
    }
    if context["adaptive"]:
        belief = adaptive.topic_beliefs(user=request.user, topics=[topic])[topic.pk]
        low, estimate, high = belief.chance()
        context["belief"] = {
            "percent": round(100 * estimate),
            "low": round(100 * low),
            "high": round(100 * high),
            "answers": belief.answers,
        }
    return render(request, "quizapp/practice_topic.html", context)


def _chosen(answer: PracticeAnswer | None) -> set[int]:
    """The options ticked in a choice answer ("0,2"), to show them on the closed form."""
    if answer is None:
        return set()
    return {int(part) for part in answer.raw.split(",") if part.strip().isdigit()}


@login_required
@require_POST
def practice_answer(request, topic_id):
    topic = _topic(request, topic_id)
    version, seed = _current(request, topic)
    raw = posted_answer(request)
    try:
        answer = practice.practice_submit(
            user=request.user,
            topic=topic,
            version=version,
            seed=seed,
            raw=raw,
            client_token=posted_submit_token(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if grading_delayed(answer):
            messages.warning(request, GRADING_DELAYED)
    return redirect("practice-topic", topic_id=topic.pk)


@login_required
@require_POST
def practice_next(request, topic_id):
    topic = _topic(request, topic_id)
    _current(request, topic, fresh=True)
    return redirect("practice-topic", topic_id=topic.pk)


@login_required
def practice_preview(request, topic_id):
    topic = _topic(request, topic_id)
    version, seed = _current(request, topic)
    raw = request.GET.get("raw", "")
    decimal = settings.NZ_DECIMAL_MARK
    return JsonResponse(grader.preview(version.spec, seed, raw, decimal=decimal))
