"""The UI is Dutch by default, whatever the browser asks; English is an explicit choice."""

from django.test import override_settings

from coachdossier.test import BaseTestCase


@override_settings(LANGUAGE_CODE="nl")
class DutchByDefaultTestCase(BaseTestCase):
    def test_a_coach_with_an_english_browser_still_gets_dutch_pages(self):
        self.login(self.coach)
        r = self.client.get("/clients/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(r, "Mijn cliënten")
        self.assertEqual(r["Content-Language"], "nl")

    def test_switching_to_english_is_remembered(self):
        self.login(self.coach)
        r = self.client.post("/accounts/language/", {"language": "en", "next": "/clients/"})
        self.assertRedirects(r, "/clients/", fetch_redirect_response=False)
        r = self.client.get("/clients/")
        self.assertContains(r, "My clients")

    def test_an_unknown_language_code_is_refused_with_a_message_and_changes_nothing(self):
        self.login(self.coach)
        r = self.client.post("/accounts/language/", {"language": "xx", "next": "/clients/"}, follow=True)
        self.assertContains(r, "Onbekende taal")
        self.assertContains(r, "Mijn cliënten")

    def test_allauths_pages_address_a_client_as_u_like_the_rest_of_the_site(self):
        """allauth's own Dutch says "je"; a client asked for her password again before a copy
        read "Voer je wachtwoord in" on a site that otherwise says "u"."""
        import re

        self.login(self.client_user)
        for url in ("/accounts/reauthenticate/", "/accounts/email/"):
            page = self.client.get(url).content.decode()
            self.assertIsNone(re.search(r"\b(je|jouw)\b", page), url)
        self.client.logout()
        page = self.client.get("/accounts/password/reset/").content.decode()
        self.assertIsNone(re.search(r"\b(je|jouw)\b", page))
