"""Deployment settings from the environment: `check --deploy` is clean with the README's
production settings, and the development secret key is refused outside debug."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "lianzhang-insecure-development-key"


def django(tmp_path, *args, **env):
    """``python -m django ARGS`` with only ``env`` (no test or debug switches inherited)."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    base |= {"DJANGO_SETTINGS_MODULE": "lianzhang.settings", "LIANZHANG_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=base | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "LIANZHANG_SECURE": "1",
    "ALLOWED_HOSTS": "example.org",
}


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    done = django(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout and "WARNING" not in done.stdout + done.stderr


def test_without_the_secure_switch_check_deploy_warns(tmp_path):
    insecure = PRODUCTION | {"LIANZHANG_SECURE": ""}
    done = django(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **insecure)
    assert done.returncode != 0
    assert "security.W004" in done.stderr + done.stdout  # no HSTS


def test_the_settings_follow_the_environment(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER, "
        "s.CSRF_TRUSTED_ORIGINS, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    )
    env = PRODUCTION | {
        "LIANZHANG_HSTS_PRELOAD": "0",
        "LIANZHANG_PROXY_SSL_HEADER": "1",
        "CSRF_TRUSTED_ORIGINS": "https://example.org,https://www.example.org",
        "LIANZHANG_LOGIN_FAILURES": "3",
        "LIANZHANG_LOCKOUT_MINUTES": "30",
    }
    done = django(tmp_path, "shell", "-c", code, **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == (
        "True True True 31536000 True False ('HTTP_X_FORWARDED_PROTO', 'https') "
        "['https://example.org', 'https://www.example.org'] 3 0.5"
    )
    plain = django(tmp_path, "shell", "-c", code, LIANZHANG_DEBUG="1")
    assert plain.stdout.strip().splitlines()[-1] == "False False False 0 False False None [] 5 0.25"


def test_the_development_key_is_refused_outside_debug(tmp_path):
    done = django(tmp_path, "check", SECRET_KEY=DEV_SECRET, ALLOWED_HOSTS="example.org")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "开发用 SECRET_KEY" in done.stderr and "for debug only" in done.stderr
    assert django(tmp_path, "check", SECRET_KEY=DEV_SECRET, LIANZHANG_DEBUG="1").returncode == 0


def test_the_development_key_is_refused_from_the_key_file_too(tmp_path):
    (tmp_path / "secret_key").write_text(DEV_SECRET, "utf-8")
    assert django(tmp_path, "check").returncode != 0
