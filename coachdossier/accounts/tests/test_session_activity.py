"""A page view writes nothing of its own. The security page's list of sessions (allauth's
usersessions: address, browser, last seen) is brought up to date at most once a minute, and at
once when the address or browser changes; allauth's own middleware wrote the row, a durable
commit, on every request. So a dossier read commits exactly once: its access-log entry."""

import time
from unittest import mock

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from coachdossier.accounts.models import Role
from coachdossier.clients.models import PrincipalKind
from coachdossier.test import PASSWORD, BaseTestCase, make_client, make_user

PAGE = "/accounts/security/"


def _writes(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if f'"{table}"' in q["sql"] and q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


class SessionActivityTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.coach)
        self.client.get(PAGE)  # the first page of a session records it

    def test_law_32_a_page_view_within_a_minute_writes_neither_the_session_nor_its_row(self):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(PAGE).status_code, 200)
        self.assertEqual(_writes(queries, "usersessions_usersession"), [])
        self.assertEqual(_writes(queries, "django_session"), [])

    def test_law_32_the_session_row_is_brought_up_to_date_after_a_minute(self):
        row = UserSession.objects.get(user=self.coach)
        later = time.time() + 61
        with mock.patch("coachdossier.accounts.middleware.time.time", return_value=later), \
                CaptureQueriesContext(connection) as queries:
            self.client.get(PAGE)
        self.assertEqual(len(_writes(queries, "usersessions_usersession")), 1)
        self.assertGreater(UserSession.objects.get(pk=row.pk).last_seen_at, row.last_seen_at)

    def test_law_32_a_new_browser_on_the_session_shows_in_its_row_at_once(self):
        """A session cookie used from another browser is what the session list is there to
        show: it is recorded on the request it happens, not a minute later."""
        self.client.get(PAGE, headers={"user-agent": "Stolen/1.0"})
        self.assertEqual(UserSession.objects.get(user=self.coach).user_agent, "Stolen/1.0")
        with CaptureQueriesContext(connection) as queries:
            self.client.get(PAGE, headers={"user-agent": "Stolen/1.0"})
        self.assertEqual(_writes(queries, "usersessions_usersession"), [])

    def test_law_32_a_login_records_the_session_once_and_the_next_page_writes_nothing(self):
        """allauth writes the row when someone logs in; the first page after it does not again."""
        browser = HttpClient()
        browser.post("/accounts/login/", {"login": self.client_user.email, "password": PASSWORD})
        self.assertEqual(UserSession.objects.filter(user=self.client_user).count(), 1)
        with CaptureQueriesContext(connection) as queries:
            browser.get("/portal/")
        self.assertEqual(_writes(queries, "usersessions_usersession"), [])


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_law_nen7513_a_dossier_read_commits_exactly_once_its_access_log_entry():
    """Issue #3: the log entry shares the request's transaction, exactly one durable commit per
    dossier read; a signed-in page that reads no client data commits nothing."""
    management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
    coach = make_user("alice@example.com", "Alice Coach", Role.COACH)
    from coachdossier.clients import actions

    employer = actions.create_principal(actor=management, name="Bakkerij BV", kind=PrincipalKind.EMPLOYER,
                                        contact_email="hr@example.com")
    client = make_client(actor=management, coach=coach, principal=employer)
    browser = HttpClient()
    browser.force_login(coach)
    browser.get(PAGE)  # the first page of the session records it, and passes the staff gate

    def commits(url) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url).status_code == 200
        return [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("COMMIT")]

    assert commits(PAGE) == []
    assert len(commits(f"/clients/{client.public_id}/")) == 1
