"""/health/: what an uptime monitor or a load balancer asks (docs/deploy.md, "Processes").
There was nothing to ask: the login page answers 200 with both databases down."""

from unittest import mock

from django.db import connections
from django.db.utils import OperationalError
from django.test import TestCase


class HealthTestCase(TestCase):
    databases = {"default", "keys"}

    def test_it_answers_ok_without_a_session_and_uncached_when_both_databases_answer(self):
        response = self.client.get("/health/")
        self.assertEqual((response.status_code, response.content), (200, b"ok\n"))
        self.assertIn("no-store", response["Cache-Control"])
        self.assertNotIn("Set-Cookie", response.headers)

    def test_it_answers_503_and_logs_which_database_when_the_key_store_does_not_answer(self):
        with mock.patch.object(connections["keys"], "cursor", side_effect=OperationalError("connection refused")), \
                self.assertLogs("coachdossier.database", "ERROR") as logged:
            response = self.client.get("/health/")
        self.assertEqual((response.status_code, response.content), (503, b"unavailable\n"))
        self.assertIn("the keys database does not answer (OperationalError)", logged.output[0])
