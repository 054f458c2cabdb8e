"""Load test: gunicorn with production settings (DEBUG=false) on loopback, a seeded practice,
locust headless with 50 users, then the checks: zero failed requests, no "database is
locked" (or any traceback) in the server log, the access log verifies, and it holds exactly
one entry per logged read (dossiers, entries, downloads). Prints p50/p95 per page and, with
--record, appends them to docs/performance.md. Run through `script/loadtest`.
"""

import argparse
import base64
import csv
import datetime
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_seed(out: str, coaches: int, per_coach: int, portal_clients: int):
    """Runs inside the scratch environment: the practice, sessions and API tokens."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachdossier.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from coachdossier.accounts import actions as account_actions
    from coachdossier.accounts.confidentiality import CURRENT_VERSION
    from coachdossier.accounts.models import Role
    from coachdossier.clients import actions
    from coachdossier.clients.management.commands.demo import DEMO_PDF
    from coachdossier.clients.models import EntryKind, PrincipalKind
    from coachdossier.test import make_client, make_user

    now = timezone.now()

    def session_for(user):
        store = SessionStore()
        store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["gate_passed"] = CURRENT_VERSION  # MFA and the statement were passed at login
        store["auth_started"] = store["last_seen"] = time.time()
        store.create()
        return store.session_key

    def token_for(user):
        return account_actions.create_api_token(actor=user, name="load test", now=now)[1]

    management = make_user("mia@load.invalid", "Mia Directie", Role.MANAGEMENT)
    principal = actions.create_principal(actor=management, name="Werkgever BV", kind=PrincipalKind.EMPLOYER,
                                         contact_email="hr@load.invalid")
    seed = {"today": now.date().isoformat(), "coaches": [], "clients": [], "tokens": [],
            "management": [{"session": session_for(management)} for _ in range(5)]}
    seed["tokens"].append({"role": "management", "token": token_for(management)})
    portal_left = portal_clients
    for c in range(coaches):
        coach = make_user(f"coach{c}@load.invalid", f"Coach {c}", Role.COACH)
        mine = []
        for i in range(per_coach):
            user = None
            if portal_left:
                user = make_user(f"client{c}-{i}@load.invalid", f"Klant {c}-{i}", Role.CLIENT)
                portal_left -= 1
            client = make_client(actor=management, coach=coach, principal=principal, first=f"Klant{c}x{i}",
                                 last="Belasting", user=user, now=now)
            entries = [actions.add_entry(actor=coach, client=client, kind=EntryKind.NOTE, occurred_on=now.date(),
                                         title=f"Gesprek {n}", text="Verloop van het gesprek en afspraken.", now=now,
                                         files=[SimpleUploadedFile("verslag.pdf", DEMO_PDF)] if n == 0 else [])
                       for n in range(3)]
            item = {"id": str(client.public_id), "entries": [str(e.public_id) for e in entries],
                    "attachment": str(entries[0].attachments.get().public_id)}
            mine.append(item)
            if user is not None:
                seed["clients"].append({"session": session_for(user), "attachment": item["attachment"]})
                if len(seed["tokens"]) < 8 and i % 2:
                    seed["tokens"].append({"role": "client", "token": token_for(user)})
        seed["coaches"].append({"session": session_for(coach), "clients": mine})
        if c < 3:
            seed["tokens"].append({"role": "coach", "token": token_for(coach),
                                   "clients": [m["id"] for m in mine]})
    Path(out).write_text(json.dumps(seed))
    Path(out).with_name("upload.pdf").write_bytes(DEMO_PDF)


def percentile_table(stats_csv: Path) -> list[dict]:
    rows = []
    with stats_csv.open() as fh:
        for row in csv.DictReader(fh):
            rows.append({"name": row["Name"], "count": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                         "p50": row["50%"], "p95": row["95%"], "rps": float(row["Requests/s"])})
    return rows


class Target:
    def __init__(self, kind: str, directory: Path, name: str = ""):
        self.kind, self.dir = kind, directory
        keys = f"load1:{base64.b64encode(secrets.token_bytes(32)).decode()}"
        self.env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
                    "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "false",
                    "COACHDOSSIER_MASTER_KEYS": keys, "COACHDOSSIER_SEARCH_KEY": secrets.token_urlsafe(32),
                    "COACHDOSSIER_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
                    "COACHDOSSIER_STATE_DIR": str(directory), "ATTACHMENTS_DIR": str(directory / "attachments"),
                    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                    "SITE_URL": "http://127.0.0.1"}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        if kind == "sqlite":
            self.env["DATABASE_URL"] = f"sqlite:///{directory / 'main.sqlite3'}"
            self.env["KEYS_DATABASE_URL"] = f"sqlite:///{directory / 'keys.sqlite3'}"
        else:
            name = name or f"coachdossier_load_{os.getpid()}"
            self.pg_names = [name, f"{name}_keys"]
            for db in self.pg_names:
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {db}"],
                               check=True, capture_output=True)
            self.env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
            # Named, not left to the default: a KEYS_DATABASE_URL inherited from the caller's
            # environment (CI's PostgreSQL pass sets one) must never be the scratch key store.
            self.env["KEYS_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}_keys"

    def manage(self, *args):
        done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def access_log(self, sql: str):
        if self.kind == "sqlite":
            with sqlite3.connect(self.dir / "main.sqlite3") as db:
                return db.execute(sql).fetchall()
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", self.pg_names[0], "-AtF", "\t",
                              "-c", sql], check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def drop(self):
        if self.kind == "postgres":
            for db in self.pg_names:
                subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"],
                               capture_output=True)


def postgres_reachable() -> bool:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "SELECT 1"],
                          capture_output=True).returncode == 0


def run_one(kind: str, args) -> dict:
    directory = Path(tempfile.mkdtemp(prefix=f"coachdossier-load-{kind}-"))
    target = Target(kind, directory)
    try:
        print(f"==> {kind}: migrate, collectstatic, seed", flush=True)
        target.manage("migrate", "--noinput")
        target.manage("collectstatic", "--noinput")
        seed_file = directory / "seed.json"
        seeded = subprocess.run([sys.executable, __file__, "--child-seed", str(seed_file)], env=target.env, cwd=ROOT,
                                capture_output=True, text=True)
        if seeded.returncode:
            raise SystemExit(f"seeding failed:\n{seeded.stderr}")
        pdf = directory / "upload.pdf"
        start_seq = int(target.access_log("SELECT COALESCE(MAX(seq), 0) FROM audit_accesslogentry")[0][0])

        if not args.port:
            args.port = _free_port()
        server_log = directory / "gunicorn.log"
        print(f"==> {kind}: gunicorn with {args.workers} workers on 127.0.0.1:{args.port}", flush=True)
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "coachdossier.wsgi", "-b",
                                   f"127.0.0.1:{args.port}", "-w", str(args.workers), "--timeout", "60",
                                   "--error-logfile", str(server_log), "--capture-output",
                                   "--access-logfile", str(directory / "access.log")],
                                  env=target.env, cwd=ROOT)
        _wait_until_up(args.port, server)
        print(f"==> {kind}: locust, {args.users} users for {args.seconds} s", flush=True)
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "script" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(max(1, args.users // 5)), "-t", f"{args.seconds}s",
             "--host", f"http://127.0.0.1:{args.port}", "--csv", str(directory / "stats"), "--only-summary",
             "--exit-code-on-error", "0", "--stop-timeout", "30"],
            env={**target.env, "LOADTEST_SEED": str(seed_file), "LOADTEST_PDF": str(pdf)}, cwd=ROOT,
            capture_output=True, text=True)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        if locust.returncode:
            raise SystemExit(f"locust failed:\n{locust.stderr[-3000:]}")

        rows = percentile_table(directory / "stats_stats.csv")
        log_text = server_log.read_text()
        verify = subprocess.run([sys.executable, str(ROOT / "manage.py"), "verify_access_log"], env=target.env,
                                cwd=ROOT, capture_output=True, text=True)
        counts = dict((a, int(n)) for a, n in target.access_log(
            f"SELECT action, COUNT(*) FROM audit_accesslogentry WHERE seq > {start_seq} AND outcome = 'allowed' "
            f"GROUP BY action"))
        # What the server answered (its own access log: requests locust cut off at the end count too).
        expected = _answered(directory / "access.log")
        logged = {action: counts.get(action, 0) for action in expected}
        total = next((r for r in rows if r["name"] == "Aggregated"), None)
        return {
            "database": kind, "users": args.users, "seconds": args.seconds, "workers": args.workers,
            "rows": rows, "requests": total["count"] if total else 0, "failures": total["failures"] if total else 0,
            "locked": log_text.count("database is locked"), "tracebacks": log_text.count("Traceback"),
            "access_log_verifies": verify.returncode == 0, "verify_output": verify.stdout.strip(),
            "expected_entries": expected, "logged_entries": logged,
        }
    finally:
        target.drop()
        if not args.keep:
            import shutil

            shutil.rmtree(directory, ignore_errors=True)


ID = "[0-9a-f-]{36}"
ANSWERS = {  # access-log action: requests that must each have logged one entry
    "dossier.read": [rf"GET /clients/{ID}/ \S+\" 200", r"GET /portal/dossier/ \S+\" 200"],
    "entry.read": [rf"GET /clients/{ID}/entries/{ID}/ \S+\" 200"],
    "attachment.download": [rf"GET /clients/{ID}/attachments/{ID}/ \S+\" 200",
                            rf"GET /portal/dossier/attachments/{ID}/ \S+\" 200"],
    "entry.create": [rf"POST /clients/{ID}/entries/new/ \S+\" 302"],
}


def _answered(access_log: Path) -> dict:
    import re

    text = access_log.read_text()
    return {action: sum(len(re.findall(p, text)) for p in patterns) for action, patterns in ANSWERS.items()}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, server: subprocess.Popen):
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not come up")


def report(result: dict) -> str:
    passed = (result["failures"] == 0 and result["locked"] == 0 and result["tracebacks"] == 0
              and result["access_log_verifies"] and result["expected_entries"] == result["logged_entries"])
    lines = [
        f"#### {result['database']}: {result['users']} users, {result['seconds']} s, gunicorn {result['workers']} "
        f"sync workers — {'PASS' if passed else 'FAIL'}",
        "",
        f"{result['requests']} requests, {result['failures']} failed; \"database is locked\": {result['locked']}; "
        f"tracebacks in the server log: {result['tracebacks']}; access log: {result['verify_output'] or 'not verified'}.",
        f"Access-log entries for the run's reads (allowed): {result['logged_entries']}; "
        f"successful requests that must each log one: {result['expected_entries']}.",
        "",
        "| page | requests | failed | p50 ms | p95 ms | req/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        lines.append(f"| {row['name']} | {row['count']} | {row['failures']} | {row['p50']} | {row['p95']} | "
                     f"{row['rps']:.1f} |")
    return "\n".join(lines) + "\n", passed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="duration (default 60 s, a smoke run)")
    parser.add_argument("--minutes", type=float, help="duration in minutes (the full run: --minutes 10)")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both",
                        help="both: SQLite, and PostgreSQL when it is reachable on 127.0.0.1:5432")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--record", action="store_true", help="append the figures to docs/performance.md")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--child-seed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_seed:
        return child_seed(args.child_seed, coaches=10, per_coach=10, portal_clients=30)
    if args.minutes:
        args.seconds = int(args.minutes * 60)
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    if "postgres" in kinds and not postgres_reachable():
        print("==> PostgreSQL is not reachable on 127.0.0.1:5432: skipped")
        kinds.remove("postgres")
    sections, all_passed, port = [], True, args.port
    for kind in kinds:
        args.port = port
        text, passed = report(run_one(kind, args))
        print(text)
        sections.append(text)
        all_passed &= passed
    if args.record:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        with (ROOT / "docs" / "performance.md").open("a") as fh:
            fh.write(f"\n### Load test, {stamp} (`script/loadtest {' '.join(sys.argv[1:])}`)\n\n"
                     + "\n".join(sections))
    sys.exit(0 if all_passed else 1)


if __name__ == "__main__":
    main()
