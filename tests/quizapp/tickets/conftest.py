"""The ticket tests' fixtures live in paper.py (the browser test imports them too)."""

from tests.quizapp.tickets.paper import tickets_course, tickets_quiz  # noqa: F401
