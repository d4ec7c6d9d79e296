"""Logging in: throttled guessing, CSRF on pages, revocable API tokens, no default passwords, and
the deployment checks with a production environment."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotator.views import LOGIN_ATTEMPTS
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def fast_hashing(settings):
    """Login attempts hash the password even when it is wrong: keep a dozen of them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def isolated_cache():
    """The configured cache backend (Redis in CI) under a key prefix of this test only, so the
    attempts counted here neither leak into other tests nor expire halfway (they time out alone)."""
    caches = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"sec-{uuid.uuid4().hex}"}}
    with override_settings(CACHES=caches):
        yield cache


def login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


# --- throttling -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_refuses_guessing_after_the_limit(isolated_cache, fast_hashing):
    user = f.make_user(f"victim-{uuid.uuid4().hex[:8]}")
    client = Client()
    for _ in range(LOGIN_ATTEMPTS):
        assert login(client, user.username, "wrong").status_code == 200  # the form, with an error
    throttled = login(client, user.username, PASSWORD)
    assert throttled.status_code == 429, "the right password must not get through once throttled"
    assert "_auth_user_id" not in client.session
    # Per client and user name: somebody else logging in from the same address is not locked out.
    other = f.make_user(f"other-{uuid.uuid4().hex[:8]}")
    assert login(Client(), other.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_login_throttle_ignores_case_of_the_user_name(isolated_cache, fast_hashing):
    user = f.make_user(f"case-{uuid.uuid4().hex[:8]}")
    client = Client()
    for i in range(LOGIN_ATTEMPTS):
        name = user.username.upper() if i % 2 else user.username
        login(client, name, "wrong")
    assert login(client, user.username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_login_throttle_counts_the_name_as_authentication_reads_it(isolated_cache, fast_hashing):
    """Spaces, a tab and the full-width spelling all reach the same account (the form strips
    and NFKC-normalises): they must not each get a fresh budget."""
    user = f.make_user(f"norm{uuid.uuid4().hex[:6]}")
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in user.username)
    spellings = [
        f" {user.username}",
        f"{user.username} ",
        f"\t{user.username}",
        full_width,
        user.username,
    ]
    client = Client()
    for i in range(LOGIN_ATTEMPTS):
        assert login(client, spellings[i % len(spellings)], "wrong").status_code == 200
    assert login(client, full_width, PASSWORD).status_code == 429
    assert login(client, f" {user.username}", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_admin_login_is_throttled_together_with_the_page_login(isolated_cache, fast_hashing):
    admin = f.make_user(f"admin-{uuid.uuid4().hex[:8]}", is_staff=True, is_superuser=True)
    client = Client()
    for i in range(LOGIN_ATTEMPTS):
        url = "/admin/login/" if i % 2 else "/login/"
        assert (
            client.post(url, {"username": admin.username, "password": "wrong"}).status_code == 200
        )
    refused = client.post(
        "/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # The admin's login still works for somebody within budget, and its form still renders.
    other = f.make_user(f"staff-{uuid.uuid4().hex[:8]}", is_staff=True)
    assert Client().get("/admin/login/").status_code == 200
    assert (
        Client()
        .post("/admin/login/?next=/admin/", {"username": other.username, "password": PASSWORD})
        .status_code
        == 302
    )


@pytest.mark.django_db
def test_token_endpoint_is_throttled(isolated_cache, fast_hashing):
    user = f.make_user(f"api-{uuid.uuid4().hex[:8]}")
    client = APIClient()
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    statuses = [
        client.post(
            "/api/auth/token/", {"username": user.username, "password": "wrong"}
        ).status_code
        for _ in range(rate)
    ]
    assert set(statuses) == {400}
    response = client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 and "token" not in response.json()
    assert not Token.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_login_budget(
    isolated_cache, fast_hashing, settings
):
    """With the proxy counted, the address it saw is the client: one guesser behind it locks out
    only themselves, and a forged X-Forwarded-For entry before the proxy's does not help."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    user = f.make_user(f"proxied-{uuid.uuid4().hex[:8]}")
    guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for i in range(LOGIN_ATTEMPTS):
        forged = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.7")
        login(forged if i % 2 else guesser, user.username, "wrong")
    assert login(guesser, user.username, PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert login(colleague, user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_without_a_proxy_setting_forwarded_headers_are_ignored(isolated_cache, fast_hashing):
    user = f.make_user(f"direct-{uuid.uuid4().hex[:8]}")
    for i in range(LOGIN_ATTEMPTS):  # a new forged address each time changes nothing
        login(Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"), user.username, "wrong")
    assert login(Client(), user.username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_token_endpoint_budget_is_not_reset_by_a_forged_forwarded_header(
    isolated_cache, fast_hashing
):
    user = f.make_user(f"forge-{uuid.uuid4().hex[:8]}")
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    for i in range(rate):
        APIClient(HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").post(
            "/api/auth/token/", {"username": user.username, "password": "wrong"}
        )
    forged = APIClient(HTTP_X_FORWARDED_FOR="192.0.2.250")
    response = forged.post("/api/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429


# --- CSRF -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_refuse_a_post_without_the_csrf_token(project, cast):
    client = Client(enforce_csrf_checks=True)
    assert login(client, "ann1", PASSWORD).status_code == 403  # the login form itself
    client.force_login(cast["ann1"])
    assert client.post("/logout/").status_code == 403
    assert "_auth_user_id" in client.session  # still logged in
    page = client.get(f"/projects/{project.pk}/annotate/")
    token = client.cookies["csrftoken"].value
    assert page.status_code == 200
    assert client.post("/logout/", HTTP_X_CSRFTOKEN=token).status_code == 302


@pytest.mark.django_db
def test_session_api_writes_need_the_csrf_token(project, cast):
    from annotator import queue

    queue.enqueue(project, [f.make_clip(project)])
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["ann1"])
    url = f"/api/projects/{project.pk}/tasks/next/"
    refused = client.post(url)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not project.tasks.filter(status="leased").exists()
    client.get(f"/projects/{project.pk}/annotate/")
    accepted = client.post(url, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert accepted.status_code == 200


@pytest.mark.django_db
def test_token_api_calls_need_no_csrf_token(project, cast):
    """Token clients are not browsers: no cookie, so no CSRF (and no session is created)."""
    token = Token.objects.create(user=cast["lead"])
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.patch(
        f"/api/projects/{project.pk}/", {"settings": {"batch_size": 9}}, format="json"
    )
    assert response.status_code == 200 and "sessionid" not in response.cookies


# --- tokens ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_revoked_token_stops_working_and_a_new_one_differs(cast, isolated_cache):
    client = APIClient()
    credentials = {"username": "ann1", "password": PASSWORD}
    first = client.post("/api/auth/token/", credentials).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert client.get("/api/projects/").status_code == 200
    assert client.delete("/api/auth/token/").status_code == 204
    assert client.get("/api/projects/").status_code == 401
    assert client.delete("/api/auth/token/").status_code == 401  # the revoked token cannot act
    client.credentials()
    second = client.post("/api/auth/token/", credentials).json()["token"]
    assert second != first and len(second) >= 40


@pytest.mark.django_db
def test_revoking_touches_only_your_own_token(cast):
    mine = Token.objects.create(user=cast["ann1"])
    theirs = Token.objects.create(user=cast["lead"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {mine.key}")
    assert client.delete("/api/auth/token/", {"user": cast["lead"].pk}).status_code == 204
    assert (
        Token.objects.filter(pk=theirs.pk).exists()
        and not Token.objects.filter(pk=mine.pk).exists()
    )


@pytest.mark.django_db
def test_inactive_users_token_is_refused(cast):
    token = Token.objects.create(user=cast["ann1"])
    cast["ann1"].is_active = False
    cast["ann1"].save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/projects/").status_code == 401


# --- no default passwords -------------------------------------------------------------------------

SOURCE_DIRS = ["echoloop", "annotator", "models_app", "sampling", "benchmarks", "docker"]
CREATES_PASSWORD = re.compile(
    r"set_password\(|create_(super)?user\([^)]*password\s*=\s*(?!None)|make_password\("
)


def source_files() -> list[Path]:
    files = []
    for folder in SOURCE_DIRS:
        files += [
            p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".sh", ".yaml", ".env")
        ]
    return files


def test_settings_hold_no_secret_key():
    text = (ROOT / "echoloop" / "settings.py").read_text()
    assert not re.search(r"^SECRET_KEY\s*=\s*[\"']", text, re.M), "a literal SECRET_KEY"
    assert "django-insecure" not in text


def test_only_the_demo_command_sets_passwords():
    offenders = [
        str(p.relative_to(ROOT))
        for p in source_files()
        if CREATES_PASSWORD.search(p.read_text(errors="replace"))
    ]
    assert offenders == ["sampling/management/commands/demo.py"]


def test_demo_passwords_are_random_unless_given():
    text = (ROOT / "sampling/management/commands/demo.py").read_text()
    assert "secrets.token_urlsafe" in text
    assert not re.search(r"set_password\([\"']", text), "a literal demo password"


def test_deployment_files_ship_no_secrets():
    env_file = (ROOT / "docker" / "example.env").read_text()
    values = dict(
        line.split("=", 1)
        for line in env_file.splitlines()
        if "=" in line and not line.startswith("#")
    )
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD"):
        assert values[name] == "", f"example.env must leave {name} empty"
    compose = (ROOT / "docker" / "compose.yaml").read_text()
    for name in ("POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD"):
        assert re.search(rf"\$\{{{name}:\?", compose), f"compose must require {name}"
    literal = re.search(r"^\s*[A-Z_]*(PASSWORD|SECRET)[A-Z_]*:\s+[^$\s]", compose, re.M)
    assert not literal, f"a literal secret in compose: {literal.group(0) if literal else ''}"


# --- deployment checks ----------------------------------------------------------------------------


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        ECHOLOOP_HTTPS="1",
        SECURE_HSTS_SECONDS="31536000",
        ALLOWED_HOSTS="echoloop.example.org",
        ECHOLOOP_DATA_DIR=str(tmp_path),
    )
    env.update(extra)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_https(tmp_path):
    """The check is not vacuous: leaving out HTTPS and HSTS is reported."""
    result = check_deploy(production_env(tmp_path, ECHOLOOP_HTTPS="0", SECURE_HSTS_SECONDS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
