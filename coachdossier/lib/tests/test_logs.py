"""A refused request is one line in the application log: the route, not the path, and never a
traceback (lib/logs.py, LOGGING in settings). The access log holds who was refused where."""

import logging
import sys

from coachdossier.accounts import actions as account_actions
from coachdossier.lib.logs import OneLineRefusals
from coachdossier.test import BaseTestCase


class RefusalLogTestCase(BaseTestCase):
    def refused(self, path, *, user=None, headers=None):
        if user is not None:
            self.login(user)
        with self.assertLogs("django.request", "WARNING") as logs:
            response = self.client.get(path, headers=headers or {})
        self.assertEqual(len(logs.records), 1, logs.output)
        return response, logs.records[0]

    def assertOneLineWithoutIds(self, record, expected):
        self.assertEqual(record.getMessage(), expected)
        self.assertIsNone(record.exc_info)
        formatted = logging.Formatter().format(record)
        self.assertNotIn("Traceback", formatted)
        self.assertNotIn(str(self.own_client.public_id), formatted)

    def test_a_page_refused_with_permission_denied_is_one_line_with_the_route_and_no_traceback(self):
        """Django logged the whole stack of every ordinary 403, naming the client's id."""
        response, record = self.refused(f"/clients/{self.own_client.public_id}/?q=Carla", user=self.management)
        self.assertEqual(response.status_code, 403)
        self.assertOneLineWithoutIds(record, "Forbidden: GET /clients/<uuid:client_id>/")
        self.assertEqual(record.levelno, logging.WARNING)

    def test_an_api_refusal_is_the_same_one_line(self):
        token = account_actions.create_api_token(actor=self.management, name="t", now=self.now)[1]
        response, record = self.refused(f"/api/clients/{self.own_client.public_id}/entries?page=2",
                                        headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(response.status_code, 403)
        self.assertOneLineWithoutIds(record, "Forbidden: GET /api/clients/<uuidstr:client_id>/entries")

    def test_a_dossier_that_is_not_yours_is_a_404_line_without_its_id(self):
        response, record = self.refused(f"/clients/{self.own_client.public_id}/", user=self.other_coach)
        self.assertEqual(response.status_code, 404)
        self.assertOneLineWithoutIds(record, "Not Found: GET /clients/<uuid:client_id>/")

    def test_a_path_no_route_matches_keeps_its_shape_with_the_ids_replaced(self):
        response, record = self.refused(f"/nergens/{self.own_client.public_id}/")
        self.assertEqual(response.status_code, 404)
        self.assertOneLineWithoutIds(record, "Not Found: GET /nergens/<id>/")


class ServerErrorLogTestCase(BaseTestCase):
    def test_a_server_error_keeps_its_traceback(self):
        try:
            raise RuntimeError("kapot")
        except RuntimeError:
            record = logging.getLogger("django.request").makeRecord(
                "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/x",),
                sys.exc_info(), extra={"status_code": 500, "request": None})
        self.assertTrue(OneLineRefusals().filter(record))
        self.assertIsNotNone(record.exc_info)
        self.assertEqual(record.getMessage(), "Internal Server Error: /x")
