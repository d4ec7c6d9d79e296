"""Echoloop settings, driven by environment variables.

With nothing set you get the embedded default: SQLite and media files in ``ECHOLOOP_DATA_DIR``
(``./data``) and Celery on kombu's filesystem transport. ``DATABASE_URL``, ``REDIS_URL`` and
``ECHOLOOP_S3_BUCKET`` switch to PostgreSQL, Redis and S3 for the scaled deployment.
"""

import os
from pathlib import Path

import dj_database_url


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env("ECHOLOOP_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    # The embedded default keeps a random key in the data directory so sessions survive restarts;
    # a scaled deployment must set SECRET_KEY (the compose file does).
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "echoloop.admin.EcholoopAdminConfig",  # django.contrib.admin, its login throttled
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "annotator",
    "models_app",
    "sampling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "echoloop.limits.BodyLimitMiddleware",  # before CSRF: its check reads form bodies
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "echoloop.urls"
WSGI_APPLICATION = "echoloop.wsgi.application"

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
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # Health checks: a kept-alive connection broken by a database restart is replaced at the start
    # of the next request instead of failing it.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "echoloop.sqlite3",
            # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock
            # at BEGIN so two claims cannot both read the same free task before either writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, broker --------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Redis has no acknowledgements: a task taken by a worker that then died whole (SIGKILL, lost
    # machine) goes back to the queue once it is unacknowledged for this long. Keep it above the
    # longest task (a training), or a task still running is delivered a second time.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("ECHOLOOP_BROKER_VISIBILITY_TIMEOUT", 3600)
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    BROKER_DIR = DATA_DIR / "broker"
    for sub in ("queue", "processed", "results", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"  # a host (ignored) keeps kombu from warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{BROKER_DIR / 'results'}"

# The cost bound of a training's step loop (seconds; 0 for none): epochs are cut to what fits, so
# a huge import of labels cannot start an hours-long run. A project may set its own
# (sampling_params["model"]["max_training_seconds"], or "max_steps").
ECHOLOOP_TRAINING_SECONDS = env_int("ECHOLOOP_TRAINING_SECONDS", 1200)
# The most labels one training reads (their audio is held in memory): 0 for no cap.
ECHOLOOP_TRAINING_MAX_EXAMPLES = env_int("ECHOLOOP_TRAINING_MAX_EXAMPLES", 5000)

# A sampling round's bound (seconds): one over a million clips takes ~15-90 s. A lead's round
# request still queued or running after 4 times this is failed by the beat with the reason;
# finished requests are deleted after ECHOLOOP_ROUND_REQUEST_DAYS (their rounds stay).
ECHOLOOP_ROUND_SECONDS = env_int("ECHOLOOP_ROUND_SECONDS", 300)
ECHOLOOP_ROUND_REQUEST_DAYS = env_int("ECHOLOOP_ROUND_REQUEST_DAYS", 30)

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only after it ran, so a worker killed mid-task has it redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Worker tuning (README: "Worker tuning"). Messages a worker process reserves ahead (1: a long
# training never holds back a short task behind it), processes per worker (unset: Celery's default,
# one per core; the command line's --concurrency wins) and tasks before a process is replaced.
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("ECHOLOOP_WORKER_PREFETCH", 1)
CELERY_WORKER_CONCURRENCY = env_int("ECHOLOOP_WORKER_CONCURRENCY", 0) or None
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("ECHOLOOP_WORKER_MAX_TASKS_PER_CHILD", 0) or None
# Threads: a view's DSP (0: the machine's cores, shared by the views in flight), one scoring task.
ECHOLOOP_DSP_THREADS = env_int("ECHOLOOP_DSP_THREADS", 0)
ECHOLOOP_SCORE_THREADS = env_int("ECHOLOOP_SCORE_THREADS", 1)
ECHOLOOP_SCORE_CHUNK_SIZE = env_int("ECHOLOOP_SCORE_CHUNK_SIZE", 64)  # clips per rescore task
# Chunk tasks of one rescore waiting in the broker at once (a wave); more workers than this
# would idle, so raise it with the number of score worker processes.
ECHOLOOP_RESCORE_IN_FLIGHT = env_int("ECHOLOOP_RESCORE_IN_FLIGHT", 16)
# A training beats a heartbeat this often; the beat's sweep takes a run this long silent for dead.
ECHOLOOP_HEARTBEAT_SECONDS = env_float("ECHOLOOP_HEARTBEAT_SECONDS", 10.0)
ECHOLOOP_STALE_AFTER_SECONDS = env_float("ECHOLOOP_STALE_AFTER_SECONDS", 90.0)
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "annotator.tasks.render_*": {"queue": "render"},
    "models_app.tasks.score_*": {"queue": "score"},
    "models_app.tasks.rescore_*": {"queue": "score"},
    "models_app.tasks.embed_*": {"queue": "score"},
    "models_app.tasks.train_*": {"queue": "train"},
    "sampling.tasks.*": {"queue": "score"},
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# The loop's upkeep (celery beat): fail and retry trainings whose worker died (no heartbeat for
# ECHOLOOP_STALE_AFTER_SECONDS), and refill queues that fell below their low-water mark.
CELERY_BEAT_SCHEDULE = {
    "tend-loop": {
        "task": "sampling.tasks.tend_loop",
        "schedule": env_int("ECHOLOOP_TEND_SECONDS", 30),
    },
    "resume-imports": {"task": "annotator.tasks.resume_stalled_imports", "schedule": 300},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task that finishes while Redis restarts keeps retrying to store its result (chords count on
# it) instead of being recorded as failed with a ConnectionError; backoff up to 10 s a try.
CELERY_RESULT_BACKEND_ALWAYS_RETRY = True
CELERY_RESULT_BACKEND_MAX_RETRIES = env_int("ECHOLOOP_RESULT_BACKEND_MAX_RETRIES", 30)
CELERY_RESULT_EXPIRES = 3600

# --- storage --------------------------------------------------------------------------------
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served at the site's root by WhiteNoise: /favicon.ico, which browsers ask for on pages that
# name no icon (the admin, the API's JSON).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

S3_BUCKET = env("ECHOLOOP_S3_BUCKET")
S3_OPTIONS = {
    "bucket_name": S3_BUCKET,
    "endpoint_url": env("ECHOLOOP_S3_ENDPOINT_URL") or None,
    "region_name": env("ECHOLOOP_S3_REGION") or None,
    "access_key": env("AWS_ACCESS_KEY_ID") or None,
    "secret_key": env("AWS_SECRET_ACCESS_KEY") or None,
    "file_overwrite": False,
    "default_acl": None,
}
if S3_BUCKET:
    DEFAULT_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": S3_OPTIONS}
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Largest file accepted through an upload (admin, API import).
ECHOLOOP_MAX_UPLOAD_BYTES = env_int("ECHOLOOP_MAX_UPLOAD_BYTES", 512 * 1024 * 1024)
# An import's cost bound, checked after listing and before reading any file: refused beyond it.
ECHOLOOP_IMPORT_MAX_FILES = env_int("ECHOLOOP_IMPORT_MAX_FILES", 1_000_000)
# Files a worker imports per task: small enough that workers share a folder evenly and a
# redelivered chunk redoes little, large enough that the bookkeeping stays a few % of the work.
ECHOLOOP_IMPORT_CHUNK_FILES = env_int("ECHOLOOP_IMPORT_CHUNK_FILES", 20)
# An import job with no chunk reporting for this long has its missing chunks sent again (beat).
ECHOLOOP_IMPORT_STALL_SECONDS = env_int("ECHOLOOP_IMPORT_STALL_SECONDS", 1800)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Samples one audio request may decode (2^25: 87 s at 384 kHz, 17 min at 32 kHz; ~130 MB as float).
ECHOLOOP_MAX_AUDIO_SAMPLES = env_int("ECHOLOOP_MAX_AUDIO_SAMPLES", 2**25)
# Bytes of rendered views kept in storage; past it the least recently used go (annotator.viewcache).
# 2 GiB holds ~5,000 of the page's first views (1600 x 512: 0.38-0.46 MB each, measured), the
# pre-renders of many queued batches, and still fits beside the audio on a laptop's disk.
ECHOLOOP_RENDER_CACHE_BYTES = env_int("ECHOLOOP_RENDER_CACHE_BYTES", 2 * 1024**3)
# Any other request's body (JSON submissions are kilobytes): echoloop.limits.
ECHOLOOP_MAX_BODY_BYTES = env_int("ECHOLOOP_MAX_BODY_BYTES", 2 * 1024 * 1024)
# Uncached renders of web requests (`annotator.renderpool`): a pool of processes per web process
# (the cores shared among gunicorn's WEB_CONCURRENCY processes), a hard time budget per render
# (waiting for a free process included), the memory a render may add, the render processes'
# priority below the web's, and how many renders one user may have in progress at once.
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 1)
ECHOLOOP_RENDER_PROCESSES = env_int(
    "ECHOLOOP_RENDER_PROCESSES", max(1, (os.cpu_count() or 1) // WEB_CONCURRENCY)
)
ECHOLOOP_RENDER_BUDGET_S = float(env("ECHOLOOP_RENDER_BUDGET_S", "10"))
ECHOLOOP_RENDER_MEMORY_MB = env_int("ECHOLOOP_RENDER_MEMORY_MB", 2048)
# 19, not 10: measured on a quiet box, heavy renders at nice 10 still doubled the annotators' claim p95
# (2.06x); at 19 they cost 1.2x (BENCHMARKS.md, "Hard limits").
ECHOLOOP_RENDER_NICE = env_int("ECHOLOOP_RENDER_NICE", 19)
ECHOLOOP_RENDERS_PER_USER = env_int("ECHOLOOP_RENDERS_PER_USER", 2)
# Renders waiting or running per web process, beyond which a request answers 503 at once (each
# holds one of gunicorn's threads while it waits).
ECHOLOOP_RENDER_QUEUE = env_int("ECHOLOOP_RENDER_QUEUE", 2 * ECHOLOOP_RENDER_PROCESSES)

# --- auth, API ------------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Trusted reverse proxies in front of the web server (each appends to X-Forwarded-For): login
# throttles then count per client, not per proxy. 0: the socket's peer is the client.
NUM_PROXIES = env_int("ECHOLOOP_NUM_PROXIES", 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated API call gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "echoloop.limits.JSONParser",  # deep nesting is a 400, not a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Domain errors (StaleVersion, BadViewRequest, TrainingBusy, ...) to HTTP answers, in one place.
    "EXCEPTION_HANDLER": "echoloop.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": env("LOGIN_THROTTLE_RATE", "10/min")},
    # 0, not DRF's default None: with None DRF keys throttles on X-Forwarded-For as sent, which
    # a client can forge to get a fresh budget for every guess.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Echoloop API",
    "DESCRIPTION": "Annotation, queue, model and sampling API of Echoloop.",
    "VERSION": "0.1.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI's scripts come from our static files, not a CDN: the docs page works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # 429/503 with Retry-After documented on the operations that can answer them.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "echoloop.errors.document_busy_answers",
    ],
    # Two choice sets share the field name "role": a member's role and what audio is for.
    "ENUM_NAME_OVERRIDES": {
        "MemberRoleEnum": "annotator.models.project.Role",
        "SamplingRoleEnum": "annotator.models.audio.SamplingRole",
        # Import jobs and round requests share one lifecycle (queued, running, done, failed).
        "JobStatusEnum": "annotator.models.imports.ImportJob.Status",
        "TrainingRunStatusEnum": "models_app.models.TrainingRun.Status",
    },
}

# --- production hardening (``manage.py check --deploy``) ------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool(
    "SECURE_SSL_REDIRECT", not DEBUG and env_bool("ECHOLOOP_HTTPS", False)
)
SESSION_COOKIE_SECURE = env_bool("ECHOLOOP_HTTPS", False)
CSRF_COOKIE_SECURE = env_bool("ECHOLOOP_HTTPS", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
