"""`coachdossier bench`: seed a scratch database at scale and measure (see coachdossier/bench.py
and docs/performance.md). The real database is never touched: the measuring runs in a child
process whose DATABASE_URL points at a scratch SQLite file (or, with --postgres, at the
PostgreSQL database given in BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
coachdossier_bench, which is dropped and created)."""

import base64
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.core.management.base import BaseCommand

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/coachdossier_bench"


class Command(BaseCommand):
    help = "Seed a scratch database (5,000 clients, 100,000 entries, 1,000,000 access-log entries) and measure."

    def add_arguments(self, parser):
        parser.add_argument("--postgres", action="store_true", help="use PostgreSQL (BENCH_DATABASE_URL)")
        parser.add_argument("--clients", type=int, default=5000)
        parser.add_argument("--entries", type=int, default=100_000)
        parser.add_argument("--log-entries", type=int, default=1_000_000)
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--requests", type=int, default=20, help="requests per variant per round")
        parser.add_argument("--no-gunicorn", action="store_true")
        parser.add_argument("--inner", action="store_true", help=argparse_suppress())
        parser.add_argument("--measure", nargs=3, metavar=("COACH", "DOSSIER", "TWIN"), help=argparse_suppress())

    def handle(self, *args, **o):
        if o["measure"]:
            from coachdossier import bench

            coach, featured_url, twin_url = o["measure"]
            bench.measure(self.stdout, coach_pk=int(coach), featured_url=featured_url, twin_url=twin_url,
                          rounds=o["rounds"], per_round=o["requests"], gunicorn=not o["no_gunicorn"])
            return
        if o["inner"]:
            from coachdossier import bench

            bench.run(self.stdout, clients=o["clients"], entries=o["entries"], log_entries=o["log_entries"],
                      rounds=o["rounds"], per_round=o["requests"], gunicorn=not o["no_gunicorn"])
            return
        scratch = tempfile.mkdtemp(prefix="coachdossier-bench-")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update({
            "DJANGO_SETTINGS_MODULE": "coachdossier.settings",
            # Production settings (no debug cursor, persistent connections), plain HTTP on loopback.
            "DEBUG": "false", "SECURE_SSL_REDIRECT": "false", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "COACHDOSSIER_MASTER_KEYS": settings.MASTER_KEYS,
            "COACHDOSSIER_SEARCH_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "COACHDOSSIER_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "ATTACHMENTS_DIR": os.path.join(scratch, "attachments"), "EMAIL_BACKEND":
                "django.core.mail.backends.locmem.EmailBackend",
        })
        if o["postgres"]:
            url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
            _recreate_postgres(url)
            _recreate_postgres(url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1] + "_keys")
            env["DATABASE_URL"] = url
            env.pop("KEYS_DATABASE_URL", None)
        else:
            env["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
            env["KEYS_DATABASE_URL"] = f"sqlite:///{scratch}/bench-keys.sqlite3"
        command = [sys.executable, "-m", "coachdossier", "bench", "--inner", "--clients", str(o["clients"]),
                   "--entries", str(o["entries"]), "--log-entries", str(o["log_entries"]), "--rounds",
                   str(o["rounds"]), "--requests", str(o["requests"])]
        if o["no_gunicorn"]:
            command.append("--no-gunicorn")
        started = time.perf_counter()
        try:
            result = subprocess.run(command, env=env, cwd=settings.BASE_DIR)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        self.stdout.write(f"bench finished in {time.perf_counter() - started:.0f} s")
        if result.returncode:
            raise SystemExit(result.returncode)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def _recreate_postgres(url):
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
