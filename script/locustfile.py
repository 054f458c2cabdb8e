"""The load test's users (run by script/loadtest, which seeds the practice and writes the
sessions and tokens to $LOADTEST_SEED). A realistic mix: coaches open their list, dossiers,
entries and attachments and add entries with an attachment; clients use the portal;
management opens dashboards and the complaint register; integrations call the API with a
token. Every request is named by its page so the figures group per page."""

import json
import os
import random
import re

from locust import HttpUser, between, task

SEED = json.loads(open(os.environ["LOADTEST_SEED"]).read())
SESSION_COOKIE = "__Host-sessionid"
CSRF_COOKIE = "__Host-csrftoken"
PDF = open(os.environ["LOADTEST_PDF"], "rb").read()
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PracticeUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    kind = ""

    def on_start(self):
        self.me = random.choice(SEED[self.kind])
        if "session" in self.me:
            self.client.cookies.set(SESSION_COOKIE, self.me["session"], domain="127.0.0.1", secure=False)

    def keep_cookies(self):
        # The production cookies are Secure (__Host-); the test speaks plain HTTP on loopback.
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, url, name, **kwargs):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
        self.keep_cookies()
        return response


class Coach(PracticeUser):
    weight = 25
    kind = "coaches"

    @task(4)
    def client_list(self):
        self.get("/clients/", "coach: client list")

    @task(6)
    def dossier(self):
        self.get(f"/clients/{random.choice(self.me['clients'])['id']}/", "coach: dossier")

    @task(3)
    def entry(self):
        client = random.choice(self.me["clients"])
        self.get(f"/clients/{client['id']}/entries/{random.choice(client['entries'])}/", "coach: entry")

    @task(2)
    def attachment(self):
        client = random.choice(self.me["clients"])
        self.get(f"/clients/{client['id']}/attachments/{client['attachment']}/", "coach: attachment download")

    @task(1)
    def add_entry(self):
        client = random.choice(self.me["clients"])
        form = self.get(f"/clients/{client['id']}/entries/new/", "coach: entry form")
        found = CSRF_INPUT.search(form.text or "")
        if not found:
            return
        data = {"csrfmiddlewaretoken": found.group(1), "kind": "note", "occurred_on": SEED["today"],
                "title": "Voortgangsgesprek", "text": "Gesprek over de opbouw van uren; afspraken gemaakt.",
                "source": "", "justification": ""}
        with self.client.post(f"/clients/{client['id']}/entries/new/", data=data,
                              files={"files": ("verslag.pdf", PDF, "application/pdf")},
                              name="coach: add entry with attachment", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}")
        self.keep_cookies()


class Client(PracticeUser):
    weight = 15
    kind = "clients"

    @task(3)
    def home(self):
        self.get("/portal/", "client: portal home")

    @task(3)
    def dossier(self):
        self.get("/portal/dossier/", "client: portal dossier")

    @task(1)
    def attachment(self):
        self.get(f"/portal/dossier/attachments/{self.me['attachment']}/", "client: attachment download")

    @task(1)
    def access_log(self):
        self.get("/portal/access-log/", "client: portal access log")


class Management(PracticeUser):
    weight = 5
    kind = "management"

    @task(3)
    def dashboard(self):
        self.get("/", "management: dashboard")

    @task(2)
    def complaint_register(self):
        self.get("/complaints/", "management: complaint register")

    @task(1)
    def client_admin(self):
        self.get("/clients/manage/", "management: client register")


class Integration(PracticeUser):
    weight = 5
    kind = "tokens"

    def api(self, url, name):
        return self.get(url, name, headers={"Authorization": f"Bearer {self.me['token']}"})

    @task
    def call(self):
        if self.me["role"] == "coach":
            self.api(f"/api/measurements/clients/{random.choice(self.me['clients'])}/sessions",
                     "api: measurement sessions (coach)")
        elif self.me["role"] == "client":
            self.api(random.choice(["/api/portal/requests", "/api/portal/access-log"]), "api: portal (client)")
        else:
            self.api(random.choice(["/api/privacy/retention", "/api/complaints/"]), "api: registers (management)")
