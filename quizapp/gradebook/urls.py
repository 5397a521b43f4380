"""Instructor records, mounted at /teach/ by quizapp/urls.py: the gradebook under
``gradebook/``, item analysis under ``analysis/``, regrade under ``regrade/``, rejected text answers
under ``rejected/``, essays graded by hand under ``manual/``."""

from django.urls import path

from quizapp.gradebook import views as gradebook

urlpatterns = [
    path("gradebook/", gradebook.teach_index, name="gradebook-index"),
    path("gradebook/course/<int:course_id>/", gradebook.course_gradebook, name="gradebook-course"),
    path(
        "gradebook/course/<int:course_id>/export.<str:fmt>",
        gradebook.course_gradebook_export,
        name="gradebook-course-export",
    ),
    path("gradebook/quiz/<int:quiz_id>/", gradebook.quiz_gradebook, name="gradebook-quiz"),
    path("mistakes/course/<int:course_id>/", gradebook.course_mistakes, name="course-mistakes"),
    path(
        "gradebook/quiz/<int:quiz_id>/export.<str:fmt>",
        gradebook.quiz_gradebook_export,
        name="gradebook-quiz-export",
    ),
    path(
        "gradebook/attempt/<uuid:attempt_uuid>/", gradebook.attempt_detail, name="gradebook-attempt"
    ),
    path(
        "gradebook/attempt/<uuid:attempt_uuid>/override/",
        gradebook.attempt_override,
        name="gradebook-override",
    ),
    path("analysis/quiz/<int:quiz_id>/", gradebook.quiz_analysis, name="analysis-quiz"),
    path("regrade/quiz/<int:quiz_id>/", gradebook.regrade_page, name="regrade"),
    path("rejected/quiz/<int:quiz_id>/", gradebook.rejected_quiz, name="rejected-quiz"),
    path(
        "rejected/quiz/<int:quiz_id>/accept/",
        gradebook.rejected_quiz_accept,
        name="rejected-quiz-accept",
    ),
    path("manual/quiz/<int:quiz_id>/", gradebook.manual_queue, name="manual-queue"),
    path(
        "manual/quiz/<int:quiz_id>/question/<int:question_id>/",
        gradebook.manual_question,
        name="manual-question",
    ),
    path(
        "manual/quiz/<int:quiz_id>/question/<int:question_id>/criteria/",
        gradebook.manual_criteria,
        name="manual-criteria",
    ),
    path("regrade/run/<int:run_id>/", gradebook.regrade_run, name="regrade-run"),
    path("regrade/run/<int:run_id>/status.json", gradebook.regrade_status, name="regrade-status"),
]
