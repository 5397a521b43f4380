"""LTI 1.3 / LTI Advantage: the app as a tool inside Moodle, Canvas, Blackboard or Open edX.

Built on django-lti (``lti_tool``: registrations, deployments, keys, OIDC login, launch
validation through pylti1p3). This package maps a launch onto the app — an LMS user to a local
user, an LMS course to a :class:`~quizapp.models.Course`, a resource link to a quiz — and sends
scores back through Assignment and Grade Services. See docs/lms.md.
"""
