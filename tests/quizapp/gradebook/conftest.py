"""Fixtures of the gradebook tests: an essay in the demo quiz (see essays.py)."""

from tests.quizapp.gradebook.essays import essay_quiz  # noqa: F401
