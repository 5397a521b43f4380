"""What makes a cached dashboard stale, turned into version bumps (quizapp.core.versions).

Model saves and deletes are watched here; the writes that bypass signals (a batch of grades
saved with one UPDATE, an attempt rescored with ``update()``, a card suspended) bump the token
where they write (practice, attempts and flashcards services).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from quizapp.core import versions
from quizapp.models import (
    Accommodation,
    Attempt,
    Course,
    CourseQuiz,
    Enrollment,
    FlashcardReview,
    FlashcardState,
    MistakeNote,
    PracticeAnswer,
    Quiz,
    StudyDeck,
    StudyProfile,
)

STUDY_MODELS = (
    Attempt, FlashcardReview, FlashcardState, MistakeNote, PracticeAnswer, StudyDeck, StudyProfile,
)  # fmt: skip
# (a MistakeNote adds a card to the student's new ones: noted after the grade's commit)
# (an accommodation changes a student's time and dates on the quiz list: rare, bumped site-wide)
CATALOGUE_MODELS = (Accommodation, Course, CourseQuiz, Enrollment, Quiz)


def _study_changed(sender, instance, **kwargs):
    versions.bump(versions.STUDY, instance.user_id)


def _catalogue_changed(sender, instance, **kwargs):
    versions.bump_site(versions.CATALOGUE)


for _model in STUDY_MODELS:
    for _signal in (post_save, post_delete):
        _signal.connect(_study_changed, sender=_model, dispatch_uid=f"dashboard-{_model.__name__}")
for _model in CATALOGUE_MODELS:
    for _signal in (post_save, post_delete):
        _signal.connect(
            _catalogue_changed, sender=_model, dispatch_uid=f"dashboard-{_model.__name__}"
        )
