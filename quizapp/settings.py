"""Settings, read from the environment (see README).

Embedded default: SQLite file in ./var, tasks run eagerly in-process, DEBUG on, a development
secret. Production: set DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY,
ALLOWED_HOSTS and DEBUG=0; with DEBUG off the app refuses the development secret.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from quizapp.core.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("NZ_VAR_DIR", str(BASE_DIR / "var")))

DEV_SECRET_KEY = "dev-insecure-only-for-the-embedded-mode"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY: с DEBUG=0 нужен собственный секрет длиной не меньше 32 символов"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = (
    env_list("CSRF_TRUSTED_ORIGINS", []) if env_str("CSRF_TRUSTED_ORIGINS") else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "question_bank",
    "quizapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "quizapp.accounts.timezones.UserTimezoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself; runserver does it in the embedded mode.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "quizapp.urls"
WSGI_APPLICATION = "quizapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quizapp.core.context_processors.decimal_mark",
            ],
        },
    },
]


def _database(url: str | None) -> dict:
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # The threaded dev server (and the browser tests' live server) write from several
        # threads: writers queue for the lock (IMMEDIATE, 20 s) instead of failing at once, and
        # WAL lets pages read meanwhile. Tests get a file per process, not the shared-cache
        # in-memory database, whose table locks fail concurrent requests immediately.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    try:
        # Connections are kept between requests and tasks, and checked before reuse: after a
        # database restart the first request or task reconnects instead of failing.
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60, min=0),
            conn_health_checks=True,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"DATABASE_URL={url!r}: неизвестная схема")
    return config


DATABASES = {"default": _database(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Russian for everyone: the pages are written in Russian, so Django's own strings (form errors,
# password rules) must not switch to the browser's language. An English UI would add
# LocaleMiddleware back together with translated templates.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
# The decimal mark people read numbers with (question texts, solutions, keys, gradebook,
# exports): "," as Russian is written, or "."; a course may set its own. Input accepts both.
NZ_DECIMAL_MARK = env_choice("NZ_DECIMAL_MARK", ",", choices=(",", "."))
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail: printed to the console in the embedded mode; SMTP when EMAIL_HOST is set.
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587, min=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Нейрозачёт <noreply@localhost>")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# The grader evaluates students' answers (and bank files) in child processes under OS limits
# (grader/sandbox.py, docs/bounded-evaluation.md): that many children per web or worker process,
# the address space of each, and the wall clock one answer may take before its child is killed
# and the answer refused as too costly. Applied in QuizappConfig.ready().
GRADER_SANDBOX_WORKERS = env_int("GRADER_SANDBOX_WORKERS", 2, min=1)
GRADER_SANDBOX_MEMORY_MB = env_int("GRADER_SANDBOX_MEMORY_MB", 768, min=0)  # 0: no limit
GRADER_SANDBOX_TIMEOUT_MS = env_int("GRADER_SANDBOX_TIMEOUT_MS", 1500, min=100)
# The checks of one question of an uploaded bank (hundreds of variants drawn) get this many
# seconds in a child; a question that needs more is reported as too costly.
GRADER_CHECK_TIMEOUT_S = env_int("GRADER_CHECK_TIMEOUT_S", 60, min=1)

# Celery: no broker → tasks run eagerly in the web process (embedded mode).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "grading")
# Checking an uploaded bank takes seconds to minutes; on its own queue (and worker) it never
# holds up the grading of students' answers.
CELERY_BANKS_QUEUE = env_str("CELERY_BANKS_QUEUE", "banks")
CELERY_TASK_ROUTES = {"question_bank.tasks.*": {"queue": CELERY_BANKS_QUEUE}}
# A task whose worker died unacknowledged is redelivered once visibility_timeout has passed;
# workers look for such tasks every restore interval × throttle seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600, min=1),
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10, min=1),
    "unacked_restore_throttle": env_int("CELERY_RESTORE_THROTTLE", 10, min=1),
}
# Publishing while the broker is down must not hold a request for long: one quick retry, then
# the row is left for the sweeper (docs/grading-pipeline.md).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] = 2

# Grading: one task grades up to GRADING_BATCH_SIZE waiting answers in one transaction. The
# sweeper (every GRADING_SWEEP_INTERVAL seconds) sends again whatever has waited longer than
# GRADING_SWEEP_AFTER seconds: answers saved while the broker was down, messages the broker lost,
# answers whose worker died.
GRADING_BATCH_SIZE = env_int("GRADING_BATCH_SIZE", 100, min=1)
GRADING_SWEEP_AFTER = env_int("GRADING_SWEEP_AFTER", 10, min=1)
GRADING_SWEEP_INTERVAL = env_int("GRADING_SWEEP_INTERVAL", 5, min=1)

# Personal FSRS parameters (quizapp.flashcards.personal): fitted once a student has this many
# reviews, fitted again after this many more; beat looks for such students every interval (s).
FSRS_FIT_MIN_REVIEWS = env_int("FSRS_FIT_MIN_REVIEWS", 400, min=50)
FSRS_REFIT_AFTER_REVIEWS = env_int("FSRS_REFIT_AFTER_REVIEWS", 200, min=1)
FSRS_FIT_INTERVAL = env_int("FSRS_FIT_INTERVAL", 3600, min=60)

# One beat process (docker-compose `beat`) runs the periodic tasks: the sweeper, and closing the
# attempts whose time ran out unattended (pages also close such an attempt when it is opened, so
# the embedded mode needs no beat).
CELERY_BEAT_SCHEDULE = {
    "close-expired-attempts": {"task": "grader.tasks.close_expired_attempts", "schedule": 60.0},
    # Results shown «after the close date» reach the LMS once each student's date has passed.
    "release-held-results": {"task": "quizapp.attempts.release_held_results", "schedule": 60.0},
    "sweep-waiting-work": {
        "task": "quizapp.core.waiting.sweep_waiting",
        "schedule": float(GRADING_SWEEP_INTERVAL),
    },
    # Students with enough new reviews get their FSRS parameters fitted (one task each). A
    # rating that makes a student due also sends that task, so the embedded mode needs no beat.
    # Questions' difficulties (Rasch) for «Подобрать задачи», from everybody's answers.
    "fit-question-difficulty": {
        "task": "quizapp.practice.fit_question_difficulty",
        "schedule": 6 * 3600.0,
    },
    "fit-fsrs-parameters": {
        "task": "quizapp.flashcards.fit_due_fsrs_parameters",
        "schedule": float(FSRS_FIT_INTERVAL),
    },
}
CELERY_TASK_SOFT_TIME_LIMIT = 30
CELERY_TASK_TIME_LIMIT = 60
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"

# One cache every web process shares (API rate limits, LTI nonces): CACHE_URL (Redis) in
# production; the embedded mode has one process and uses its local memory.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("CACHE_URL")}
        if env_str("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions: with a shared cache (CACHE_URL) a request reads its session from Redis, not from the
# database; writes (login, logout, the time zone) still go to the database first, so a Redis
# restart logs nobody out. Without a shared cache each process would keep its own stale copy (a
# logout in one gunicorn worker not seen by another): plain database sessions then.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if env_str("CACHE_URL")
    else "django.contrib.sessions.backends.db"
)

# --- Login throttling (django-axes) and password-reset limits (django-ratelimit) -------------
# Both count in the default cache above: Redis (CACHE_URL) shared by every web process in
# production, the process's memory in the embedded mode (one process, so one count).
# The client's address: REMOTE_ADDR, or — only with TRUSTED_PROXY_HOPS=N, the number of our own
# reverse proxies in front of the app — the N-th X-Forwarded-For entry from the right; entries
# further left are the client's own words and are never believed (quizapp/core/http.py).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0, min=0)
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    # First: refuses any password check (the right password too) while locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # turns a lockout into our 429 page
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CLIENT_IP_CALLABLE = "quizapp.core.http.client_ip"
AXES_USERNAME_CALLABLE = "quizapp.accounts.throttling.normalise_username"
# Two counters, each with its own bar (quizapp/accounts/throttling.py):
# - the username: LOGIN_FAILURE_LIMIT failures lock the account (the right password too) for
#   LOGIN_COOLOFF_MINUTES; this is what stops guessing one person's password from anywhere;
# - the client address, with the much higher LOGIN_IP_FAILURE_LIMIT: trying username after
#   username from one address does not escape the limit. One attacker on one account behind a
#   university's NAT stays far below it, so the other students behind that NAT still log in;
#   a bar per (username, address) pair instead would let an attacker with many addresses try
#   10 passwords from each. LOGIN_IP_FAILURE_LIMIT=0 turns the address's counter off.
LOGIN_USER_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, min=1)
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 100, min=0)
if LOGIN_IP_FAILURE_LIMIT and LOGIN_IP_FAILURE_LIMIT < LOGIN_USER_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "LOGIN_IP_FAILURE_LIMIT: нужно 0 (выключено) или не меньше LOGIN_FAILURE_LIMIT"
    )
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"] if LOGIN_IP_FAILURE_LIMIT else ["username"]
AXES_FAILURE_LIMIT = "quizapp.accounts.throttling.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, min=1))
# The cool-off runs from the failure that locked: tries while locked neither count nor extend it
# (the page's «через N минут» stays true). A successful login clears the username's counter
# (quizapp/accounts/throttling.py), not the address's: see the note there.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "quizapp.accounts.throttling.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False  # no banner on every manage.py command

INSTALLED_APPS += ["django_ratelimit"]
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "quizapp.core.http.client_ip"
# Per client address and per submitted e-mail, each: e.g. "5/h".
PASSWORD_RESET_RATE = env_str("PASSWORD_RESET_RATE", "5/h")
SILENCED_SYSTEM_CHECKS = [
    # django-ratelimit knows Redis only through django-redis; Django's own RedisCache (CACHE_URL)
    # counts with Redis INCR, atomic across processes, which is all it needs.
    "django_ratelimit.W001",
]
if not env_str("CACHE_URL"):
    # The embedded mode is one process (runserver), so its local-memory cache is shared by
    # every request that can reach the counters. Production sets CACHE_URL and keeps the check.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "axes.W001"]
# --- end of login throttling ------------------------------------------------------------------

# REST API (quizapp/api, docs/api.md): an integration's key or the browser's session; every view
# lists its own permissions; JSON only; one error shape; rate limits per key (in the cache).
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "quizapp.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "quizapp.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "quizapp.api.throttling.ApiKeyRateThrottle",
        "quizapp.api.throttling.SessionRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_key": env_str("API_KEY_RATE", "600/min"),
        "session": env_str("API_SESSION_RATE", "1200/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Нейрозачёт API",
    "DESCRIPTION": "REST API v1: банки, тесты, попытки, результаты. См. docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models have a «status» with other choices: each enum keeps its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "AttemptStatusEnum": "quizapp.models.attempts.Attempt.Status",
        "ResponseStatusEnum": "quizapp.models.attempts.Response.Status",
    },
    # Ids in paths: the «id» converter of quizapp/api/urls.py (at most 18 digits).
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "quizapp.api.schema.postprocess",
    ],
}
# Eager tasks (embedded mode) deliver a webhook inside the request that graded the attempt: there
# the first failure is final unless this is on (tests turn it on to see the retries).
API_WEBHOOK_EAGER_RETRIES = env_bool("API_WEBHOOK_EAGER_RETRIES", False)
# Webhook URLs in loopback/private/link-local/multicast networks are refused (SSRF) unless this is
# on: an LMS on the local network, or the tests' receiver on 127.0.0.1.
API_WEBHOOK_ALLOW_PRIVATE = env_bool("API_WEBHOOK_ALLOW_PRIVATE", False)

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS is usually ended at the university's proxy; once it is, turn these on. /healthz stays
    # plain HTTP for the load balancer's and docker's health checks.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, min=0)
    # --- HSTS details (check --deploy) ---------------------------------------------------------
    # The app runs on one host name (quiz.university.example): its own subdomains, if any, are
    # HTTPS too. The preload list takes registrable domains only (university.example), which is
    # the university's decision for all its sites, not this app's: off unless asked for, and its
    # check (security.W021) is silenced only then.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")
    # --- end of HSTS details -------------------------------------------------------------------
    if not env_str("EMAIL_HOST"):
        import logging

        logging.getLogger(__name__).warning(
            "EMAIL_HOST не задан: письма для сброса пароля печатаются в журнал, а не отправляются."
        )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# LTI 1.3 (quizapp/lti, docs/lms.md): django-lti keeps platforms, deployments and keys. OIDC
# nonces and launch data live in the shared cache (CACHE_URL), or a separate LTI_CACHE_URL.
INSTALLED_APPS += ["lti_tool"]
if env_str("LTI_CACHE_URL"):
    CACHES["lti"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("LTI_CACHE_URL"),
    }
LTI_EAGER_TRIES = env_int("LTI_EAGER_TRIES", 1, min=1)
# LTI_FRAME_ANCESTORS="https://moodle.example.org https://canvas.example.org": those LMS pages may
# frame the app (CSP frame-ancestors instead of X-Frame-Options: DENY), and the cookies become
# SameSite=None; Secure, without which a browser drops them inside a cross-site frame (HTTPS only).
LTI_FRAME_ANCESTORS = env_str("LTI_FRAME_ANCESTORS", "").split()
if LTI_FRAME_ANCESTORS:
    SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True

# --- Content-Security-Policy (Django's own ContentSecurityPolicyMiddleware) ------------------
# One policy on every response, embedded and production alike: everything from our own origin,
# no inline script or style at all (no 'unsafe-inline', no 'unsafe-eval', no nonce), data: images
# only (MathML needs none, the Swagger UI's icons are data: URIs). Pages keep their code in
# static/js and their looks in static/css; <script type="application/json"> data blocks are not
# scripts. The one cross-origin form, the LTI deep-linking answer to the LMS, widens form-action
# for that response only (quizapp/lti/views.py). tests/e2e fail on any violation.
# Framing: only by our own pages, and by the LMS named in LTI_FRAME_ANCESTORS (docs/lms.md).
# X-Frame-Options cannot name other sites, so it is dropped when LTI_FRAME_ANCESTORS is set;
# otherwise it stays DENY for browsers that know no CSP (CSP-aware ones obey frame-ancestors).
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF, *LTI_FRAME_ANCESTORS],
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
if LTI_FRAME_ANCESTORS:
    MIDDLEWARE.remove("django.middleware.clickjacking.XFrameOptionsMiddleware")
# --- end of Content-Security-Policy -----------------------------------------------------------

# Uploads (quizapp/core/uploads.py): a file is counted while it streams in and skipped past
# UPLOAD_MAX_BYTES (a bank file: 2 MB), so no memory or temporary file holds more; the bank page
# then says the file is too large. Other bodies (forms, the API's JSON) stop at Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE; the API answers 413 before reading a bigger one.
BANK_UPLOAD_MAX_BYTES = env_int("BANK_UPLOAD_MAX_BYTES", 2 * 1024 * 1024, min=1024)
UPLOAD_MAX_BYTES = BANK_UPLOAD_MAX_BYTES  # the largest file any page takes
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: the API relies on it
FILE_UPLOAD_HANDLERS = [
    "quizapp.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
