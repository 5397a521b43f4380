from django.urls import path

from quizapp.banks import views

app_name = "banks"

urlpatterns = [
    path("", views.bank_list, name="list"),
    path("upload/", views.upload_new, name="upload-new"),
    path("uploads/<int:upload_id>/", views.upload_report, name="upload"),
    path("uploads/<int:upload_id>/progress/", views.upload_progress, name="upload-progress"),
    path("uploads/<int:upload_id>/publish/", views.upload_publish, name="upload-publish"),
    path(
        "uploads/<int:upload_id>/questions/<int:index>/preview/",
        views.upload_preview,
        name="upload-preview",
    ),
    path("<int:bank_id>/", views.bank_detail, name="detail"),
    path("<int:bank_id>/archive/", views.bank_archive, name="archive"),
    path("<int:bank_id>/delete/", views.bank_delete, name="delete"),
    path(
        "<int:bank_id>/questions/<int:question_id>/preview/",
        views.question_preview,
        name="preview",
    ),
    path(
        "<int:bank_id>/questions/<int:question_id>/rejected/",
        views.question_rejected,
        name="rejected",
    ),
    path(
        "<int:bank_id>/questions/<int:question_id>/rejected/accept/",
        views.question_rejected_accept,
        name="rejected-accept",
    ),
]
