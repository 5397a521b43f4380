"""Reads of the flashcards: the study set, today's queue, the card on screen, the decks page.

"Today" is the calendar day in the current time zone (``settings.TIME_ZONE`` unless a view
activates another); every stored time is UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.crypto import salted_hmac

import grader
from grader.templating import render
from question_bank.models import Bank, Question, QuestionVersion, Topic
from quizapp.courses.selectors import banks_for_study
from quizapp.flashcards.fsrs_cards import preview_intervals
from quizapp.flashcards.planning import DEFAULT_RETENTION, StudyTargets, percent_text
from quizapp.models import (
    Course,
    FlashcardReview,
    FlashcardState,
    FsrsFit,
    MistakeNote,
    StudyDeck,
    StudyProfile,
)

# Every kind that asks something can be a card: a flashcard is rated from memory, the others are
# answered first. A description asks nothing, so it is never a card; an essay is graded by an
# instructor, never by the student's own review, so it is not one either.
CARD_KINDS = tuple(
    k for k in Question.Kind.values if k not in (Question.Kind.DESCRIPTION, Question.Kind.ESSAY)
)
ANSWERED_KINDS = tuple(k for k in CARD_KINDS if k != Question.Kind.FLASHCARD)


def day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The start of today and of tomorrow in the current time zone, as UTC datetimes."""
    zone = timezone.get_current_timezone()
    today = timezone.localtime(now, zone).date()
    # combine() instead of replace(hour=0): midnight may fall in a DST gap, zoneinfo resolves it.
    start = dt.datetime.combine(today, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def card_seed(*, user_id: int, question_id: int, variants: int) -> int:
    """The seed of a card's next variant: new after every rating, the same on a page reload.

    Keyed with the secret so that a student cannot compute tomorrow's numbers in advance.
    """
    digest = salted_hmac(
        "quizapp.flashcard-seed", f"{user_id}:{question_id}:{variants}", algorithm="sha256"
    ).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # fits a signed 64-bit column


def fsrs_parameters(*, user) -> list[float] | None:
    """The student's own FSRS weights (None: they have none yet, the defaults apply)."""
    found = StudyProfile.objects.filter(user=user).values_list("fsrs_parameters", flat=True)
    return next(iter(found), None)


def study_targets(*, user, today: dt.date, profile: dict | None = None) -> StudyTargets:
    """The student's desired retention and exam date: their own, else their course's (the
    earliest exam still ahead among their courses, with that course's retention), else 0.9 and
    no date. ``profile`` — the values of their StudyProfile row, if the caller has read them."""
    if profile is None:
        rows = StudyProfile.objects.filter(user=user).values("desired_retention", "exam_date")
        profile = next(iter(rows), {})
    retention, exam_date = profile.get("desired_retention"), profile.get("exam_date")
    if exam_date is not None and exam_date < today:
        exam_date = None  # an exam that is over plans nothing
    if retention is not None and exam_date is not None:
        return StudyTargets(retention, exam_date, "own")
    course = (
        Course.objects.filter(enrollments__user=user, is_archived=False)
        .filter(Q(exam_date__gte=today) | Q(study_retention__isnull=False))
        .annotate(upcoming=Case(When(exam_date__gte=today, then=F("exam_date"))))
        .order_by(F("upcoming").asc(nulls_last=True), "pk")
        .values("title", "exam_date", "study_retention")
        .first()
    )
    if course is not None and course["exam_date"] is not None and course["exam_date"] < today:
        course = {**course, "exam_date": None}
    if course is None:
        source = "own" if retention is not None or exam_date is not None else "default"
        return StudyTargets(retention or DEFAULT_RETENTION, exam_date, source)
    return StudyTargets(
        retention if retention is not None else course["study_retention"] or DEFAULT_RETENTION,
        exam_date if exam_date is not None else course["exam_date"],
        "own" if retention is not None or exam_date is not None else "course",
        course_title=course["title"],
    )


def due_load(*, user, first: dt.date, last: dt.date, zone) -> dict[dt.date, int]:
    """How many of the student's cards are due on each day from ``first`` to ``last`` (their
    calendar days; suspended cards excluded)."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    rows = (
        FlashcardState.objects.filter(user=user, suspended=False, due__gte=start, due__lt=end)
        .annotate(day=TruncDate("due", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def last_fsrs_fit(*, user) -> FsrsFit | None:
    return FsrsFit.objects.filter(user=user).first()


def fsrs_fit_due(*, user, checked_at=None, checked: bool = False) -> bool:
    """Whether the student's parameters should be fitted (again): at least FSRS_FIT_MIN_REVIEWS
    reviews before the first attempt, FSRS_REFIT_AFTER_REVIEWS more since the last one (an
    attempt that fitted nothing — too few held-out reviews — waits as long as a fit). One
    count, capped (LIMIT), so the check stays cheap after every rating of a long history.
    ``checked_at``: the profile's ``fsrs_checked_at`` when the caller has read it (``checked``)."""
    if not checked:
        found = StudyProfile.objects.filter(user=user).values_list("fsrs_checked_at", flat=True)
        checked_at = next(iter(found), None)
    reviews = FlashcardReview.objects.filter(user=user)
    if checked_at is None:
        needed = settings.FSRS_FIT_MIN_REVIEWS
    else:
        reviews, needed = (
            reviews.filter(reviewed_at__gt=checked_at),
            settings.FSRS_REFIT_AFTER_REVIEWS,
        )
    return reviews[:needed].count() >= needed


def users_due_for_fsrs_fit() -> list[int]:
    """The ids of the students for whom :func:`fsrs_fit_due` holds, in one query."""
    checked = StudyProfile.objects.filter(user=OuterRef("user")).values("fsrs_checked_at")[:1]
    epoch = Value(dt.datetime(1970, 1, 1, tzinfo=dt.UTC), output_field=DateTimeField())
    counted = (
        FlashcardReview.objects.annotate(checked=Subquery(checked))
        .values("user")
        .annotate(
            never=Count("id", filter=Q(checked__isnull=True)),
            new=Count("id", filter=Q(reviewed_at__gt=Coalesce(F("checked"), epoch))),
        )
        .filter(
            Q(never__gte=settings.FSRS_FIT_MIN_REVIEWS)
            | Q(never=0, new__gte=settings.FSRS_REFIT_AFTER_REVIEWS)
        )
    )
    users = get_user_model().objects.filter(pk__in=counted.values("user"))
    return list(users.order_by("pk").values_list("pk", flat=True))


def fsrs_log(*, user) -> list[tuple[int, int, dt.datetime]]:
    """The student's review log as ``(card_id, rating, reviewed_at)``, oldest first."""
    rows = FlashcardReview.objects.filter(user=user).order_by("reviewed_at", "id")
    return list(rows.values_list("card_id", "rating", "reviewed_at"))


def new_cards_per_day(*, user) -> int:
    limit = StudyProfile.objects.filter(user=user).values_list("new_cards_per_day", flat=True)
    return next(iter(limit), StudyProfile.DEFAULT_NEW_CARDS_PER_DAY)


def _study_filter(*, user) -> Q | None:
    """The filter of the student's study set over questions; None when they study nothing.

    A topic brings its subtopics along.
    """
    decks = list(StudyDeck.objects.filter(user=user).values_list("bank_id", "topic_id"))
    bank_ids = {bank for bank, topic in decks if topic is None}
    topic_ids = {topic for _, topic in decks if topic is not None}
    if topic_ids:
        children: dict[int, list[int]] = {}
        topic_banks = {bank for bank, topic in decks if topic is not None}
        for pk, parent in Topic.objects.filter(bank_id__in=topic_banks).values_list(
            "id", "parent_id"
        ):
            children.setdefault(parent, []).append(pk)
        stack = list(topic_ids)
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in topic_ids:
                    topic_ids.add(child)
                    stack.append(child)
    mistakes = MistakeNote.objects.filter(user=user).values("question_id")
    if not decks and not mistakes.exists():
        return None
    # An archived question (dropped from its bank file) is no longer studied; its history stays.
    # Cards born of the student's mistakes are studied whatever their decks.
    return Q(kind__in=CARD_KINDS, is_archived=False) & (
        Q(bank_id__in=bank_ids) | Q(topic_id__in=topic_ids) | Q(pk__in=mistakes)
    )


def study_questions(*, user) -> QuerySet[Question]:
    """The questions of the banks and topics the student studies."""
    scope = _study_filter(user=user)
    return Question.objects.filter(scope) if scope is not None else Question.objects.none()


def visible(now: dt.datetime) -> Q:
    return Q(suspended=False) & (Q(buried_until__isnull=True) | Q(buried_until__lte=now))


@dataclass
class QueueEntry:
    """One card of today's queue. Scheduled cards are listed by their ids and due time only
    (a backlog of a thousand cards must not build a thousand rows of objects); the queue loads
    the full rows of the entry it shows (:meth:`FlashcardQueue.current`). New cards come with
    their question (and their state, if they have one)."""

    question_id: int
    section: str  # "due" (due now), "new", "ahead" (due later today)
    state_id: int | None = None  # None: a new card the student has never acted on
    due: dt.datetime | None = None
    question: Question | None = None
    state: FlashcardState | None = None

    @property
    def reps(self) -> int:
        return self.state.reps if self.state else 0

    def load(self) -> QueueEntry:
        """The entry with its question and state rows (one query when they are not loaded)."""
        if self.question is None:
            state = FlashcardState.objects.select_related("question__bank", "question__topic")
            self.state = state.get(pk=self.state_id)
            self.question = self.state.question
        return self


@dataclass
class FlashcardQueue:
    entries: list[QueueEntry]
    done: int  # ratings given today
    new_limit: int
    new_today: int  # new cards introduced today
    last_review: FlashcardReview | None  # today's last rating, the one an undo takes back
    studying: bool  # the student has at least one deck
    fsrs_parameters: list[float] | None = None  # the student's own weights, if fitted
    mistaken: frozenset[int] = frozenset()  # questions of the student's noted mistakes
    retention: float = DEFAULT_RETENTION  # their desired retention (own, course's or default)

    @property
    def total(self) -> int:
        return self.done + len(self.entries)

    def current(self, question_id: int | None = None) -> QueueEntry | None:
        """The entry of ``question_id`` when it is in the queue, else the first one; loaded."""
        for entry in self.entries:
            if entry.question_id == question_id:
                return entry.load()
        return self.entries[0].load() if self.entries else None

    def _count(self, section: str) -> int:
        return sum(1 for e in self.entries if e.section == section)

    @property
    def due_count(self) -> int:
        return self._count("due")

    @property
    def new_count(self) -> int:
        return self._count("new")

    @property
    def ahead_count(self) -> int:
        return self._count("ahead")


def flashcard_queue(*, user, now: dt.datetime) -> FlashcardQueue:
    """Today's queue: cards due now (oldest first), new cards up to the daily limit, then cards
    due later today (learning steps), so a session can finish them without waiting."""
    start, tomorrow = day_bounds(now)
    scope = _study_filter(user=user)
    studying = scope is not None
    studied = Question.objects.filter(scope) if studying else Question.objects.none()
    states = FlashcardState.objects.filter(user=user)
    scheduled = [
        QueueEntry(question_id, "due" if due <= now else "ahead", state_id, due)
        for state_id, question_id, due in states.filter(
            visible(now), reps__gt=0, due__lt=tomorrow, question__in=studied
        )
        .order_by("due", "pk")
        .values_list("pk", "question_id", "due")
    ]
    entries = [entry for entry in scheduled if entry.section == "due"]

    # The questions of the student's noted mistakes: first among new cards, explained on the back.
    mistaken = set(MistakeNote.objects.filter(user=user).values_list("question_id", flat=True))
    profile = StudyProfile.objects.filter(user=user).values(
        "new_cards_per_day", "fsrs_parameters", "desired_retention", "exam_date"
    )
    profile = next(iter(profile), {})
    limit = profile.get("new_cards_per_day", StudyProfile.DEFAULT_NEW_CARDS_PER_DAY)
    new_today = FlashcardState.objects.filter(user=user, introduced_at__gte=start).count()
    remaining = max(0, limit - new_today)
    if remaining and studying:
        seen = FlashcardState.objects.filter(user=user).filter(
            Q(reps__gt=0) | Q(suspended=True) | Q(buried_until__gt=now)
        )
        unseen = studied.exclude(pk__in=seen.values("question_id")).select_related("bank", "topic")
        # Cards of the student's own mistakes first (a few), then the decks' in their order.
        new_questions = list(unseen.filter(pk__in=mistaken).order_by("pk")[:remaining])
        if len(new_questions) < remaining:
            new_questions += list(
                unseen.exclude(pk__in=mistaken).order_by("bank__title", "bank_id", "pk")[
                    : remaining - len(new_questions)
                ]
            )
        # A new card may already have a row (suspended and back, or its first rating undone).
        rows = {s.question_id: s for s in states.filter(question__in=new_questions)}
        entries += [
            QueueEntry(
                q.pk, "new", getattr(rows.get(q.pk), "pk", None), question=q, state=rows.get(q.pk)
            )
            for q in new_questions
        ]
    entries += [entry for entry in scheduled if entry.section == "ahead"]

    reviews_today = FlashcardReview.objects.filter(user=user, reviewed_at__gte=start)
    last_review = reviews_today.order_by("-id").first()
    return FlashcardQueue(
        entries=entries,
        done=reviews_today.count() if last_review else 0,
        new_limit=limit,
        new_today=new_today,
        last_review=last_review,
        studying=studying,
        fsrs_parameters=profile.get("fsrs_parameters"),
        mistaken=frozenset(mistaken),
        retention=study_targets(
            user=user, today=timezone.localdate(now), profile=profile
        ).retention,
    )


@dataclass
class CardView:
    """The card on screen: its newest version rendered for the seed of its next variant."""

    question: Question
    state: FlashcardState | None
    version: QuestionVersion
    seed: int
    presented: grader.Presented
    back: str = ""  # a flashcard's back, rendered
    section: str = "new"
    intervals: dict = field(default_factory=dict)  # rating → timedelta until the next review
    mistakes: list[str] = field(default_factory=list)  # a card of the student's own mistakes

    @property
    def reps(self) -> int:
        return self.state.reps if self.state else 0

    @property
    def answered(self) -> bool:
        return self.question.kind in ANSWERED_KINDS

    @property
    def ratings(self) -> list[dict]:
        return [
            {"value": value, "label": label, "interval": self.intervals.get(value, "")}
            for value, label in FlashcardReview.Rating.choices
        ]


def flashcard_card_view(
    *, user, entry: QueueEntry, now: dt.datetime, queue: FlashcardQueue | None = None
) -> CardView | None:
    """Render a queue entry (one query: the newest version; one more for the student's FSRS
    weights unless their ``queue`` brings them). None when the question has none."""
    question = entry.question
    version = question.versions.order_by("-number").first()
    if version is None:
        return None
    seed = card_seed(
        user_id=user.pk,
        question_id=question.pk,
        variants=entry.state.variants if entry.state else 0,
    )
    back = ""
    if question.kind == Question.Kind.FLASHCARD:
        back = render(version.spec.get("back", ""), grader.variant(version.spec, seed).values)
    mistakes = []
    if (
        question.pk in queue.mistaken
        if queue is not None
        else MistakeNote.objects.filter(user=user, question=question).exists()
    ):
        values = grader.variant(version.spec, seed).values
        mistakes = mistake_explanations(
            user=user, question=question, spec=version.spec, values=values
        )
    return CardView(
        question=question,
        state=entry.state,
        version=version,
        seed=seed,
        presented=grader.present(version.spec, seed),
        back=back,
        section=entry.section,
        intervals=preview_intervals(
            state=entry.state,
            now=now,
            parameters=queue.fsrs_parameters if queue else fsrs_parameters(user=user),
            retention=queue.retention if queue else DEFAULT_RETENTION,
        ),
        mistakes=mistakes,
    )


def mistake_explanations(*, user, question, spec: dict, values: dict) -> list[str]:
    """The explanations of the student's noted mistakes on this question, rendered with this
    variant's numbers (a mistake no longer in the spec keeps the text the student saw)."""
    notes = MistakeNote.objects.filter(user=user, question=question).order_by("created_at", "id")
    texts = []
    for note in notes:
        template = _feedback_template(spec, note.mistake_id)
        texts.append(render(template, values) if template else note.feedback)
    return [text for text in texts if text]


def _feedback_template(spec: dict, mistake_id: str) -> str:
    part_name, _, own_id = mistake_id.rpartition(":")
    where = spec
    if part_name:
        where = next((p for p in spec.get("parts") or [] if p.get("name") == part_name), {})
    for index, mistake in enumerate(where.get("mistakes") or []):
        if (mistake.get("id") or f"mistake_{index}") == own_id:
            return mistake.get("feedback") or ""
    return ""


def flashcard_for_user(*, user, question_id: int) -> tuple[Question, FlashcardState | None] | None:
    """A card the student may act on: a question of their study set, or one they already have
    a state for (to unsuspend it after its deck was removed). None otherwise."""
    state = (
        FlashcardState.objects.filter(user=user, question_id=question_id)
        .select_related("question")
        .first()
    )
    if state is not None:
        return state.question, state
    question = study_questions(user=user).filter(pk=question_id).first()
    return (question, None) if question is not None else None


@dataclass
class TopicRow:
    topic: Topic
    cards: int
    studied: bool


@dataclass
class BankRow:
    bank: Bank
    cards: int
    studied: bool  # the whole bank
    topics: list[TopicRow]


@dataclass
class FsrsStatus:
    """What the student is told about their FSRS parameters on the decks page."""

    personal: bool  # their own parameters are in use
    last_fit: FsrsFit | None
    reviews: int  # in their log, counted up to ``min_reviews``
    min_reviews: int
    refit_after: int

    @property
    def reviews_missing(self) -> int:
        return max(0, self.min_reviews - self.reviews)

    @property
    def improvement_percent(self) -> float | None:
        fit = self.last_fit
        return None if fit is None else round(100 * fit.improvement, 1)


def fsrs_status(*, user) -> FsrsStatus:
    minimum = settings.FSRS_FIT_MIN_REVIEWS
    return FsrsStatus(
        personal=fsrs_parameters(user=user) is not None,
        last_fit=last_fsrs_fit(user=user),
        reviews=FlashcardReview.objects.filter(user=user)[:minimum].count(),
        min_reviews=minimum,
        refit_after=settings.FSRS_REFIT_AFTER_REVIEWS,
    )


@dataclass
class DeckOverview:
    banks: list[BankRow]
    new_cards_per_day: int
    suspended: list[FlashcardState]
    fsrs: FsrsStatus
    targets: StudyTargets  # in force: the student's own, their course's or the defaults
    targets_own: dict  # what the student set: retention, retention_percent, exam_date
    mistake_cards: bool = True  # recognised mistakes add cards


def deck_overview(*, user) -> DeckOverview:
    """Every bank and topic with its number of cards, marked when the student studies it."""
    today = timezone.localdate()
    own = StudyProfile.objects.filter(user=user).values(
        "desired_retention", "exam_date", "mistake_cards"
    )
    own = next(iter(own), {})
    card_filter = Q(questions__kind__in=CARD_KINDS)
    allowed = banks_for_study(user)
    banks = list(allowed.annotate(cards=Count("questions", filter=card_filter)))
    topics: dict[int, list[Topic]] = {}
    for topic in (
        Topic.objects.filter(bank__in=allowed)
        .annotate(cards=Count("questions", filter=card_filter))
        .order_by("title")
    ):
        topics.setdefault(topic.bank_id, []).append(topic)
    decks = set(StudyDeck.objects.filter(user=user).values_list("bank_id", "topic_id"))
    rows = [
        BankRow(
            bank=bank,
            cards=bank.cards,
            studied=(bank.pk, None) in decks,
            topics=[
                TopicRow(topic=t, cards=t.cards, studied=(bank.pk, t.pk) in decks)
                for t in topics.get(bank.pk, [])
            ],
        )
        for bank in banks
    ]
    suspended = list(
        FlashcardState.objects.filter(user=user, suspended=True)
        .select_related("question__bank")
        .order_by("question__bank__title", "question__title")
    )
    return DeckOverview(
        banks=rows,
        new_cards_per_day=new_cards_per_day(user=user),
        suspended=suspended,
        fsrs=fsrs_status(user=user),
        targets=study_targets(user=user, today=today, profile=own),
        targets_own={
            "retention": own.get("desired_retention"),
            "retention_percent": percent_text(own.get("desired_retention")),
            "exam_date": own.get("exam_date"),
        },
        mistake_cards=own.get("mistake_cards", True),
    )
