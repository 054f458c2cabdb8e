"""The 404, 403 and 500 pages in production: Django's bare English defaults ("Not Found /
The requested resource was not found on this server.", lang="en", no way back) are replaced
by pages in the UI's language with a link to the overview, and still no detail: a dossier
that is not yours looks like one that does not exist (GC-2.3), and a server error shows
neither the exception nor anything it carried."""

from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from coachdossier.accounts.views import server_error
from coachdossier.test import BaseTestCase


@override_settings(LANGUAGE_CODE="nl", DEBUG=False)
class ErrorPagesTestCase(BaseTestCase):
    def assertPlainErrorPage(self, response, status, heading):
        self.assertEqual(response.status_code, status)
        page = response.content.decode()
        self.assertIn('<html lang="nl">', page)
        self.assertIn(f"<h1>{heading}</h1>", page)
        self.assertIn('href="/">Naar het overzicht</a>', page)
        for technical in ("Not Found", "Forbidden", "Server Error", "Traceback", "requested resource"):
            self.assertNotIn(technical, page)

    def test_an_unknown_address_and_another_coachs_client_give_the_same_dutch_404(self):
        self.assertPlainErrorPage(self.client.get("/bestaat-niet/"), 404, "Pagina niet gevonden")
        self.login(self.coach)
        response = self.client.get(reverse("clients:detail", args=[self.other_client.public_id]))
        self.assertPlainErrorPage(response, 404, "Pagina niet gevonden")
        self.assertNotContains(response, self.other_client.display_name, status_code=404)

    def test_gc_2_3_a_forbidden_page_gives_a_dutch_403(self):
        self.login(self.coach)
        self.assertPlainErrorPage(self.client.get(reverse("privacy:breaches")), 403, "Geen toegang")

    def test_a_server_error_shows_nothing_of_the_exception(self):
        request = RequestFactory().get("/clients/")
        with translation.override("nl"):
            try:
                raise RuntimeError("Zwanenburg BSN 111222333")
            except RuntimeError:
                response = server_error(request)
        self.assertPlainErrorPage(response, 500, "Er ging iets mis")
        self.assertNotIn("Zwanenburg", response.content.decode())
        self.assertNotIn("RuntimeError", response.content.decode())
