"""A user's language is kept with her account (User.language): the language switch stores it,
signing in brings it to a new device, and every mail to her is written in it (accounts.outbox).
Mail carries a notice and a link in that language, never dossier content (GC-6.3)."""

from django.conf import settings
from django.core import mail
from django.test import override_settings
from django.utils import translation

from coachdossier.accounts import outbox
from coachdossier.accounts.models import User
from coachdossier.portal import actions as portal_actions
from coachdossier.portal.models import Invitation
from coachdossier.portal.tests.base import CLIENT_GRANT, COACH_GRANT
from coachdossier.questionnaires import actions as questionnaire_actions
from coachdossier.questionnaires.models import QuestionnaireDefinition
from coachdossier.test import PASSWORD, BaseTestCase, make_client

MESSAGE = "Over het gesprek met uw leidinggevende"


def speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])


class TheLanguageSwitchTestCase(BaseTestCase):
    def test_it_keeps_a_signed_in_users_choice_with_her_account_and_on_the_device(self):
        speaks(self.client_user, "nl")
        self.login(self.client_user)
        response = self.client.post("/accounts/language/", {"language": "en", "next": "/portal/"})
        self.client_user.refresh_from_db()
        self.assertEqual(self.client_user.language, "en")
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")

    def test_it_sets_only_the_device_for_someone_not_signed_in(self):
        response = self.client.post("/accounts/language/", {"language": "nl", "next": "/"})
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "nl")
        self.assertFalse(User.objects.filter(language="nl").exists())

    def test_an_unknown_language_changes_nothing_on_the_account(self):
        self.login(self.client_user)
        self.client.post("/accounts/language/", {"language": "xx", "next": "/"})
        self.client_user.refresh_from_db()
        self.assertEqual(self.client_user.language, "en")


@override_settings(LANGUAGE_CODE="nl")
class SigningInTestCase(BaseTestCase):
    def test_signing_in_on_a_new_device_shows_her_stored_language(self):
        speaks(self.client_user, "en")
        self.client.post("/accounts/login/", {"login": "carla@example.com", "password": PASSWORD})
        response = self.client.get("/portal/")
        self.assertEqual(response["Content-Language"], "en")
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")  # kept after signing out

    def test_her_stored_language_beats_the_devices_earlier_choice(self):
        speaks(self.client_user, "nl")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.client.post("/accounts/login/", {"login": "carla@example.com", "password": PASSWORD})
        self.assertEqual(self.client.get("/portal/")["Content-Language"], "nl")


class TheLanguageApiTestCase(BaseTestCase):
    def test_a_user_reads_and_sets_her_own_language(self):
        self.login(self.client_user)
        self.assertEqual(self.client.get("/api/accounts/me").json()["language"], "en")
        response = self.client.put("/api/accounts/me/language", {"language": "nl"}, content_type="application/json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["language"], "nl")
        self.client_user.refresh_from_db()
        self.assertEqual(self.client_user.language, "nl")

    def test_an_unknown_language_is_a_422_on_the_language_field(self):
        self.login(self.coach)
        response = self.client.put("/api/accounts/me/language", {"language": "de"}, content_type="application/json")
        self.assertEqual(response.status_code, 422)
        self.assertIn("language", str(response.json()))
        self.coach.refresh_from_db()
        self.assertEqual(self.coach.language, "en")


class MailInTheRecipientsLanguageTestCase(BaseTestCase):
    """Tests run with English as the site's language: Dutch in a mail comes from the account."""

    def setUp(self):
        super().setUp()
        self.newcomer = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Emma",
                                    last="Bakker")

    def invite(self, **language):
        with self.captureOnCommitCallbacks(execute=True):
            return portal_actions.invite_client(actor=self.coach, client=self.newcomer, now=self.now,
                                                grant=COACH_GRANT, **language)

    def message_to(self, client, text=MESSAGE):
        with self.captureOnCommitCallbacks(execute=True):
            portal_actions.send_message(actor=self.coach, client=client, text=text, now=self.now, grant=COACH_GRANT)
        return mail.outbox[-1]

    def test_a_client_invited_in_english_gets_an_english_invitation_and_keeps_english(self):
        _invitation, token = self.invite(language="en")
        self.assertEqual(mail.outbox[-1].subject, "Your invitation to the client portal")
        user = portal_actions.accept_invitation(token=token, password="een-lang-wachtwoord-77", now=self.now)
        self.assertEqual(user.language, "en")

    def test_a_client_invited_in_dutch_gets_a_dutch_invitation_and_keeps_dutch(self):
        _invitation, token = self.invite(language="nl")
        self.assertEqual(mail.outbox[-1].subject, "Uw uitnodiging voor het cliëntportaal")
        for secret in ("Emma", "Bakker", "Terug naar werk", self.newcomer.reference):
            self.assertNotIn(secret, mail.outbox[-1].body)
        user = portal_actions.accept_invitation(token=token, password="een-lang-wachtwoord-77", now=self.now)
        self.assertEqual(user.language, "nl")

    def test_an_invitation_in_a_language_the_site_does_not_have_is_refused(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError) as cm:
            self.invite(language="de")
        self.assertIn("language", cm.exception.message_dict)
        self.assertFalse(Invitation.objects.exists())

    @override_settings(LANGUAGE_CODE="nl")
    def test_an_invitation_whose_language_nobody_chose_is_dutch(self):
        invitation, _token = self.invite()
        self.assertEqual(invitation.language, "nl")
        self.assertEqual(mail.outbox[-1].subject, "Uw uitnodiging voor het cliëntportaal")

    def test_a_portal_notice_goes_in_the_clients_language_and_carries_no_content(self):
        speaks(self.client_user, "en")
        english = self.message_to(self.own_client)
        self.assertEqual(english.subject, "A secure message is waiting for you")
        speaks(self.client_user, "nl")
        dutch = self.message_to(self.own_client, MESSAGE + "?")
        self.assertEqual(dutch.subject, "Er staat een beveiligd bericht voor u klaar")
        for sent in (english, dutch):
            self.assertNotIn(MESSAGE, sent.body + sent.subject)  # GC-6.3
            self.assertNotIn("Carla", sent.body + sent.subject)

    def test_a_questionnaire_invitation_goes_in_the_clients_language(self):
        questionnaire_actions.ensure_shipped(now=self.now)
        dass = QuestionnaireDefinition.objects.get(key="dass-21")
        for language, subject in (("en", "A questionnaire is waiting for you"),
                                  ("nl", "Er staat een vragenlijst voor u klaar")):
            speaks(self.client_user, language)
            with self.captureOnCommitCallbacks(execute=True):
                questionnaire_actions.send_questionnaire(actor=self.coach, client=self.own_client, definition=dass,
                                                         moment="intake", now=self.now)
            self.assertEqual(mail.outbox[-1].subject, subject)

    def test_a_staff_notice_goes_in_the_staff_members_language(self):
        for language, subject, text in (("en", "A secure message is waiting for you", MESSAGE),
                                        ("nl", "Er staat een beveiligd bericht voor u klaar", MESSAGE + "?")):
            speaks(self.coach, language)
            with self.captureOnCommitCallbacks(execute=True):
                portal_actions.send_message(actor=self.client_user, client=self.own_client, text=text, now=self.now,
                                            grant=CLIENT_GRANT)
            to_coach = mail.outbox[-1]
            self.assertEqual(to_coach.to, ["alice@example.com"])
            self.assertEqual(to_coach.subject, subject)
            self.assertNotIn(MESSAGE, to_coach.body)

    def test_each_manager_gets_a_staff_notice_in_her_own_language(self):
        from coachdossier.privacy import emails as privacy_emails
        from coachdossier.test import make_user

        make_user("nina@example.com", "Nina Directie", "management")
        speaks(User.objects.get(email="nina@example.com"), "nl")
        privacy_emails.log_review_ready(month=self.now.date(), flags=0)
        subjects = {m.to[0]: m.subject for m in mail.outbox}
        self.assertNotEqual(subjects["nina@example.com"], subjects["mia@example.com"])

    def test_an_address_that_is_no_account_is_written_in_dutch_as_before(self):
        outbox.send_or_queue("questionnaire-sent", ["someone@example.org"], {"url": "/"})
        self.assertEqual(mail.outbox[-1].subject, "Er staat een vragenlijst voor u klaar")

    def test_an_address_is_matched_to_its_account_whatever_its_case(self):
        speaks(self.client_user, "nl")
        outbox.send_or_queue("questionnaire-sent", ["Carla@Example.com"], {"url": "/"})
        self.assertEqual(mail.outbox[-1].subject, "Er staat een vragenlijst voor u klaar")
        speaks(self.client_user, "en")
        outbox.send_or_queue("questionnaire-sent", ["Carla@Example.com"], {"url": "/"})
        self.assertEqual(mail.outbox[-1].subject, "A questionnaire is waiting for you")


class ChoosingTheLanguageOfAnInvitationTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.newcomer = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Emma",
                                    last="Bakker")

    def test_the_coach_chooses_it_on_the_clients_portal_tab(self):
        self.login(self.coach)
        page = self.client.get(f"/clients/{self.newcomer.public_id}/tab/portal/").content.decode()
        self.assertIn('<select name="language">', page)
        self.client.post(f"/portal/manage/{self.newcomer.public_id}/invite/", {"language": "nl"})
        self.assertEqual(Invitation.objects.get(client=self.newcomer).language, "nl")

    def test_the_api_takes_it_and_refuses_a_language_the_site_does_not_have(self):
        self.login(self.coach)
        url = f"/api/portal/clients/{self.newcomer.public_id}/invitation"
        refused = self.client.post(url, {"language": "de"}, content_type="application/json")
        self.assertEqual(refused.status_code, 422)
        self.assertIn("language", str(refused.json()))
        response = self.client.post(url, {"language": "nl"}, content_type="application/json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["language"], "nl")


class AllauthMailsInTheRecipientsLanguageTestCase(BaseTestCase):
    """allauth's own mails (password reset, codes, email confirmation, notices) were written in the
    language of the page that asked for them; like every mail of ours they follow the reader's
    stored language (User.language)."""

    def ask_for_a_new_password(self, address, page_language):
        self.addCleanup(translation.deactivate)  # the middleware leaves the last page's language active
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = page_language
        response = self.client.post("/accounts/password/reset/", {"email": address})
        self.assertEqual(response["Content-Language"], page_language)
        return mail.outbox[-1]

    def test_a_dutch_reader_who_asks_from_an_english_page_gets_the_reset_mail_in_dutch(self):
        speaks(self.client_user, "nl")
        sent = self.ask_for_a_new_password("carla@example.com", "en")
        self.assertTrue(sent.subject.endswith("] Nieuw wachtwoord"), sent.subject)
        self.assertIn("http://testserver/accounts/password/reset/key/", sent.body)

    @override_settings(LANGUAGE_CODE="nl")
    def test_an_english_reader_who_asks_from_a_dutch_page_gets_the_reset_mail_in_english(self):
        speaks(self.client_user, "en")
        sent = self.ask_for_a_new_password("Carla@Example.com", "nl")
        self.assertTrue(sent.subject.endswith("] Password Reset Email"), sent.subject)

    @override_settings(LANGUAGE_CODE="nl")
    def test_the_mail_to_an_address_that_is_nobodys_stays_in_the_pages_language(self):
        """ACCOUNT_PREVENT_ENUMERATION: allauth answers an unknown address too; nobody stored a language."""
        english = self.ask_for_a_new_password("nobody@example.org", "en")
        dutch = self.ask_for_a_new_password("nobody@example.org", "nl")
        self.assertNotEqual(english.subject, dutch.subject)

    @override_settings(ACCOUNT_EMAIL_NOTIFICATIONS=True)
    def test_a_notice_about_an_account_goes_in_its_language_even_to_an_address_it_no_longer_has(self):
        from allauth.account.adapter import get_adapter
        from allauth.core import context

        speaks(self.client_user, "nl")
        request = self.client.get("/").wsgi_request
        with translation.override("en"), context.request_context(request):
            get_adapter(request).send_notification_mail("account/email/email_changed", self.client_user, {
                "from_email": "carla.oud@example.com", "to_email": "carla@example.com"},
                email="carla.oud@example.com")
        sent = mail.outbox[-1]
        self.assertEqual(sent.to, ["carla.oud@example.com"])
        self.assertIn("Uw e-mailadres is gewijzigd", sent.body)

    def test_an_email_confirmation_goes_in_the_language_of_the_account_it_confirms(self):
        from allauth.account.adapter import get_adapter
        from allauth.account.models import EmailAddress, EmailConfirmationHMAC
        from allauth.core import context

        speaks(self.client_user, "nl")
        address = EmailAddress.objects.create(user=self.client_user, email="carla.nieuw@example.com")
        request = self.client.get("/").wsgi_request
        with context.request_context(request):
            get_adapter(request).send_confirmation_mail(request, EmailConfirmationHMAC(address), signup=False)
        sent = mail.outbox[-1]
        self.assertEqual(sent.to, ["carla.nieuw@example.com"])
        self.assertNotIn("Confirm", sent.subject)
