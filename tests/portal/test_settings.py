"""Production settings: refuse to start without a secret, pass the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    environment |= {"DJANGO_SETTINGS_MODULE": "portal.settings.production", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    """No SECRET_KEY, no start."""
    result = run_manage("check", ALLOWED_HOSTS="portal.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_check_deploy_without_warnings():
    """`check --deploy` is silent with production settings."""
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "prod-secret-key-with-enough-entropy-1234567890",
        ALLOWED_HOSTS="portal.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_requires_a_second_factor_of_officers_and_admins():
    """TWO_FACTOR_REQUIRED is on in production unless the environment says no."""
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED)",
        SECRET_KEY="x" * 20 + "prod-secret-key-with-enough-entropy-1234567890",
        ALLOWED_HOSTS="portal.example",
    )
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
