"""Deployment hardening: configuration errors name their variable, HTTPS mode passes
`check --deploy`, the Content-Security-Policy is sent and no template or script of ours needs
inline code, e-mail is configured from the environment."""

from __future__ import annotations

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from gridgov import config

SRC = Path(__file__).resolve().parent.parent / "src" / "gridgov"
SETTINGS = SRC / "settings.py"


# --- configuration helpers -----------------------------------------------------------------------


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("X_N", " 42 ")
    assert config.env_int("X_N", 1) == 42
    monkeypatch.setenv("X_N", "abc")
    with pytest.raises(ValueError, match="X_N must be a whole number, got 'abc'"):
        config.env_int("X_N", 1)
    monkeypatch.setenv("X_N", "0")
    with pytest.raises(ValueError, match="X_N must be at least 1"):
        config.env_int("X_N", 1, minimum=1)
    monkeypatch.setenv("X_N", "")
    assert config.env_int("X_N", 7) == 7


def test_env_float_names_the_variable(monkeypatch):
    monkeypatch.setenv("X_F", "0.5")
    assert config.env_float("X_F", 1.0) == 0.5
    for bad in ["abc", "nan", "inf"]:
        monkeypatch.setenv("X_F", bad)
        with pytest.raises(ValueError, match="X_F"):
            config.env_float("X_F", 1.0)
    monkeypatch.setenv("X_F", "-1")
    with pytest.raises(ValueError, match="X_F must be at least 0"):
        config.env_float("X_F", 1.0, minimum=0)


def test_env_choice_names_the_variable(monkeypatch):
    monkeypatch.setenv("X_C", "WARNING")
    assert config.env_choice("X_C", "info", ("info", "warning")) == "warning"
    monkeypatch.setenv("X_C", "loud")
    with pytest.raises(ValueError, match="X_C must be one of info, warning"):
        config.env_choice("X_C", "info", ("info", "warning"))


def load_settings(monkeypatch, tmp_path, **env: str) -> dict:
    """Run settings.py afresh with these environment variables (the process's settings stay)."""
    monkeypatch.setenv("GRIDGOV_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.mark.parametrize(
    "name, value",
    [
        ("GRIDGOV_UPLOAD_MAX_BYTES", "abc"),
        ("GRIDGOV_PHOTO_MAX_SIDE", "1600px"),
        ("GRIDGOV_GEOMETRY_TOLERANCE", "a little"),
        ("GRIDGOV_LOCATE_REFRESH_SECONDS", "-1"),
        ("GRIDGOV_HTTPS", "maybe"),
        ("GRIDGOV_HSTS_SECONDS", "one year"),
        ("GRIDGOV_LOGIN_FAILURE_LIMIT", "0"),
        ("GRIDGOV_LOGIN_COOLOFF_MINUTES", "15m"),
        ("GRIDGOV_API_TOKEN_DAYS", "thirty"),
        ("GRIDGOV_DUPLICATE_METERS", "far"),
        ("GRIDGOV_DUPLICATE_HOURS", "day"),
        ("EMAIL_PORT", "smtp"),
        ("EMAIL_USE_TLS", "sure"),
        ("LOG_LEVEL", "loud"),
        ("PORT", "http"),
        ("WEB_CONCURRENCY", "0"),
        ("DEBUG", "verbose"),
    ],
)
def test_a_bad_value_stops_the_settings_naming_the_variable(monkeypatch, tmp_path, name, value):
    with pytest.raises(ValueError, match=name):
        load_settings(monkeypatch, tmp_path, **{name: value})


def test_tls_and_ssl_for_email_are_exclusive(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="EMAIL_USE_TLS and EMAIL_USE_SSL"):
        load_settings(monkeypatch, tmp_path, EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")


def setup_django(tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
            "GRIDGOV_DATA_DIR": str(tmp_path),
            **env,
        },
    )


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("GRIDGOV_UPLOAD_MAX_BYTES", "abc", "must be a whole number"),
        ("GRIDGOV_WORK_HOURS", "9-5:30", "is not a period"),
        ("GRIDGOV_NOTIFY_CHANNELS", "log,nowhere.Channel", "no channel 'nowhere.Channel'"),
    ],
)
def test_the_process_does_not_start_with_a_bad_value(tmp_path, name, value, message):
    result = setup_django(tmp_path, **{name: value})
    assert result.returncode != 0
    assert name in result.stderr and message in result.stderr, result.stderr[-2000:]


def test_settings_read_every_variable_through_the_config_helpers():
    """No `int(...)`/`float(...)` around a raw string, no os.environ outside gridgov.config."""
    text = SETTINGS.read_text()
    assert not re.search(r"\b(int|float)\(config\.", text)
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "config.py" or "migrations" in path.parts:
            continue
        for line in path.read_text().splitlines():
            if re.search(r"os\.environ(\.get|\[)|os\.getenv", line):
                offenders.append(f"{path.relative_to(SRC)}: {line.strip()}")
    assert offenders == []


def test_email_comes_from_the_environment(monkeypatch, tmp_path):
    plain = load_settings(monkeypatch, tmp_path)
    assert plain["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    smtp = load_settings(
        monkeypatch,
        tmp_path,
        EMAIL_HOST="smtp.example.gov.cn",
        EMAIL_PORT="465",
        EMAIL_HOST_USER="gridgov",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_SSL="1",
        DEFAULT_FROM_EMAIL="一网统管 <gridgov@example.gov.cn>",
    )
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_SSL"]) == (
        "smtp.example.gov.cn",
        465,
        True,
    )
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("gridgov", "s3cret")
    assert smtp["DEFAULT_FROM_EMAIL"] == "一网统管 <gridgov@example.gov.cn>"


# --- HTTPS ---------------------------------------------------------------------------------


def test_https_mode_turns_on_the_secure_settings(monkeypatch, tmp_path):
    plain = load_settings(monkeypatch, tmp_path)
    assert "SECURE_SSL_REDIRECT" not in plain and "SECURE_PROXY_SSL_HEADER" not in plain
    https = load_settings(
        monkeypatch, tmp_path, GRIDGOV_HTTPS="1", GRIDGOV_PROXY_SSL_HEADER="X-Forwarded-Proto"
    )
    assert https["SESSION_COOKIE_SECURE"] and https["CSRF_COOKIE_SECURE"]
    assert https["SECURE_SSL_REDIRECT"] and https["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]
    assert https["SECURE_HSTS_SECONDS"] == 31_536_000
    assert https["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert https["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    tuned = load_settings(
        monkeypatch, tmp_path, GRIDGOV_HSTS_SECONDS="3600", GRIDGOV_SSL_REDIRECT="0"
    )
    assert tuned["SECURE_HSTS_SECONDS"] == 3600 and tuned["SECURE_SSL_REDIRECT"] is False


def check_deploy(tmp_path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gridgov.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "GRIDGOV_DATA_DIR": str(tmp_path),
            "SECRET_KEY": secrets.token_urlsafe(60),
            "DEBUG": "0",
            **env,
        },
    )


def test_check_deploy_is_clean_in_https_mode(tmp_path):
    result = check_deploy(tmp_path, GRIDGOV_HTTPS="1", GRIDGOV_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_without_https(tmp_path):
    result = check_deploy(tmp_path)
    assert result.returncode != 0
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in result.stderr


@pytest.mark.django_db
def test_https_requests_are_redirected_but_not_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/login/").status_code == 301
    assert client.get("/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/healthz").status_code == 200


# --- Content-Security-Policy ---------------------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.django_db
def test_pages_and_api_send_the_content_security_policy(client, users):
    for url in ["/login/", "/report/", "/api/v1/docs"]:
        response = client.get(url)
        policy = csp_directives(response["Content-Security-Policy"])
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["img-src"] == ["'self'", "data:", "blob:"], url
        assert policy["connect-src"] == ["'self'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["form-action"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"], url


def template_files() -> list[Path]:
    return sorted(SRC.rglob("templates/**/*.html"))


def test_no_template_has_inline_script_event_handlers_or_style_attributes():
    assert len(template_files()) > 20
    problems = []
    for path in template_files():
        text = path.read_text()
        name = str(path.relative_to(SRC))
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            if "src=" not in tag and 'type="application/json"' not in tag:
                problems.append(f"{name}: inline script {tag}")
        for attr in re.findall(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE):
            problems.append(f"{name}: event handler attribute{attr}")
        if re.search(r"\sstyle\s*=", text, flags=re.IGNORECASE):
            problems.append(f"{name}: style attribute")
        if re.search(r"<style\b", text, flags=re.IGNORECASE):
            problems.append(f"{name}: <style> element")
        if re.search(r"javascript:", text, flags=re.IGNORECASE):
            problems.append(f"{name}: javascript: URL")
    assert problems == []


def test_our_scripts_write_no_style_attributes_or_eval():
    scripts = [p for p in SRC.rglob("static/**/*.js") if "vendor" not in p.parts]
    assert len(scripts) >= 8
    problems = []
    for path in scripts:
        text = path.read_text()
        for pattern in [r"style=", r"setAttribute\(\s*[\"']style", r"\beval\(", r"new Function"]:
            if re.search(pattern, text):
                problems.append(f"{path.relative_to(SRC)}: {pattern}")
    assert problems == []


def test_the_aqi_colour_classes_match_the_standard():
    from gridgov.air.aqi import LEVELS

    css = (SRC / "web/static/web/app.css").read_text()
    for level in LEVELS:
        assert re.search(rf"\.aqi-{level.number} {{ background: {level.hex}; }}", css), level


@pytest.mark.django_db
def test_phone_texts_reach_the_script_as_json_data(client, crew):
    client.login(username="g1_worker", password="correct horse battery")
    page = client.get("/orders/m/report/").content.decode()
    block = re.search(r'<script id="phone-text" type="application/json">(.*?)</script>', page)
    assert block is not None
    import json

    texts = json.loads(block.group(1))
    assert texts["located"] == "已定位" and set(texts) >= {"pending", "sending", "nolocation"}


def test_no_merge_conflict_markers_are_left_in_the_tree():
    """A merge once committed conflict markers into two stylesheets; browsers then dropped the
    rules beside them. Nothing in the project may hold a marker line."""
    root = SRC.parent.parent
    markers = ("<<<<<<< ", ">>>>>>> ", "=======\n")
    found = []
    for folder in ("src", "tests", "scripts", "bench", "docs"):
        for path in (root / folder).rglob("*"):
            if path.suffix in {".mo", ".png", ".ttf", ".pyc"} or not path.is_file():
                continue
            if "vendor" in path.parts or "__pycache__" in path.parts:
                continue
            try:
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            except (UnicodeDecodeError, OSError):
                continue
            found += [f"{path}:{i}" for i, line in enumerate(lines, 1) if line.startswith(markers)]
    assert not found, found
