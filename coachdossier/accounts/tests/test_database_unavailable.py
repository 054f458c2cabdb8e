"""When the database cannot be reached, every page answers with a plain 503 (Retry-After, no
traceback, no content), and the next request after the database is back works again."""

from unittest import mock

from django import test as django_test
from django.db.utils import InterfaceError, OperationalError
from django.urls import reverse

from coachdossier.test import BaseTestCase


class TestDatabaseUnavailable(BaseTestCase):
    def detail_url(self):
        return reverse("clients:detail", args=[self.own_client.public_id])

    def test_a_lost_connection_in_a_view_gives_the_503_page_and_the_next_request_works(self):
        self.login(self.coach)
        with mock.patch("coachdossier.clients.access.get_client_for",
                        side_effect=OperationalError("could not connect to server: Connection refused")):
            response = self.client.get(self.detail_url())
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertContains(response, "Temporarily unavailable", status_code=503)
        for leak in ("Traceback", "Connection refused", "OperationalError", "de Vries", "Carla"):
            self.assertNotContains(response, leak, status_code=503)
        self.assertEqual(self.client.get(self.detail_url()).status_code, 200)

    def test_an_interface_error_also_gives_503(self):
        self.login(self.coach)
        with mock.patch("coachdossier.clients.access.get_client_for", side_effect=InterfaceError("connection closed")):
            self.assertEqual(self.client.get(self.detail_url()).status_code, 503)

    def test_the_api_gets_a_json_503(self):
        self.login(self.coach)
        url = f"/api/measurements/clients/{self.own_client.public_id}/sessions"
        with mock.patch("coachdossier.clients.access.get_client_for", side_effect=OperationalError("down")):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"detail": "The database is unavailable; try again shortly."})
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_lost_connection_while_loading_the_session_gives_503_too(self):
        """The session is read in middleware, before any view: handler500 gives the same page."""
        browser = django_test.Client(raise_request_exception=False)
        browser.force_login(self.coach)
        with mock.patch("django.contrib.sessions.backends.db.SessionStore.load",
                        side_effect=OperationalError("the database system is shutting down")):
            response = browser.get(self.detail_url())
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertNotContains(response, "shutting down", status_code=503)
        self.assertEqual(browser.get(self.detail_url()).status_code, 200)
