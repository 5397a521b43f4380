"""What a student sees of their own attempt, and when: verdicts, the score, solutions.

Each quiz says, for each of the three, «сразу / после завершения попытки / после закрытия теста
/ никогда» (``Quiz.show_verdicts``, ``show_score``, ``show_solutions``). «После закрытия» is the
student's own close date (:func:`quizapp.courses.accommodations.quiz_terms`): a student with an
extension sees the results when their extension ends, not before; the others see theirs at the
quiz's close, while that student may still write (an instructor who fears keys passed on shows
solutions «never» until the last extension ends). Instructors always see everything.

Every student-facing path reads :func:`attempt_visibility`: the attempt and result pages, the quiz
page's list of attempts, the dashboard, the REST API. The LMS's copy of the score (LTI) and the
mistakes notebook, which would tell the student what was wrong, wait for the close date as well:
an attempt finished before it is ``results_held`` until :func:`results_release` lets it go (the
beat task, or the student opening the attempt in the embedded mode that has no beat).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quizapp.core import versions
from quizapp.core.signals import attempt_graded_announce
from quizapp.courses.accommodations import Terms, local_when, quiz_terms, quiz_terms_many
from quizapp.models import Attempt, Quiz


@dataclass(frozen=True)
class Visibility:
    verdicts: bool  # each answer's right/wrong, its feedback and points
    score: bool  # the attempt's score
    solutions: bool  # keys and worked solutions of every item (a finished attempt)
    live_solutions: bool  # an item's solution right after its graded answer (in progress)
    closes_at: datetime | None  # the student's own close date

    def when(self, setting: str) -> str:
        """Why something is hidden, for the page: «после закрытия теста 20.12.2026 18:00»."""
        if setting == "after_close":
            if self.closes_at is None:
                return _("после закрытия теста")
            return _("после закрытия теста, %(when)s") % {"when": local_when(self.closes_at)}
        if setting == "never":
            return _("не показываются в этом тесте")
        return _("после завершения попытки")


def _revealed(setting: str, *, finished: bool, closed) -> bool:
    if setting in ("during", "after_answer"):
        return True if finished else setting == "during"
    if setting == "after_finish":
        return finished
    if setting == "after_close":
        return finished and closed()
    return False


def attempt_visibility(attempt: Attempt, *, now=None, terms: Terms | None = None) -> Visibility:
    """What ``attempt``'s student may see of it now (pass ``terms`` when already read; they are
    read only when the quiz shows something «after the close date»)."""
    now = now or timezone.now()
    quiz = attempt.quiz
    settings = (quiz.show_verdicts, quiz.show_score, quiz.show_solutions)
    if terms is None and "after_close" in settings:
        terms = quiz_terms(user=attempt.user, quiz=quiz)
    closes_at = terms.closes_at if terms else quiz.closes_at

    def closed() -> bool:
        return terms.closed(now)

    finished = attempt.status == Attempt.Status.FINISHED
    verdicts = _revealed(quiz.show_verdicts, finished=finished, closed=closed)
    solutions = _revealed(quiz.show_solutions, finished=finished, closed=closed)
    return Visibility(
        verdicts=verdicts,
        score=finished and _revealed(quiz.show_score, finished=True, closed=closed),
        solutions=finished and solutions and verdicts,
        live_solutions=not finished
        and quiz.show_solutions == Quiz.Solutions.AFTER_ANSWER
        and verdicts,
        closes_at=closes_at,
    )


# An instructor's view of an attempt: everything (the gradebook, the API for a quiz's owner).
EVERYTHING = Visibility(
    verdicts=True, score=True, solutions=True, live_solutions=True, closes_at=None
)


def results_held(attempt: Attempt, *, now=None, terms: Terms | None = None) -> bool:
    """Whether a finished attempt's results still wait for the student's close date."""
    if not attempt.quiz.holds_results:
        return False
    terms = terms or quiz_terms(user=attempt.user, quiz=attempt.quiz)
    return not terms.closed(now or timezone.now())


def results_release(*, attempt: Attempt, now=None) -> bool:
    """Let a held attempt's results go once its student's close date has passed (or the quiz no
    longer holds them): announced as graded again, so the LMS gets the score and the mistakes
    notebook its cards. True when released now.

    Race: the beat task and the student's page may release one attempt at once; the row lock
    lets one of them announce it.
    """
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz", "user")
        attempt = locked.get(pk=attempt.pk)
        if not attempt.results_held or results_held(attempt, now=now):
            return False
        Attempt.objects.filter(pk=attempt.pk).update(results_held=False)
        versions.bump(versions.STUDY, attempt.user_id)  # the dashboard shows the score now
        attempt_graded_announce(attempt_id=attempt.pk)
    return True


def held_results_release(*, now=None) -> int:
    """Periodic (beat): release every held attempt whose time has come; how many.

    Read as light rows and grouped by quiz: each quiz's students' terms in two queries
    (``quiz_terms_many``), whatever the number of held attempts — those of a quiz closing next
    week are looked at and left, never crowding out the ones due now.
    """
    now = now or timezone.now()
    held: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, user_id, quiz_id in Attempt.objects.filter(results_held=True).values_list(
        "pk", "user_id", "quiz_id"
    ):
        held[quiz_id].append((pk, user_id))
    released = 0
    for quiz in Quiz.objects.filter(pk__in=held):
        rows = held[quiz.pk]
        terms = quiz_terms_many(user_ids={user_id for _, user_id in rows}, quiz=quiz)
        for pk, user_id in rows:
            if not quiz.holds_results or terms[user_id].closed(now):
                released += results_release(attempt=Attempt(pk=pk), now=now)
    return released
