"""SIGKILL at random moments of a writing workload and of the daily job, on a scratch SQLite
database, then check what must survive. Run it through `script/crashtest` (see
docs/reliability.md); `coachdossier/tests/test_crashes.py` runs a few kills in the suite.

    1. seed: a coach, clients with open trajectories (written to) and clients whose
       trajectories closed long ago (destroyed by run_daily), entries with attachments.
    2. N rounds, alternating: a child adds dossier entries with an attachment through
       clients.actions.add_entry and prints ACK <id> after each commit; or a child runs
       `run_daily` (retention notices, then destruction). Each is killed with SIGKILL at a
       random moment of its work. After every kill: PRAGMA integrity_check on both databases.
    3. Afterwards: every acknowledged entry exists with its attachment; run_daily runs to the
       end; the files on disk are exactly the attachments in the database; the access log
       verifies; and a second run_daily changes nothing the first one did.
"""

import argparse
import datetime
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)
NOTICE_DAY = T0 + datetime.timedelta(days=5 * 365 - 10)  # inside the 30-day notice window
DESTROY_DAY = T0 + datetime.timedelta(days=5 * 365 + 60)  # notice period over: destruction


# --- Children (run inside the scratch environment) ------------------------------------------


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachdossier.settings")
    import django

    django.setup()


def child_seed(closed: int, live: int):
    _django()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from coachdossier.accounts.models import Role
    from coachdossier.clients import actions
    from coachdossier.clients.management.commands.demo import DEMO_PDF
    from coachdossier.clients.models import EntryKind, PrincipalKind
    from coachdossier.test import make_client, make_user

    management = make_user("mia@crash.invalid", "Mia Directie", Role.MANAGEMENT)
    coach = make_user("alice@crash.invalid", "Alice Coach", Role.COACH)
    principal = actions.create_principal(actor=management, name="Werkgever BV", kind=PrincipalKind.EMPLOYER,
                                         contact_email="hr@crash.invalid")
    refs = []
    for i in range(closed + live):
        client = make_client(actor=management, coach=coach, principal=principal, first=f"Klant{i}", last="Test",
                             now=T0)
        for n in range(2):
            actions.add_entry(actor=coach, client=client, kind=EntryKind.NOTE, occurred_on=T0.date(),
                              title=f"Gesprek {n}", text="Verloop van het gesprek.", now=T0,
                              files=[SimpleUploadedFile(f"bijlage-{n}.pdf", DEMO_PDF)])
        if i < closed:
            actions.close_trajectory(actor=management, trajectory=client.current_trajectory, now=T0)
        else:
            refs.append(str(client.public_id))
    print(json.dumps({"live": refs}), flush=True)


def child_write(refs: list[str]):
    _django()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from coachdossier.accounts.models import User
    from coachdossier.clients import actions
    from coachdossier.clients.management.commands.demo import DEMO_PDF
    from coachdossier.clients.models import Client, EntryKind

    coach = User.objects.get(email="alice@crash.invalid")
    clients = list(Client.objects.filter(public_id__in=refs))
    print("READY", flush=True)
    n = 0
    while True:
        n += 1
        now = timezone.now()
        entry = actions.add_entry(actor=coach, client=random.choice(clients), kind=EntryKind.NOTE,
                                  occurred_on=now.date(), title=f"Notitie {n}", text="Korte notitie.", now=now,
                                  files=[SimpleUploadedFile("scan.pdf", DEMO_PDF + os.urandom(random.randint(0, 4096)))])
        print(f"ACK {entry.public_id}", flush=True)  # after the commit: acknowledged


# --- The harness ----------------------------------------------------------------------------


class Scratch:
    def __init__(self, directory: Path, python: str):
        self.dir, self.python = directory, python
        self.env = {**os.environ, "COACHDOSSIER_STATE_DIR": str(directory), "DEBUG": "true",
                    "DATABASE_URL": f"sqlite:///{directory / 'main.sqlite3'}",
                    "KEYS_DATABASE_URL": f"sqlite:///{directory / 'keys.sqlite3'}",
                    "ATTACHMENTS_DIR": str(directory / "attachments"),
                    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "PYTHONUNBUFFERED": "1"}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)

    def manage(self, *args, check=True) -> subprocess.CompletedProcess:
        done = subprocess.run([self.python, str(ROOT / "manage.py"), *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True)
        if check and done.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def child(self, *args) -> subprocess.Popen:
        return subprocess.Popen([self.python, __file__, "--child", *args], env=self.env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def daily(self, now: datetime.datetime) -> subprocess.Popen:
        # --rerun: the storm alternates the notice day and the later destruction day on purpose.
        return subprocess.Popen([self.python, str(ROOT / "manage.py"), "run_daily", "--now", now.isoformat(), "--rerun"],
                                env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def postgres(self) -> bool:
        return self.env["DATABASE_URL"].startswith("postgres")

    def _pg_urls(self) -> list[str]:
        main = self.env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        keys = self.env.get("KEYS_DATABASE_URL") or f"{main}_keys"
        return [main, keys.replace("postgres://", "postgresql://", 1)]

    def integrity(self) -> bool:
        """SQLite: PRAGMA integrity_check on both files. PostgreSQL (whose server the kills
        never touch): amcheck over every B-tree index of both databases, each index checked
        against its table's rows, so a row without its index entry or the reverse is found."""
        if self.postgres:
            import psycopg

            for url in self._pg_urls():
                with psycopg.connect(url, autocommit=True) as db:
                    db.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
                    try:
                        db.execute("SELECT bt_index_check(i.indexrelid, true) FROM pg_index i "
                                   "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam "
                                   "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                   "WHERE am.amname = 'btree' AND n.nspname = 'public'").fetchall()
                    except psycopg.Error:
                        return False
            return True
        for name in ("main.sqlite3", "keys.sqlite3"):
            with sqlite3.connect(self.dir / name) as db:
                if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    return False
        return True

    def query(self, sql: str) -> list:
        """Rows of the main database, the same on both: PostgreSQL's UUIDs come back as the 32
        hex digits SQLite stores."""
        if self.postgres:
            import uuid

            import psycopg

            with psycopg.connect(self._pg_urls()[0], autocommit=True) as db:
                return [tuple(v.hex if isinstance(v, uuid.UUID) else v for v in row) for row in db.execute(sql)]
        with sqlite3.connect(self.dir / "main.sqlite3") as db:
            return db.execute(sql).fetchall()

    def fingerprint(self) -> dict:
        """Row counts of every table but the ones each run adds to by design (the access log
        itself, log verifications, checkpoints), plus the destroyed clients."""
        skip = {"audit_accesslogentry", "audit_chainhead", "privacy_logverification", "privacy_checkpoint",
                "django_session"}
        tables = [r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type='table'")
                  if r[0] not in skip and not r[0].startswith("sqlite_")]
        counts = {t: self.query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables}
        # The outbox forgets sent mail after 30 days of *its* clock, and mail is stamped with the
        # real clock while the job runs years ahead: count the messages ever queued instead.
        counts["accounts_outgoingmail"] = self.query(
            "SELECT seq FROM sqlite_sequence WHERE name = 'accounts_outgoingmail'")[0][0]
        counts["destroyed"] = self.query("SELECT COUNT(*) FROM clients_client WHERE destroyed_at IS NOT NULL")[0][0]
        counts["files"] = len(self.files())
        return counts

    def files(self) -> set[str]:
        base = self.dir / "attachments"
        return {str(p.relative_to(base)) for p in base.rglob("*") if p.is_file()} if base.exists() else set()


def kill_at_random(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL after `delay` seconds; True if the process was still working when it died."""
    time.sleep(delay)
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return alive


def read_acks(proc: subprocess.Popen, acked: set):
    for line in proc.stdout.read().splitlines():
        if line.startswith("ACK "):
            acked.add(line[4:].strip())


def run(kills: int, python: str, keep: bool = False, seed: int | None = None, out=print) -> dict:
    rng = random.Random(seed)
    directory = Path(tempfile.mkdtemp(prefix="coachdossier-crash-"))
    scratch = Scratch(directory, python)
    started = time.monotonic()
    scratch.manage("migrate", "--noinput")
    seeded = subprocess.run([python, __file__, "--child", "seed", "--closed", str(max(4, 2 * kills)), "--live", "3"],
                            env=scratch.env, cwd=ROOT, capture_output=True, text=True)
    if seeded.returncode:
        raise SystemExit(f"seeding failed:\n{seeded.stderr}")
    refs = json.loads(seeded.stdout.strip().splitlines()[-1])["live"]
    # How long the daily job takes to start, so its kills fall inside its work.
    t = time.monotonic()
    scratch.manage("run_daily", "--dry-run", "--now", NOTICE_DAY.isoformat())
    daily_start = time.monotonic() - t

    acked: set[str] = set()
    results = {"writer": [0, 0], "daily": [0, 0]}  # [kills, integrity ok]
    rounds = 0
    while sum(k for k, _ in results.values()) < kills and rounds < kills * 3:
        rounds += 1
        kind = "writer" if rounds % 2 else "daily"
        if kind == "writer":
            proc = scratch.child("write", *refs)
            proc.stdout.readline()  # READY: django is up, the writes begin
            killed = kill_at_random(proc, rng.uniform(0.0, 3.0))
            read_acks(proc, acked)
        else:
            day = NOTICE_DAY if rounds % 4 == 2 else DESTROY_DAY
            killed = kill_at_random(scratch.daily(day), rng.uniform(0.7, 1.2) * daily_start)
        if not killed:
            continue
        ok = scratch.integrity()
        results[kind][0] += 1
        results[kind][1] += ok
        if not ok:
            out(f"integrity check FAILED after kill {sum(k for k, _ in results.values())} ({kind})")

    # After the storm: the job runs to the end (it also sweeps files left by the kills).
    first = scratch.manage("run_daily", "--now", DESTROY_DAY.isoformat()).stdout
    missing = [ref for ref in acked
               if not scratch.query(f"SELECT 1 FROM clients_dossierentry e JOIN clients_attachment a "
                                    f"ON a.entry_id = e.id WHERE e.public_id = '{ref.replace('-', '')}'")]
    db_files = {r[0] for r in scratch.query("SELECT storage_name FROM clients_attachment")}
    disk_files = scratch.files()
    verify = scratch.manage("verify_access_log", check=False)
    before = scratch.fingerprint()
    second = scratch.manage("run_daily", "--now", DESTROY_DAY.isoformat()).stdout
    after = scratch.fingerprint()
    repeated = [line for line in second.splitlines()
                if not line.startswith(("access log OK", "signed checkpoint", "nothing to do",
                                        # states, not actions: with a single kill the job never ran in
                                        # the notice window, so the dossiers are still waiting
                                        "waiting for the notice period: ", "postponed: "))
                and not line.startswith("coachdossier.accounts.outbox.send_queued: 0 sent, 0 still not sent")]
    # (the outbox forgetting mail sent in the first run, stamped with the real clock, is not a repeat)
    summary = {
        "kills": sum(k for k, _ in results.values()),
        "writer_kills": results["writer"][0], "daily_kills": results["daily"][0],
        "integrity_ok": sum(ok for _, ok in results.values()),
        "acknowledged": len(acked), "acknowledged_missing": len(missing),
        "orphaned_files": len(disk_files - db_files), "missing_files": len(db_files - disk_files),
        "access_log_verifies": verify.returncode == 0,
        "destroyed": after["destroyed"],
        "second_run_changed": {k: (before[k], after[k]) for k in before if before[k] != after.get(k)},
        "second_run_lines": repeated,
        "first_run_destroyed": sum(line.startswith("destroy: ") for line in first.splitlines()),
        "first_run_lines": [line for line in first.splitlines() if not line.startswith("destroy: ")],
        "seconds": round(time.monotonic() - started, 1),
        "scratch": str(directory),
    }
    summary["passed"] = (summary["integrity_ok"] == summary["kills"] and not missing and disk_files == db_files
                         and summary["access_log_verifies"] and not summary["second_run_changed"] and not repeated)
    if not keep:
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
        summary["scratch"] = "(removed)"
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=40, help="SIGKILLs in all, alternating writer and daily job")
    parser.add_argument("--seed", type=int, help="random seed (for a reproducible run)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory for inspection")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--closed", type=int, default=4, help=argparse.SUPPRESS)
    parser.add_argument("--live", type=int, default=3, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child == "seed":
        return child_seed(args.closed, args.live)
    if args.child == "write":
        return child_write(rest)
    summary = run(args.kills, sys.executable, keep=args.keep, seed=args.seed)
    for key, value in summary.items():
        print(f"{key:24} {value}")
    sys.exit(0 if summary["passed"] else 1)


if __name__ == "__main__":
    main()
