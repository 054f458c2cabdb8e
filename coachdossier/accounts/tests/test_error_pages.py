"""What a reader sees when something goes wrong, in production (DEBUG off, as these tests run):
in her language, in the site's layout, with what to do next, and still no detail. Django's own
pages said "Not Found" or "Forbidden (403)" in English, bare, with no way back. A dossier that
is not yours looks like one that does not exist (GC-2.3), and a server error shows neither the
exception nor anything it carried."""

from django.test import Client as HttpClient
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import translation

from coachdossier.accounts.views import server_error
from coachdossier.test import BaseTestCase

NOWHERE = "/portal/dossier/attachments/00000000-0000-0000-0000-000000000000/"
TECHNICAL = ("Not Found", "Forbidden", "Server Error", "Traceback", "requested resource")


@override_settings(DEBUG=False)
class ErrorPagesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.cookies["django_language"] = "nl"

    def assertNothingTechnical(self, response):
        page = response.content.decode()
        self.assertIn('<html lang="nl"', page)
        for technical in TECHNICAL:
            self.assertNotIn(technical, page)

    def test_gc_2_3_a_link_that_leads_nowhere_says_so_in_dutch_and_leads_back_without_saying_whose_it_was(self):
        self.login(self.client_user)
        r = self.client.get(NOWHERE)
        self.assertEqual(r.status_code, 404)
        self.assertContains(r, "Pagina niet gevonden", status_code=404)
        self.assertContains(r, "of is niet beschikbaar voor uw account", status_code=404)
        self.assertContains(r, 'href="/">Naar uw overzicht</a>', status_code=404)
        self.assertContains(r, 'class="topbar"', status_code=404)  # the site's own layout
        self.assertNothingTechnical(r)

    def test_gc_2_3_an_unknown_address_and_another_coachs_client_give_the_same_dutch_404(self):
        self.assertContains(self.client.get("/bestaat-niet/"), "Pagina niet gevonden", status_code=404)
        self.login(self.coach)
        response = self.client.get(reverse("clients:detail", args=[self.other_client.public_id]))
        self.assertContains(response, "Pagina niet gevonden", status_code=404)
        self.assertNotContains(response, self.other_client.display_name, status_code=404)
        self.assertNothingTechnical(response)

    def test_a_page_for_another_role_says_so_in_dutch_and_leads_back(self):
        self.login(self.client_user)
        r = self.client.get("/complaints/new/")
        self.assertContains(r, "Niet voor uw account", status_code=403)
        self.assertContains(r, "Naar uw overzicht", status_code=403)
        self.assertNothingTechnical(r)

    def test_a_form_sent_after_it_expired_says_nothing_was_saved_and_what_to_do(self):
        browser = HttpClient(enforce_csrf_checks=True)
        browser.force_login(self.client_user)
        browser.cookies["django_language"] = "nl"
        r = browser.post("/portal/messages/", {"text": "Mag de afspraak naar donderdag?"})
        self.assertContains(r, "Het formulier is verlopen", status_code=403)
        self.assertContains(r, "Er is niets opgeslagen", status_code=403)

    def test_a_server_error_says_it_is_not_the_readers_fault_and_shows_nothing_of_the_exception(self):
        request = RequestFactory().get("/clients/")
        with translation.override("nl"):
            try:
                raise RuntimeError("Zwanenburg BSN 111222333")
            except RuntimeError:
                response = server_error(request)  # handler500
        self.assertEqual(response.status_code, 500)
        self.assertIn("Dit ligt aan ons, niet aan u.", response.content.decode())
        self.assertNotIn("Zwanenburg", response.content.decode())
        self.assertNotIn("RuntimeError", response.content.decode())
        self.assertNothingTechnical(response)

    def test_an_unreadable_request_gets_a_dutch_400(self):
        r = self.client.get("/portal/", HTTP_HOST="bad host")
        self.assertContains(r, "Het verzoek kon niet worden gelezen", status_code=400)
