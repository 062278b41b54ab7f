"""Configuration from the environment (PRESSGATE_*), with safe defaults for development."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENVIRONMENTS = ("development", "production", "testing")


def _secret_key(instance_path: Path, env: str) -> str:
    key = os.environ.get("PRESSGATE_SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise RuntimeError("PRESSGATE_SECRET_KEY must be set in production.")
    # Development: a random key kept in the instance folder, so sessions survive restarts.
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _base_url(env: str) -> str:
    url = os.environ.get("PRESSGATE_BASE_URL")
    if url:
        return url.rstrip("/")
    if env == "production":
        # Every released copy carries this address and its QR code, for good: a wrong one cannot be recalled.
        raise RuntimeError("PRESSGATE_BASE_URL must be set in production: it is printed on every released copy.")
    return "http://127.0.0.1:5000"


def from_environment(instance_path: Path) -> dict:
    """Build the Flask config from PRESSGATE_* variables."""
    env = os.environ.get("PRESSGATE_ENV", "development")
    if env not in ENVIRONMENTS:
        raise RuntimeError(f"PRESSGATE_ENV must be one of {', '.join(ENVIRONMENTS)}.")
    database_url = os.environ.get("PRESSGATE_DATABASE_URL") or f"sqlite:///{instance_path / 'pressgate.db'}"
    return {
        "PRESSGATE_ENV": env,
        "SECRET_KEY": _secret_key(instance_path, env),
        "DATABASE_URL": database_url,
        "TOKEN_TTL_HOURS": int(os.environ.get("PRESSGATE_TOKEN_TTL_HOURS", "12")),
        # Sign-in attempts (auth/throttle.py, docs/login-throttling.md): per username and address, per
        # address, and the per-account ceiling past which only the account's known addresses may try.
        "SIGN_IN_LIMIT": os.environ.get("PRESSGATE_SIGN_IN_LIMIT", "5 per 15 minutes"),
        "SIGN_IN_ADDRESS_LIMIT": os.environ.get("PRESSGATE_SIGN_IN_ADDRESS_LIMIT", "15 per 15 minutes"),
        "SIGN_IN_ACCOUNT_LIMIT": os.environ.get("PRESSGATE_SIGN_IN_ACCOUNT_LIMIT", "100 per hour"),
        # How many reverse proxies in front of the server set X-Forwarded-For (0: clients connect directly).
        "TRUSTED_PROXIES": int(os.environ.get("PRESSGATE_TRUSTED_PROXIES", "0")),
        # The ledger's signing key lives outside the database (and, in production, outside its backups).
        "LEDGER_KEY": os.environ.get("PRESSGATE_LEDGER_KEY") or str(instance_path / "ledger-key.pem"),
        # The public key checkpoints and bundles are checked against, pinned (an auditor's machine has no
        # signing key); without it, the signing key's public half beside PRESSGATE_LEDGER_KEY.
        "LEDGER_PUBLIC_KEY": os.environ.get("PRESSGATE_LEDGER_PUBLIC_KEY") or None,
        "CHECKPOINT_DIR": os.environ.get("PRESSGATE_CHECKPOINT_DIR") or str(instance_path / "checkpoints"),
        # The name a checkpoint's signed note gives the ledger (C2SP tlog-checkpoint's origin line).
        "LEDGER_ORIGIN": os.environ.get("PRESSGATE_LEDGER_ORIGIN") or "pressgate/ledger",
        # PostgreSQL: seal ledger entries after commit ("background") or inside the writing transaction
        # ("inline", one decision at a time); how often each process sweeps for entries left unsealed.
        "LEDGER_SEALING": os.environ.get("PRESSGATE_LEDGER_SEALING", "background"),
        "SEAL_SWEEP_SECONDS": float(os.environ.get("PRESSGATE_SEAL_SWEEP_SECONDS", "1")),
        # Bytes a request body may hold, answered 413 beyond. The largest anyone sends is a statement or a
        # disclosure of 100,000 characters: 600 KB as JSON with every character escaped, 900 KB as a form.
        "MAX_CONTENT_LENGTH": int(os.environ.get("PRESSGATE_MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        # The worker's queue (statements/jobs.py): a SQLite file in the instance folder unless a redis:// URL.
        "QUEUE_URL": os.environ.get("PRESSGATE_QUEUE_URL") or None,
        "QUEUE_NAME": os.environ.get("PRESSGATE_QUEUE_NAME") or "pressgate",
        # Email of notifications: none is sent without a mail server (they stay in the app).
        "SMTP_HOST": os.environ.get("PRESSGATE_SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("PRESSGATE_SMTP_PORT") or "25"),
        "SMTP_USERNAME": os.environ.get("PRESSGATE_SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("PRESSGATE_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": os.environ.get("PRESSGATE_SMTP_STARTTLS", "") not in ("", "0", "false"),
        "MAIL_FROM": os.environ.get("PRESSGATE_MAIL_FROM") or "PressGate <pressgate@localhost>",
        # The address people open PressGate at, for the links in emails.
        "BASE_URL": _base_url(env),
        # Whom the public verification page tells to call when a text was not issued by the authority
        # (unset: the Ministry of Health's hotline, named in the reader's language).
        "PRESS_CONTACT": os.environ.get("PRESSGATE_PRESS_CONTACT") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
    }
