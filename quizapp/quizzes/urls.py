from django.urls import path

from quizapp.quizzes import views

urlpatterns = [
    path("", views.quiz_list, name="teach-quizzes"),
    path("new/", views.quiz_create, name="teach-quiz-new"),
    path("<int:quiz_id>/", views.quiz_edit, name="teach-quiz-edit"),
    path("<int:quiz_id>/publish/", views.quiz_publish, name="teach-quiz-publish"),
    path("<int:quiz_id>/items/question/", views.item_add_question, name="teach-item-add-question"),
    path("<int:quiz_id>/items/rule/", views.item_add_rule, name="teach-item-add-rule"),
    path("<int:quiz_id>/items/<int:item_id>/", views.item_update, name="teach-item-update"),
    path("<int:quiz_id>/items/<int:item_id>/remove/", views.item_remove, name="teach-item-remove"),
    path("<int:quiz_id>/items/<int:item_id>/move/", views.item_move, name="teach-item-move"),
]
