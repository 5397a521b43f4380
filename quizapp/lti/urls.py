from django.urls import path

from quizapp.lti import views

urlpatterns = [
    path("jwks/", views.jwks, name="lti-jwks"),
    path("login/", views.oidc_login, name="lti-login-any"),
    path("login/<uuid:registration_uuid>/", views.oidc_login, name="lti-login"),
    path("launch/", views.launch, name="lti-launch"),
    path("deep-link/", views.deep_link, name="lti-deep-link"),
    path("link/<int:resource_link_id>/", views.link_pick, name="lti-link"),
    path("scores/", views.scores, name="lti-scores"),
    path("scores/<int:passback_id>/retry/", views.score_retry, name="lti-score-retry"),
]
