"""The browser tests against gunicorn with production settings (DEBUG=false), instead of
Django's live server thread: `COACHDOSSIER_BROWSER_SERVER=gunicorn pytest -m browser` on
PostgreSQL (the gunicorn workers are other processes, so they need the test databases on a
server; SQLite's test databases live in the test process's memory).

The server is the production stack: gunicorn, whitenoise with the compressed manifest storage
(collectstatic into a scratch directory once per session), Argon2 first, the SMTP mail
backend, DEBUG=false. Its mail goes to an SMTP server in the test process (aiosmtpd) that
puts each message into `django.core.mail.outbox`, where the tests read it as usual.
Plain http on loopback: SECURE_SSL_REDIRECT=false (Chromium keeps Secure cookies for
http://127.0.0.1, which it counts as a secure context)."""

import base64
import email
import email.header
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def wanted() -> bool:
    return os.getenv("COACHDOSSIER_BROWSER_SERVER", "") == "gunicorn"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _url(alias: str) -> str:
    from django.db import connections

    cfg = connections[alias].settings_dict
    auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg.get("PASSWORD") else "")
    return f"postgres://{auth}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}"


def base_env(static_root: Path) -> dict:
    from django.conf import settings

    from coachdossier.privacy import signing

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "coachdossier.tests.production_settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": _url("default"),
        "KEYS_DATABASE_URL": _url("keys"),
        # The test process's keys: both sides seal and open the same data.
        "COACHDOSSIER_MASTER_KEYS": settings.MASTER_KEYS,
        "COACHDOSSIER_SEARCH_KEY": settings.SEARCH_INDEX_KEY,
        "COACHDOSSIER_SIGNING_KEY": base64.b64encode(signing._seed()).decode(),
        "ATTACHMENTS_DIR": str(settings.STORAGES["default"]["OPTIONS"]["location"]),
        "STATIC_ROOT": str(static_root),
    })
    return env


def collectstatic(static_root: Path) -> None:
    env = {**base_env(static_root), "COACHDOSSIER_TEST_LANGUAGE": "en"}
    done = subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise RuntimeError(f"collectstatic for the production server failed:\n{done.stderr}")


class _Outbox:
    """aiosmtpd handler: every message the server sends lands in django.core.mail.outbox."""

    async def handle_DATA(self, server, session, envelope):
        from django.core import mail

        message = email.message_from_bytes(envelope.content)
        part = next((p for p in message.walk() if p.get_content_type() == "text/plain"), message)
        body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        mail.outbox.append(mail.EmailMessage(subject=str(email.header.make_header(email.header.decode_header(
            message["Subject"] or ""))), body=body, from_email=envelope.mail_from, to=list(envelope.rcpt_tos)))
        return "250 OK"


@contextmanager
def running(static_root: Path, language: str):
    """gunicorn on a free loopback port; yields its base URL."""
    from aiosmtpd.controller import Controller

    smtp = Controller(_Outbox(), hostname="127.0.0.1", port=_free_port())
    smtp.start()
    port = _free_port()
    env = {**base_env(static_root), "COACHDOSSIER_TEST_LANGUAGE": language,
           "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(smtp.port), "EMAIL_USE_TLS": "false"}
    log = tempfile.NamedTemporaryFile(prefix="coachdossier-gunicorn-", suffix=".log", delete=False)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "coachdossier.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--timeout", "60", "--no-control-socket"],
                              cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{Path(log.name).read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not listen within 60 s") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        smtp.stop()
        log.close()
        os.unlink(log.name)


def end_other_sessions() -> None:
    """At the end of the session, end every other session on the test databases: the last
    workers' (which end a moment after the processes do) and the ones the test bodies opened
    inside Playwright's greenlet, whose context has a Django connection of its own that
    nothing closes (ending it during the session would break the next test that reuses it).
    Otherwise the test databases cannot be dropped."""
    from django.db import connections

    for alias in ("default", "keys"):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")


class _Unchanged:
    """pytest-django's live-server helper enables and disables this around each test."""

    def enable(self):
        pass

    def disable(self):
        pass


class LazyServer:
    """What the tests get as `live_server`. gunicorn starts on the first `.url`, so that it
    speaks the language the test set up to then (test_browser.py sets the Dutch default in
    its body)."""

    _live_server_modified_settings = _Unchanged()

    def __init__(self, static_root: Path):
        from contextlib import ExitStack

        self.static_root, self._stack, self._url = static_root, ExitStack(), None

    @property
    def url(self) -> str:
        if self._url is None:
            from django.conf import settings

            self._url = self._stack.enter_context(running(self.static_root, settings.LANGUAGE_CODE))
        assert self._url is not None
        return self._url

    def __str__(self) -> str:
        return self.url

    def close(self) -> None:
        self._stack.close()
