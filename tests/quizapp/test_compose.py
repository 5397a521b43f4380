"""docker-compose.yml cannot run here (no Docker engine), so its structure is checked."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())


def test_services_and_commands():
    services = COMPOSE["services"]
    assert {"web", "worker", "redis", "postgres"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert "quizapp.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "quizapp", "worker"]
    assert settings.CELERY_TASK_DEFAULT_QUEUE in services["worker"]["command"]


def test_every_long_running_service_has_a_healthcheck():
    for name in ("web", "worker", "redis", "postgres"):
        assert "test" in COMPOSE["services"][name]["healthcheck"], name


def test_app_services_are_configured_for_production():
    for name in ("web", "worker", "migrate"):
        env = COMPOSE["services"][name]["environment"]
        assert env["DEBUG"] == "0"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert "SECRET_KEY" in env
    web_deps = COMPOSE["services"]["web"]["depends_on"]
    assert web_deps["migrate"]["condition"] == "service_completed_successfully"
    assert (
        COMPOSE["services"]["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    )


def test_beat_schedules_existing_tasks():
    import quizapp.attempts.tasks  # noqa: F401  (registers the tasks)
    from quizapp.celery import app

    beat = COMPOSE["services"]["beat"]
    assert beat["command"][:4] == ["celery", "-A", "quizapp", "beat"]
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_bank_tasks_have_their_own_queue_and_worker():
    from celery import current_app

    import question_bank.tasks  # noqa: F401  (registers the tasks)

    route = current_app.amqp.router.route({}, "question_bank.tasks.validate_bank_upload")
    assert route["queue"].name == settings.CELERY_BANKS_QUEUE != settings.CELERY_TASK_DEFAULT_QUEUE
    worker = COMPOSE["services"]["worker-banks"]["command"]
    assert worker[:4] == ["celery", "-A", "quizapp", "worker"]
    assert worker[worker.index("--queues") + 1] == settings.CELERY_BANKS_QUEUE
