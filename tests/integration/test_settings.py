"""The settings refuse unsafe production configurations and send security headers."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "Zq8vN2xR7pL0wT5yB1mC4hJ6gF9dS3aE" * 2,
    "ALLOWED_HOSTS": "ladder.example.com",
    "SITE_URL": "https://ladder.example.com",
    "EMAIL_URL": "smtp://mail.example.com:587?tls=1",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SECURE_COOKIES",
            "STATIC_MANIFEST",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key():
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": "django-insecure-" + "x" * 60})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_checks_pass_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_mode_starts_without_a_secret_key():
    result = _manage("check", DEBUG="true", SECRET_KEY="")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_every_page_gets_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe" not in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    # htmx is served by us (no CDN) and carries this response's nonce.
    assert f'src="/static/django_htmx/htmx-2.min.js" defer nonce="{nonce}"' in html
    assert "https://" not in re.sub(r'content="[^"]*"', "", html.split("<body")[0])
    assert f'"inlineStyleNonce": "{nonce}"' in html


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "unsafe" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_htmx_requests_carry_the_csrf_token(client):
    html = client.get("/").content.decode()
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([A-Za-z0-9]+)\"\}'", html)
    assert token, "the body must send the CSRF token on every htmx request"
