"""The quiz builder: an instructor's quizzes, their settings and items."""
