"""Courses: groups of students, join codes, rosters, quizzes assigned and who sees them."""
