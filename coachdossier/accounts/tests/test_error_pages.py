"""What a client reads when something goes wrong: in her language, in the site's layout, with
what to do next. Django's own pages said "Not Found" or "Forbidden (403)" in English, bare,
with no way back (production runs with DEBUG off, as these tests do)."""

from django.test import Client as HttpClient
from django.test import RequestFactory, override_settings
from django.utils import translation

from coachdossier.test import BaseTestCase

NOWHERE = "/portal/dossier/attachments/00000000-0000-0000-0000-000000000000/"


@override_settings(DEBUG=False)
class ErrorPagesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.cookies["django_language"] = "nl"

    def test_gc_2_3_a_link_that_leads_nowhere_says_so_in_dutch_and_leads_back_without_saying_whose_it_was(self):
        self.login(self.client_user)
        r = self.client.get(NOWHERE)
        self.assertEqual(r.status_code, 404)
        self.assertContains(r, "Pagina niet gevonden", status_code=404)
        self.assertContains(r, "of is niet beschikbaar voor uw account", status_code=404)
        self.assertContains(r, 'href="/">Naar uw overzicht</a>', status_code=404)
        self.assertContains(r, 'class="topbar"', status_code=404)  # the site's own layout

    def test_a_page_for_another_role_says_so_in_dutch_and_leads_back(self):
        self.login(self.client_user)
        r = self.client.get("/complaints/new/")
        self.assertContains(r, "Niet voor uw account", status_code=403)
        self.assertContains(r, "Naar uw overzicht", status_code=403)

    def test_a_form_sent_after_it_expired_says_nothing_was_saved_and_what_to_do(self):
        browser = HttpClient(enforce_csrf_checks=True)
        browser.force_login(self.client_user)
        browser.cookies["django_language"] = "nl"
        r = browser.post("/portal/messages/", {"text": "Mag de afspraak naar donderdag?"})
        self.assertContains(r, "Het formulier is verlopen", status_code=403)
        self.assertContains(r, "Er is niets opgeslagen", status_code=403)

    def test_a_server_error_says_it_is_not_the_clients_fault_and_what_to_do(self):
        from django.views import defaults

        with translation.override("nl"):
            r = defaults.server_error(RequestFactory().get("/portal/"))
        self.assertEqual(r.status_code, 500)
        self.assertIn("Dit ligt aan ons, niet aan u.", r.content.decode())
        r = self.client.get("/portal/", HTTP_HOST="bad host")  # an unreadable request: 400
        self.assertContains(r, "Het verzoek kon niet worden gelezen", status_code=400)
