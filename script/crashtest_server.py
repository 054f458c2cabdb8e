"""SIGKILL a real server (gunicorn with production settings, loopback only) in the middle of
real HTTP requests, restart it, and check that nothing is half done. Run it through
`script/crashtest-server` (see docs/reliability.md, "Crashes").

Cases (each `--kills N` SIGKILLs at a random moment, alternately of the workers only, which
the gunicorn master restarts, and of the whole server, which the harness restarts):

    entry        a coach POSTs a new dossier entry with a PDF through the page (CSRF, multipart)
    report       ready (the client's copy) -> the client approves -> the coach sends to the
                 principal; mail through the outbox to Django's file backend
    destruction  the client asks in the portal -> management carries it out on the request page
    backup       `coachdossier backup` (the command) is killed while the coach keeps writing

`--database postgres` runs the same against scratch PostgreSQL databases (the production
database; its server is never killed, the application is).

After every kill: PRAGMA integrity_check on both databases (on PostgreSQL: amcheck over every
B-tree index, against its table's rows), the case's "never half done"
rules, and the interrupted operation re-run until it completes. At the end: run_daily (two
hours ahead, so its orphan sweep may take files from the last hour), then every acknowledged
request is there, no entry without its version, attachment rows and files match, every sent
report has its delivery and its mails sent, every destruction is complete or not started
with its request still open, the access log verifies; for backups, every set a kill left
behind is refused, and the last complete pair restores into a fresh installation.
"""

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_IN_LINK = re.compile(r"/reports/d/([A-Za-z0-9_-]+)/")


def _script(name: str):
    """The sibling scripts, reused rather than copied: crashtest (scratch state, integrity,
    file listing, kill timing) and loadtest (production environment, ports, readiness)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "script" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


crashtest = _script("crashtest")
loadtest = _script("loadtest")


# --- Children (run inside the scratch environment, with Django) ------------------------------


def _session(user, *, reauthenticated=False) -> str:
    """A signed-in session as after login with MFA (as script/loadtest makes them); for a
    client that must re-authenticate before a destruction request, a fresh password record."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from coachdossier.accounts.confidentiality import CURRENT_VERSION

    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["gate_passed"] = CURRENT_VERSION
    store["auth_started"] = store["last_seen"] = time.time()
    if reauthenticated:
        store["account_authentication_methods"] = [{"method": "password", "at": time.time(), "email": user.email}]
        store["account_authentication_methods_user"] = str(user.pk)
    store.create()
    return store.session_key


def child_seed(out: str, reports: int, destructions: int):
    crashtest._django()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from coachdossier.accounts.models import Role
    from coachdossier.clients import actions
    from coachdossier.clients.management.commands.demo import DEMO_PDF
    from coachdossier.clients.models import EntryKind, PrincipalKind
    from coachdossier.reports import actions as report_actions
    from coachdossier.test import make_client, make_user

    now = timezone.now()
    management = make_user("mia@crash.invalid", "Mia Directie", Role.MANAGEMENT)
    coach = make_user("alice@crash.invalid", "Alice Coach", Role.COACH)
    principal = actions.create_principal(actor=management, name="Werkgever BV", kind=PrincipalKind.EMPLOYER,
                                         contact_email="hr@crash.invalid")

    def client(prefix, i, portal):
        user = make_user(f"{prefix}{i}@crash.invalid", f"Klant {prefix}{i}", Role.CLIENT) if portal else None
        found = make_client(actor=management, coach=coach, principal=principal, first=f"{prefix.title()}{i}",
                            last="Test", user=user, now=now)
        for n in range(2):
            actions.add_entry(actor=coach, client=found, kind=EntryKind.NOTE, occurred_on=now.date(),
                              title=f"Gesprek {n}", text="Verloop van het gesprek.", now=now,
                              files=[SimpleUploadedFile(f"bijlage-{n}.pdf", DEMO_PDF)])
        return found, user

    seed = {"today": now.date().isoformat(), "coach": _session(coach), "management": _session(management),
            "entry_clients": [], "reports": [], "destructions": []}
    for i in range(3):
        seed["entry_clients"].append(str(client("schrijf", i, False)[0].public_id))
    for i in range(reports):
        found, user = client("rapport", i, True)
        report = report_actions.create_report(actor=coach, client=found, kind="progress", addressee="principal",
                                              now=now)
        report_actions.edit_report(actor=coach, report=report, now=now, subject=report.content["subject"],
                                   salutation=report.content["salutation"],
                                   sections=[{"title": "Verloop", "text": "De opbouw van uren verloopt volgens plan."}])
        seed["reports"].append({"client": str(found.public_id), "report": str(report.public_id),
                                "session": _session(user)})
    for i in range(destructions):
        found, user = client("vernietig", i, True)
        seed["destructions"].append({"client": str(found.public_id), "user": user.pk,
                                     "session": _session(user, reauthenticated=True)})
    Path(out).write_text(json.dumps(seed))
    Path(out).with_name("upload.pdf").write_bytes(DEMO_PDF)


def child_refresh(out: str):
    """New re-authenticated sessions for the destruction clients (allauth asks for the
    password again after REAUTHENTICATION_TIMEOUT)."""
    crashtest._django()
    from coachdossier.accounts.models import User

    seed = json.loads(Path(out).read_text())
    for item in seed["destructions"]:
        user = User.objects.get(pk=item["user"])
        if user.is_active:
            item["session"] = _session(user, reauthenticated=True)
    Path(out).write_text(json.dumps(seed))


def child_facts():
    """Everything the checks need, read through the models (titles and addresses are sealed)."""
    crashtest._django()
    from coachdossier.accounts.models import OutgoingMail
    from coachdossier.clients.crypto import ClientKey
    from coachdossier.clients.models import Attachment, Client, DossierEntry
    from coachdossier.portal.models import ClientRequest
    from coachdossier.privacy import erasure
    from coachdossier.reports.models import Report

    keys = {str(k) for k in ClientKey.objects.values_list("client_ref", flat=True)}
    entries = []
    for entry in DossierEntry.objects.select_related("client").prefetch_related("versions", "attachments"):
        versions = list(entry.versions.all())
        title = entry.current.content.get("title", "") if versions else None
        entries.append({"id": str(entry.public_id), "client": str(entry.client.public_id), "title": title,
                        "versions": len(versions), "attachments": [a.storage_name for a in entry.attachments.all()]})
    reports = []
    for report in Report.objects.select_related("client").prefetch_related("deliveries"):
        reports.append({"id": str(report.public_id), "client": str(report.client.public_id), "state": report.state,
                        "notified": report.client_notified_at is not None, "pdf": report.sent_storage_name,
                        "deliveries": [{"token_sha256": d.token_sha256, "revoked": d.revoked_at is not None,
                                        "code_channel": d.code_channel} for d in report.deliveries.all()]})
    mail = []
    for message in OutgoingMail.objects.order_by("pk"):
        link = TOKEN_IN_LINK.search(message.body)
        mail.append({"name": message.name, "status": message.status, "to": message.to,
                     "token_sha256": hashlib.sha256(link.group(1).encode()).hexdigest() if link else None})
    clients = []
    for found in Client.objects.all():
        clients.append({"id": str(found.public_id), "destroyed": found.destroyed_at is not None,
                        "key": str(found.public_id) in keys,
                        "entries": DossierEntry.objects.filter(client=found).count(),
                        "requests": [[r.kind, r.status, r.is_open]
                                     for r in ClientRequest.objects.filter(client=found)]})
    referenced = set(Attachment.objects.values_list("storage_name", flat=True))
    referenced |= {r["pdf"] for r in reports if r["pdf"]}
    print(json.dumps({"entries": entries, "reports": reports, "mail": mail, "clients": clients,
                      "registry": [ref for ref, _ in erasure.entries()], "referenced": sorted(referenced),
                      "orphan_keys": sorted(keys - {c["id"] for c in clients if not c["destroyed"]})}))


# --- The server --------------------------------------------------------------------------------


class Server:
    """gunicorn with production settings on loopback, in its own process group."""

    def __init__(self, scratch, workers: int):
        self.scratch, self.workers, self.port, self.proc, self.starts = scratch, workers, loadtest._free_port(), None, 0
        self.log = scratch.dir / "gunicorn.log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.proc = subprocess.Popen(
            [self.scratch.python, "-m", "gunicorn", "coachdossier.wsgi", "-b", f"127.0.0.1:{self.port}", "-w",
             str(self.workers), "--timeout", "60", "--error-logfile", str(self.log), "--capture-output"],
            env=self.scratch.env, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self.starts += 1
        loadtest._wait_until_up(self.port, self.proc)

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def kill(self, whole: bool):
        """SIGKILL the workers (the master starts new ones) or the master and its workers
        (the harness restarts the server)."""
        if whole:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.start()
            return
        killed = self.worker_pids()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        for _ in range(100):  # the master notices, reaps and forks new workers
            current = self.worker_pids()
            if len(current) >= self.workers and not set(current) & set(killed):
                break
            time.sleep(0.1)
        loadtest._wait_until_up(self.port, self.proc)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Browser:
    """One persona's cookies. The production cookies are Secure (__Host-); the test speaks
    plain HTTP on loopback, so they are sent by hand."""

    def __init__(self, server: Server, session_key: str):
        import requests

        self.server, self.http = server, requests.Session()
        self.cookies = {"__Host-sessionid": session_key}

    def _remember(self, response):
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value

    def get(self, path):
        response = self.http.get(self.server.url + path, headers=self._header(), allow_redirects=False, timeout=60)
        self._remember(response)
        return response

    def post(self, path, data, files=None, form=None):
        """POST with the CSRF token of `form` (a page with the form, fetched first)."""
        page = self.get(form or path)
        found = CSRF_INPUT.search(page.text)
        if not found:
            raise RuntimeError(f"no CSRF token on {form or path} ({page.status_code})")
        response = self.http.post(self.server.url + path, data={"csrfmiddlewaretoken": found.group(1), **data},
                                  files=files, headers=self._header(), allow_redirects=False, timeout=60)
        self._remember(response)
        return response

    def _header(self):
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}


class Workload(threading.Thread):
    """Runs `steps` (a generator function yielding after each acknowledged request) until
    stopped or until a request fails because the server died."""

    def __init__(self, steps):
        super().__init__(daemon=True)
        self.steps, self.stop, self.inflight, self.error = steps, threading.Event(), None, None

    def run(self):
        import requests

        try:
            for _ in self.steps(self):
                if self.stop.is_set():
                    return
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError):
            return  # the server died under it
        except Exception as exc:  # a wrong answer: reported, the round still counts
            self.error = f"{type(exc).__name__}: {exc}"


def _hex(public_id: str) -> str:
    return public_id.replace("-", "")


# --- The cases -----------------------------------------------------------------------------


class Case:
    name = ""
    window = (0.05, 1.5)  # seconds after the workload starts: the kill falls somewhere in it

    def __init__(self, ctx):
        self.ctx, self.scratch, self.server, self.seed = ctx, ctx.scratch, ctx.server, ctx.seed
        self.problems, self.notes = [], []

    def steps(self, work):  # generator
        raise NotImplementedError

    def after_kill(self):
        """Checks right after the restart, before anything is re-run."""

    def recover(self):
        """Re-run the interrupted operation until it completes."""

    def final(self, facts):
        """Checks after the storm and run_daily."""

    def row(self) -> dict:
        return {}


class EntryCase(Case):
    name = "entry"
    window = (0.05, 1.2)

    def __init__(self, ctx):
        super().__init__(ctx)
        self.coach = Browser(self.server, self.seed["coach"])
        self.acked, self.sent, self.interrupted, self.n = set(), set(), [], 0
        self.forms = {}  # title -> (client, the form's one-time token): a re-sent form is the same form
        self.pdf = (self.scratch.dir / "upload.pdf").read_bytes()

    def post_entry(self, title):
        client, token = self.forms.setdefault(title, (random.choice(self.seed["entry_clients"]),
                                                      secrets.token_urlsafe(16)))
        path = f"/clients/{client}/entries/new/"
        response = self.coach.post(path, {"kind": "note", "occurred_on": self.seed["today"], "title": title,
                                          "text": "Korte notitie over de voortgang.", "source": "",
                                          "justification": "", "idempotency_key": token},
                                   files={"files": ("scan.pdf", self.pdf + os.urandom(random.randint(0, 4096)),
                                                    "application/pdf")})
        if response.status_code != 302:
            raise RuntimeError(f"POST {path}: {response.status_code}")
        self.acked.add(title)

    def steps(self, work):
        while True:
            self.n += 1
            title = f"{self.name}-{self.n}"  # the backup case writes entries too
            work.inflight = title
            self.sent.add(title)
            self.post_entry(title)
            work.inflight = None
            yield

    def recover(self):
        if self.work_inflight:
            self.interrupted.append(self.work_inflight)
            self.post_entry(self.work_inflight)  # the coach submits the form again

    def final(self, facts):
        by_title = {}
        for entry in facts["entries"]:
            by_title.setdefault(entry["title"], []).append(entry)
        missing = [t for t in self.acked if not any(e["attachments"] for e in by_title.get(t, []))]
        if missing:
            self.problems.append(f"acknowledged entries missing or without attachment: {sorted(missing)[:5]}")
        self.twice = [t for t in self.interrupted if len(by_title.get(t, [])) > 1]
        if self.twice:  # the form's one-time token makes a re-sent form find the entry it made
            self.problems.append(f"re-sent forms that made a second entry: {sorted(self.twice)[:5]}")
        self.unknown = [e["id"] for t, es in by_title.items() if t and t.startswith(f"{self.name}-")
                        and t not in self.sent for e in es]
        if self.unknown:
            self.problems.append(f"entries nobody sent: {self.unknown[:5]}")

    def row(self):
        return {"acknowledged": len(self.acked), "interrupted, then re-sent": len(self.interrupted),
                "interrupted that had committed (now twice)": len(getattr(self, "twice", []))}


class ReportCase(Case):
    name = "report"
    window = (0.05, 1.0)

    def __init__(self, ctx):
        super().__init__(ctx)
        self.coach = Browser(self.server, self.seed["coach"])
        self.todo = list(self.seed["reports"])
        self.acked = {"ready": set(), "approve": set(), "send": set()}
        self.current = None

    def state(self, item) -> str:
        return self.scratch.query(f"SELECT state FROM reports_report WHERE public_id = '{_hex(item['report'])}'")[0][0]

    def advance(self, item) -> bool:
        """One step of the report from its current state; True when it is sent."""
        client = Browser(self.server, item["session"])
        base = f"/reports/{item['client']}/{item['report']}/"
        state = self.state(item)
        if state == "sent":
            return True
        if state == "draft":
            step, response = "ready", self.coach.post(base + "ready/", {}, form=base)
        elif state == "ready":  # the notice did not go: the coach's retry button
            step, response = "notify", self.coach.post(base + "notify/", {}, form=base)
        elif state == "client_copy":
            review = f"/reports/review/{item['report']}/"
            step, response = "approve", client.post(review + "approve/", {}, form=review)
        elif state == "approved":
            step, response = "send", self.coach.post(base + "send/", {"code_channel": "email",
                                                                      "recipient_email": "hr@crash.invalid"})
        else:
            raise RuntimeError(f"report {item['report']} in unexpected state {state}")
        if response.status_code != 302:
            raise RuntimeError(f"{step} of {item['report']}: {response.status_code}")
        if step in self.acked:
            self.acked[step].add(item["report"])
        return False

    def steps(self, work):
        while self.todo or self.current:
            if self.current is None:
                self.current = self.todo.pop(0)
            work.inflight = self.current["report"]
            if self.advance(self.current):
                self.current = None
            work.inflight = None
            yield
        raise RuntimeError("out of seeded reports: raise --kills headroom")

    def after_kill(self):
        for item in self.seed["reports"]:
            state = self.state(item)
            rid = item["report"]
            if rid in self.acked["send"] and state != "sent":
                self.problems.append(f"report {rid}: send acknowledged, state {state}")
            if rid in self.acked["approve"] and state not in ("approved", "sent"):
                self.problems.append(f"report {rid}: approval acknowledged, state {state}")
            if rid in self.acked["ready"] and state == "draft":
                self.problems.append(f"report {rid}: ready acknowledged, still a draft")
        sent_without_delivery = self.scratch.query(
            "SELECT COUNT(*) FROM reports_report r WHERE r.state = 'sent' AND NOT EXISTS "
            "(SELECT 1 FROM reports_delivery d WHERE d.report_id = r.id AND d.revoked_at IS NULL)")[0][0]
        if sent_without_delivery:
            self.problems.append(f"{sent_without_delivery} report(s) sent without a delivery")

    def recover(self):
        if self.current is not None:
            for _ in range(6):  # re-run until sent: draft -> ready -> client copy -> approved -> sent
                if self.advance(self.current):
                    break
            else:
                self.problems.append(f"report {self.current['report']} did not complete after the restart")
            self.current = None

    def final(self, facts):
        mail = facts["mail"]
        sent_links = {m["token_sha256"] for m in mail if m["name"] == "report-link" and m["status"] == "sent"}
        codes = sum(m["name"] == "report-code" and m["status"] == "sent" for m in mail)
        ours = {item["report"] for item in self.seed["reports"]}
        reports = [r for r in facts["reports"] if r["id"] in ours]
        self.sent = [r for r in reports if r["state"] == "sent"]
        self.without_mail = [r["id"] for r in self.sent
                             if not any(d["token_sha256"] in sent_links for d in r["deliveries"] if not d["revoked"])]
        deliveries = sum(len(r["deliveries"]) for r in self.sent)
        if self.without_mail:
            self.problems.append(f"sent report(s) whose link mail never went: {self.without_mail}")
        if codes < deliveries:
            self.problems.append(f"{deliveries} deliveries, {codes} code mails sent")
        if any(not r["pdf"] for r in self.sent):
            self.problems.append("a sent report without its stored PDF")
        notified = sum(m["name"] == "report-client-copy" and m["status"] == "sent" for m in mail)
        copies = sum(r["notified"] for r in reports)
        if notified < copies:
            self.problems.append(f"{copies} reports count the client as notified, {notified} notices sent")
        queued = [m["name"] for m in mail if m["status"] != "sent"]
        if queued:
            self.problems.append(f"mail not sent after run_daily: {queued}")

    def row(self):
        return {"sent": len(getattr(self, "sent", [])),
                "acknowledged ready/approve/send": "/".join(str(len(v)) for v in self.acked.values()),
                "sent without its mail": len(getattr(self, "without_mail", []))}


class DestructionCase(Case):
    name = "destruction"
    window = (0.05, 1.0)

    def __init__(self, ctx):
        super().__init__(ctx)
        self.management = Browser(self.server, self.seed["management"])
        self.todo = list(self.seed["destructions"])
        self.acked = {"filed": set(), "destroyed": set()}
        self.current, self.refreshed = None, time.monotonic()

    def open_request(self, item):
        rows = self.scratch.query(
            "SELECT r.public_id FROM portal_clientrequest r JOIN clients_client c ON c.id = r.client_id "
            f"WHERE c.public_id = '{_hex(item['client'])}' AND r.kind = 'destruction' "
            "AND r.status IN ('received', 'identity_verified', 'in_progress')")
        return rows[0][0] if rows else None

    def destroyed(self, item) -> bool:
        return bool(self.scratch.query(f"SELECT destroyed_at IS NOT NULL FROM clients_client "
                                       f"WHERE public_id = '{_hex(item['client'])}'")[0][0])

    def advance(self, item) -> bool:
        if self.destroyed(item):
            return True
        request = self.open_request(item)
        if request is None:
            if time.monotonic() - self.refreshed > 200:  # allauth's re-authentication timeout is 300 s
                self.ctx.refresh_sessions()
                self.refreshed = time.monotonic()
            session = next(i["session"] for i in self.ctx.seed["destructions"] if i["client"] == item["client"])
            client = Browser(self.server, session)
            response = client.post("/portal/requests/destruction/", {"confirm": "on"})
            if response.status_code != 302 or not response.headers["Location"].endswith("/portal/requests/"):
                raise RuntimeError(f"destruction request of {item['client']}: {response.status_code}")
            self.acked["filed"].add(item["client"])
            return False
        request = f"{request[:8]}-{request[8:12]}-{request[12:16]}-{request[16:20]}-{request[20:]}"
        page = f"/portal/manage/{item['client']}/requests/{request}/"
        response = self.management.post(page + "destroy/", {"confirm": "on"}, form=page)
        if response.status_code != 302 or not response.headers["Location"].endswith("/portal/manage/destructions/"):
            raise RuntimeError(f"destruction of {item['client']}: {response.status_code} "
                               f"{response.headers.get('Location')}")
        self.acked["destroyed"].add(item["client"])
        return True

    def steps(self, work):
        while self.todo or self.current:
            if self.current is None:
                self.current = self.todo.pop(0)
            work.inflight = self.current["client"]
            if self.advance(self.current):
                self.current = None
            work.inflight = None
            yield
        raise RuntimeError("out of seeded clients: raise --kills headroom")

    def half_done(self, item) -> str | None:
        """Complete (tombstone, request done, no entries, no attachment rows) or not started
        (request open or not filed, every entry and attachment there): anything else is half."""
        ref = _hex(item["client"])
        destroyed = self.destroyed(item)
        entries = self.scratch.query(f"SELECT COUNT(*) FROM clients_dossierentry e JOIN clients_client c "
                                     f"ON c.id = e.client_id WHERE c.public_id = '{ref}'")[0][0]
        done = self.scratch.query(f"SELECT COUNT(*) FROM portal_clientrequest r JOIN clients_client c ON "
                                  f"c.id = r.client_id WHERE c.public_id = '{ref}' AND r.status = 'done'")[0][0]
        if destroyed and (entries or not done):
            return f"client {item['client']} destroyed with {entries} entries left, request done: {bool(done)}"
        if not destroyed and (entries != 2 or done):
            return f"client {item['client']} not destroyed but {entries} entries, request done: {bool(done)}"
        if item["client"] in self.acked["destroyed"] and not destroyed:
            return f"client {item['client']}: destruction acknowledged, not done"
        if item["client"] in self.acked["filed"] and not destroyed and self.open_request(item) is None:
            return f"client {item['client']}: request acknowledged, not open"
        return None

    def after_kill(self):
        for item in self.seed["destructions"]:
            problem = self.half_done(item)
            if problem:
                self.problems.append(problem)
        if self.current is not None:
            self.states.append("destroyed" if self.destroyed(self.current)
                               else "request open" if self.open_request(self.current) else "not filed")

    states: list

    def recover(self):
        if self.current is not None:
            for _ in range(3):
                if self.advance(self.current):
                    break
            else:
                self.problems.append(f"destruction of {self.current['client']} did not complete after the restart")
            self.current = None

    def final(self, facts):
        ours = {item["client"] for item in self.seed["destructions"]}
        clients = [c for c in facts["clients"] if c["id"] in ours]
        self.destroyed_count = sum(c["destroyed"] for c in clients)
        for c in clients:
            if c["destroyed"]:
                if c["key"] or c["entries"] or c["id"] not in facts["registry"]:
                    self.problems.append(f"destroyed client {c['id']}: key {c['key']}, entries {c['entries']}, "
                                         f"registered {c['id'] in facts['registry']}")
                if not any(k == "destruction" and s == "done" for k, s, _ in c["requests"]):
                    self.problems.append(f"destroyed client {c['id']} without its request done")
            elif not c["key"] or c["entries"] != 2:
                self.problems.append(f"client {c['id']} not destroyed but key {c['key']}, entries {c['entries']}")
        done_mails = sum(m["name"] == "portal-destruction-done" and m["status"] == "sent" for m in facts["mail"])
        if done_mails < self.destroyed_count:
            self.problems.append(f"{self.destroyed_count} destructions, {done_mails} 'destruction done' mails sent")

    def row(self):
        from collections import Counter

        return {"destroyed": getattr(self, "destroyed_count", 0),
                "acknowledged filed/destroyed": f"{len(self.acked['filed'])}/{len(self.acked['destroyed'])}",
                "found after a kill": dict(Counter(self.states))}


class BackupCase(EntryCase):
    """`coachdossier backup` killed at a random moment while the coach keeps writing entries."""

    name = "backup"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.main_root, self.keys_root = self.scratch.dir / "backups", self.scratch.dir / "key-backups"
        self.killed_sets, self.complete, self.taken_for_good = [], [], []
        self.backup = None

    def run_backup(self) -> subprocess.Popen:
        return subprocess.Popen([self.scratch.python, str(ROOT / "manage.py"), "backup", "--dir", str(self.main_root),
                                 "--keys-dir", str(self.keys_root)], env=self.scratch.env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sets(self) -> set[str]:
        # Folders only: a root also holds the erasure registry's signed copy (erasures.json).
        return ({p.name for p in self.main_root.iterdir() if p.is_dir()} if self.main_root.exists() else set()) | (
            {p.name for p in self.keys_root.iterdir() if p.is_dir()} if self.keys_root.exists() else set())

    def wait_for_work(self, before: set) -> float:
        """Until the command starts writing its set (Django's start-up is no part of the backup)."""
        t = time.monotonic()
        while self.backup.poll() is None and not self.sets() - before and time.monotonic() - t < 60:
            time.sleep(0.005)
        return time.monotonic()

    def verifies(self, folder: Path) -> bool:
        return folder.exists() and self.scratch.manage("backup", "--verify", str(folder), check=False).returncode == 0

    def kill_round(self, rng) -> bool:
        """One backup, killed at a random moment of its run; True when it died mid-run."""
        before = self.sets()
        self.backup = self.run_backup()
        self.wait_for_work(before)
        killed = crashtest.kill_at_random(self.backup, rng.uniform(0.0, 1.1) * self.ctx.backup_seconds)
        if not killed:
            self.complete.extend(self.sets() - before)
            return False
        for name in sorted(self.sets() - before):
            main_ok, keys_ok = self.verifies(self.main_root / name), self.verifies(self.keys_root / name)
            self.killed_sets.append((name, main_ok, keys_ok))
            if main_ok and keys_ok:
                self.complete.append(name)  # killed after both sets were complete: a good backup
            elif main_ok:  # a main set that passes while its key-store set is half written
                self.taken_for_good.append((name, "main verifies, key-store set does not"))
            elif keys_ok and name.endswith(".partial"):
                self.taken_for_good.append((name, "an unfinished key-store set verifies"))
        return True

    def final(self, facts):
        super().final(facts)
        if self.taken_for_good:
            self.problems.append(f"sets of killed backups that verify on their own: {self.taken_for_good}")
        # The last complete pair restores into a fresh installation with the same keys.
        pairs = sorted(n for n in self.complete if self.verifies(self.main_root / n) and
                       self.verifies(self.keys_root / n))
        if not pairs:
            self.problems.append("no complete backup to restore")
            return
        restored = self.ctx.restore(self.main_root / pairs[-1], self.keys_root / pairs[-1])
        self.restored = restored
        if restored:
            self.problems.append(f"restore of the last complete backup {pairs[-1]}: {restored}")

    def row(self):
        return {"killed runs' sets (main, keys)": f"{len(self.killed_sets)} ("
                f"{sum(m for _, m, _k in self.killed_sets)} / {sum(k for _, _m, k in self.killed_sets)} verify)",
                "killed sets taken for good": len(self.taken_for_good),
                "killed runs left": sorted({"complete pair" if m and k else "key-store set only" if k else
                                            "unfinished (.partial) or empty" for _, m, k in self.killed_sets}),
                "last complete backup restores": getattr(self, "restored", "not tried") == ""}


CASES = {"entry": EntryCase, "report": ReportCase, "destruction": DestructionCase, "backup": BackupCase}


# --- The harness ---------------------------------------------------------------------------


class Context:
    def __init__(self, directory: Path, python: str, workers: int, kills: int, cases=(), database="sqlite"):
        self.scratch = crashtest.Scratch(directory, python)
        self.database = database
        self.targets = [loadtest.Target(database, directory, name=f"coachdossier_crash_{os.getpid()}")]
        self.scratch.env = {**self.targets[0].env, "PYTHONUNBUFFERED": "1",
                            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                            "COACHDOSSIER_SIGNING_KEY": _b64(secrets.token_bytes(32)),
                            "COACHDOSSIER_ERASURE_REGISTRY": str(directory / "erasure-registry.sqlite3")}
        try:
            self.prepare(kills, cases, workers)
        except BaseException:
            for target in self.targets:
                target.drop()
            raise

    def prepare(self, kills, cases, workers):
        directory = self.scratch.dir
        self.scratch.manage("migrate", "--noinput")
        self.scratch.manage("collectstatic", "--noinput")
        self.seed_file = directory / "seed.json"
        self.child("seed", str(self.seed_file), "--reports", str(5 * kills + 10 if "report" in cases else 0),
                   "--destructions", str(5 * kills + 10 if "destruction" in cases else 0))
        self.seed = json.loads(self.seed_file.read_text())
        self.server = Server(self.scratch, workers)
        self.backup_seconds = 0.0

    def child(self, *args) -> str:
        done = subprocess.run([self.scratch.python, __file__, "--child", *args], env=self.scratch.env, cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def refresh_sessions(self):
        self.child("refresh", str(self.seed_file))
        self.seed.update(json.loads(self.seed_file.read_text()))

    def facts(self) -> dict:
        return json.loads(self.child("facts").strip().splitlines()[-1])

    def restore(self, main: Path, keys: Path) -> str:
        """Restore into a fresh installation (same master keys, its own databases and files):
        "" when it restored, verifies and every attachment row has its file, else what failed."""
        target = self.scratch.dir / "restored"
        target.mkdir()
        fresh = loadtest.Target(self.database, target, name=f"coachdossier_crash_{os.getpid()}_restored")
        self.targets.append(fresh)
        env = {**self.scratch.env, "COACHDOSSIER_STATE_DIR": str(target),
               "DATABASE_URL": fresh.env["DATABASE_URL"], "KEYS_DATABASE_URL": fresh.env["KEYS_DATABASE_URL"],
               "ATTACHMENTS_DIR": str(target / "attachments"),
               "COACHDOSSIER_ERASURE_REGISTRY": str(target / "erasure-registry.sqlite3")}
        restored = crashtest.Scratch(target, self.scratch.python)
        restored.env = env
        restored.manage("migrate", "--noinput")
        done = restored.manage("restore", str(main), "--keys", str(keys), check=False)
        if done.returncode:
            return (done.stderr or done.stdout).strip()[-500:]
        if not restored.integrity():
            return "integrity check failed after the restore"
        if restored.manage("verify_access_log", check=False).returncode:
            return "the restored access log does not verify"
        rows = {r[0] for r in restored.query("SELECT storage_name FROM clients_attachment")}
        if not rows <= restored.files():
            return f"{len(rows - restored.files())} attachment row(s) without their file after the restore"
        return ""


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def run_case(ctx: Context, name: str, kills: int, rng: random.Random, out=print) -> tuple[Case, dict]:
    case = CASES[name](ctx)
    case.states = []
    stats = {"kills": 0, "workers": 0, "whole server": 0, "in flight": 0, "integrity ok": 0, "errors": []}
    started = time.monotonic()
    if name == "backup":
        case.backup = case.run_backup()
        t = case.wait_for_work(set())
        case.backup.communicate()
        ctx.backup_seconds = time.monotonic() - t  # the writing part of a backup
        case.complete.extend(case.sets())
    rounds = 0
    while stats["kills"] < kills and rounds < kills * 3:
        rounds += 1
        whole = rounds % 2 == 0
        work = Workload(case.steps)
        work.start()
        if name == "backup":
            killed = case.kill_round(rng)
            work.stop.set()
            work.join(timeout=120)
            case.work_inflight = None
            if not killed:
                continue
        else:
            time.sleep(rng.uniform(*case.window))
            inflight = work.inflight
            work.stop.set()
            ctx.server.kill(whole)
            work.join(timeout=120)
            case.work_inflight = inflight if work.inflight is not None else None
            stats["in flight"] += case.work_inflight is not None
            stats["whole server" if whole else "workers"] += 1
        if work.error:
            stats["errors"].append(work.error)
        stats["kills"] += 1
        ok = ctx.scratch.integrity()
        stats["integrity ok"] += ok
        if not ok:
            case.problems.append(f"integrity check failed after kill {stats['kills']}")
        case.after_kill()
        try:
            case.recover()
        except Exception as exc:
            case.problems.append(f"re-running after kill {stats['kills']}: {type(exc).__name__}: {exc}")
        target = "backup command" if name == "backup" else "server" if whole else "workers"
        out(f"  {name}: kill {stats['kills']}/{kills} ({target}), "
            f"problems so far {len(case.problems)}")
    stats["seconds"] = round(time.monotonic() - started, 1)
    return case, stats


def run(cases: list[str], kills: int, python: str, *, seed=None, workers=2, keep=False, database="sqlite",
        out=print) -> dict:
    rng = random.Random(seed)
    random.seed(seed)
    directory = Path(tempfile.mkdtemp(prefix="coachdossier-crash-server-"))
    started = time.monotonic()
    ctx = Context(directory, python, workers, kills, cases, database)
    results = {}
    try:
        ctx.server.start()
        for name in cases:
            out(f"==> {name}: {kills} kills")
            results[name] = run_case(ctx, name, kills, rng, out)
        ctx.server.stop()
        # The daily job as it runs in production, two hours on: the outbox, the orphan sweep
        # (files older than an hour), orphaned keys, the erasure registry, the log check.
        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)
        daily = ctx.scratch.manage("run_daily", "--now", later.isoformat(), check=False)
        facts = ctx.facts()
        disk, referenced = ctx.scratch.files(), set(facts["referenced"])
        verify = ctx.scratch.manage("verify_access_log", check=False)
        summary = {"database": database, "cases": {}, "seconds": 0.0, "scratch": str(directory),
                   "run_daily": [line for line in daily.stdout.splitlines() if line.strip()] + (
                       [daily.stderr.strip()[-500:]] if daily.returncode else []),
                   "orphaned files": sorted(disk - referenced), "rows without file": sorted(referenced - disk),
                   "entries without version": [e["id"] for e in facts["entries"] if not e["versions"]],
                   "orphaned keys": facts["orphan_keys"], "access log verifies": verify.returncode == 0,
                   "integrity at the end": ctx.scratch.integrity()}
        for name, (case, stats) in results.items():
            case.final(facts)
            summary["cases"][name] = {**stats, **case.row(), "problems": case.problems}
        summary["passed"] = (
            summary["access log verifies"] and summary["integrity at the end"] and not summary["orphaned files"]
            and not summary["rows without file"] and not summary["entries without version"]
            and not summary["orphaned keys"] and daily.returncode == 0
            and all(c["integrity ok"] == c["kills"] and not c["problems"] and not c["errors"]
                    for c in summary["cases"].values()))
        summary["seconds"] = round(time.monotonic() - started, 1)
        return summary
    finally:
        ctx.server.stop()
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)
            for target in ctx.targets:
                target.drop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--kills", type=int, default=10, help="SIGKILLs per case (default 10)")
    parser.add_argument("--seed", type=int, help="random seed (for a reproducible run)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch directory (and PostgreSQL databases) for inspection")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                        help="sqlite (default) or postgres (127.0.0.1:5432, user postgres; scratch databases)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--reports", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--destructions", type=int, default=0, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child == "seed":
        return child_seed(rest[0], args.reports, args.destructions)
    if args.child == "refresh":
        return child_refresh(rest[0])
    if args.child == "facts":
        return child_facts()
    if not 1 <= args.kills <= 200:
        parser.error("--kills must be between 1 and 200")
    cases = list(CASES) if args.case == "all" else [args.case]
    if args.database == "postgres" and not loadtest.postgres_reachable():
        parser.error("PostgreSQL is not reachable on 127.0.0.1:5432 as user postgres")
    summary = run(cases, args.kills, sys.executable, seed=args.seed, workers=args.workers, keep=args.keep,
                  database=args.database)
    print(json.dumps(summary, indent=1, default=str))
    sys.exit(0 if summary["passed"] else 1)


if __name__ == "__main__":
    main()
