"""The UI is Dutch by default, whatever the browser asks; English is an explicit choice."""

import ast
import re
from pathlib import Path

import allauth
from django.test import SimpleTestCase, override_settings
from django.utils.translation import trans_real

from coachdossier.test import BaseTestCase

INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jullie)\b", re.IGNORECASE)
# allauth parts this project does not install: their messages can reach no one here.
NOT_INSTALLED = tuple(f"{where}{part}/" for where in ("", "templates/")
                      for part in ("socialaccount", "idp", "mfa/webauthn"))


def _allauth_msgids_only_in(prefixes) -> set[str]:
    """msgids of allauth's Dutch catalogue whose every source reference is under one of prefixes."""
    path = Path(allauth.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    found, refs, msgid, reading = set(), [], None, False
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#:"):
            refs += [ref.removeprefix("allauth/") for ref in line[2:].split()]
        elif line.startswith("msgid "):
            msgid, reading = ast.literal_eval(line[6:]), True
        elif line.startswith('"') and reading:
            msgid += ast.literal_eval(line)
        elif not line.strip():
            if msgid and refs and all(ref.startswith(prefixes) for ref in refs):
                found.add(msgid)
            refs, msgid, reading = [], None, False
        else:
            reading = False
    return found


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
        self.login(self.client_user)
        for url in ("/accounts/reauthenticate/", "/accounts/email/"):
            page = self.client.get(url).content.decode()
            self.assertIsNone(re.search(r"\b(je|jouw)\b", page), url)
        self.client.logout()
        page = self.client.get("/accounts/password/reset/").content.decode()
        self.assertIsNone(re.search(r"\b(je|jouw)\b", page))

    def test_the_password_reset_mail_names_the_practice_not_the_server(self):
        """allauth's mails greeted "Hallo van testserver!" under the subject "[testserver] ...":
        a client who asked for a new password got a mail from a host name she never saw."""
        from django.core import mail

        page = self.client.get("/accounts/password/reset/").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        self.client.post("/accounts/password/reset/", {"email": "carla@example.com",
                                                        **({"csrfmiddlewaretoken": token.group(1)} if token else {})})
        self.assertEqual(len(mail.outbox), 1)
        sent = mail.outbox[0]
        self.assertTrue(sent.subject.startswith("[Praktijk De Werkbrug (demo)] "), sent.subject)
        self.assertIn("Praktijk De Werkbrug (demo)", sent.body)
        self.assertNotIn("testserver!", sent.body)
        self.assertIn("http://testserver/accounts/password/reset/key/", sent.body)  # the link still works

    def test_a_coachs_two_step_and_session_pages_say_u_and_use_the_sites_words(self):
        """docs/architecture.md, "Language": allauth's "Afmelden", "Deactiveer" and "Genereer" stood
        next to our "Uitloggen"; its "Weet je dit zeker?" next to our "u"."""
        self.login(self.coach)
        two_step = self.client.get("/accounts/2fa/").content.decode()
        self.assertIn("Uitzetten", two_step)
        self.assertNotIn("Deactiveer", two_step)
        sessions = self.client.get("/accounts/sessions/").content.decode()
        self.assertIn("IP-adres", sessions)
        for page in (two_step, sessions):
            self.assertIsNone(INFORMAL.search(page))


    def test_a_client_choosing_her_first_password_reads_why_it_is_refused_in_dutch(self):
        """Django 5.2 changed the 'too short' message without updating its Dutch catalogue: a new
        client setting her password (the invitation, a reset) read 'This password is too short.
        It must contain at least 12 characters.' on a Dutch page; and 'lijkt te veel op de
        e-mailadres' is not Dutch."""
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError
        from django.utils import translation

        with translation.override("nl"):
            for password, expected in (("kort", "Dit wachtwoord is te kort: gebruik minstens 12 tekens."),
                                       ("carla@example.com", "Het wachtwoord lijkt te veel op uw e-mailadres.")):
                with self.assertRaises(ValidationError) as refused:
                    validate_password(password, self.client_user)
                self.assertIn(expected, refused.exception.messages)


class OneRegisterTestCase(SimpleTestCase):
    def test_no_dutch_message_says_je_to_its_reader(self):
        """docs/architecture.md, "Language": Dutch says "u" to clients and staff alike. The compiled
        catalogue, ours merged with allauth's and Django's as a page sees it, has no "je", "jij" or
        "jouw"; a coach setting up two-step verification read "Weet je dit zeker?" next to pages that
        say "u", and a client resetting her password got "Je ontvangt deze mail..."."""
        unreachable = _allauth_msgids_only_in(NOT_INSTALLED)
        catalog = trans_real.translation("nl")._catalog  # several catalogues; the first to have a key wins
        informal = sorted(str(key) for key in set(catalog.keys())
                          if INFORMAL.search(catalog[key]) and (key[0] if isinstance(key, tuple) else key) not in unreachable)
        self.assertEqual(informal, [])
