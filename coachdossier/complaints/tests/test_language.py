"""Letters and their notices in the complainant's language: English when they read English,
Dutch otherwise (Complaint.language); the practice's English texts beside its Dutch ones."""

import datetime
import json
from unittest import mock

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from coachdossier.complaints import actions, letters
from coachdossier.complaints.models import Complaint, LetterKind, LetterTemplate
from coachdossier.lib.tests.test_pdf import pdf_text
from coachdossier.test import make_client

from .test_actions import ComplaintsTestCase, at

D = datetime.date


class TestLettersInTheComplainantsLanguage(ComplaintsTestCase):
    def registered(self, language="en", **kwargs):
        complaint = self.lodge(received=D(2026, 3, 24), language=language, **kwargs)
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        return complaint

    def test_kr_3_3a_a_complainant_who_reads_english_gets_the_acknowledgement_in_english(self):
        complaint = self.registered("en")
        letter = actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        self.assertEqual(letter.language, "en")
        self.assertEqual(letter.content["subject"], "Acknowledgement of receipt of your complaint")
        body = letter.content["body"]
        self.assertTrue(body.startswith("Dear Carla de Vries,"))
        self.assertIn("We received your complaint on 24 March 2026", body)
        self.assertIn("two coaches who are not themselves involved", body)  # {procedure}, KR-3.3b
        for dutch in ("Beste", "klacht", "maart"):
            self.assertNotIn(dutch, body)
        text = " ".join(pdf_text(letters.render(letter)).split())
        self.assertIn("Our reference", text)
        self.assertIn("25 March 2026", text)

    def test_kr_3_3a_a_complainant_whose_language_is_not_known_gets_dutch(self):
        # Nobody said which language, and the complainant has no account that says it: Dutch.
        complaint = self.lodge(received=D(2026, 3, 24), actor=self.outsider, channel="letter", client=None,
                               name="Carla de Vries", language=None)
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        letter = actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        self.assertEqual((complaint.language, letter.language), ("nl", "nl"))
        self.assertTrue(letter.content["body"].startswith("Beste Carla de Vries,"))
        self.assertIn("op 24 maart 2026 ontvangen", letter.content["body"])
        self.assertIn("Ons kenmerk", pdf_text(letters.render(letter)))

    def test_kr_3_3c_d_the_non_admission_and_extension_letters_write_their_dates_in_english(self):
        refused = self.registered("en")
        letter = actions.decide_admission(actor=self.outsider, complaint=refused, now=at(D(2026, 3, 26)),
                                          admitted=False, reason="Not about our practice.")
        self.assertIn("On 24 March 2026 we received your complaint", letter.content["body"])
        self.assertIn("Not about our practice.", letter.content["body"])
        extended = self.registered("en")
        actions.decide_admission(actor=self.outsider, complaint=extended, now=at(D(2026, 3, 26)), admitted=True)
        actions.extend_term(actor=self.outsider, complaint=extended, now=at(D(2026, 4, 20)), new_date=D(2026, 6, 5),
                            told_via="letter")
        letter = extended.letters.get(kind=LetterKind.EXTENSION)
        self.assertIn("by 5 June 2026 at the latest", letter.content["body"])

    def test_gc_8_2_the_ruling_reaches_an_english_complainant_in_english_and_the_coach_in_dutch(self):
        complaint = self.registered("en", level="umbrella")
        actions.record_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 4, 2)), ruling="partly",
                              ruling_on=D(2026, 4, 1))
        actions.communicate_ruling(actor=self.management, complaint=complaint, now=at(D(2026, 4, 3)))
        to_complainant = complaint.letters.get(kind=LetterKind.RULING)
        to_coach = complaint.letters.get(kind=LetterKind.RULING_COACH)
        self.assertEqual((to_complainant.language, to_coach.language), ("en", "nl"))
        self.assertIn("The complaint was found partly founded.", to_complainant.content["body"])
        self.assertIn("Measures taken after the ruling: none.", to_complainant.content["body"])
        self.assertIn("gedeeltelijk gegrond", to_coach.content["body"])
        self.assertIn("uitspraak: geen.", to_coach.content["body"])

    def test_the_portal_notice_of_a_letter_is_in_the_complainants_language(self):
        for language, subject in (("en", "A letter about your complaint is ready"),
                                  ("nl", "Er ligt een brief over uw klacht klaar")):
            with self.subTest(language=language):
                complaint = self.registered(language)
                mail.outbox.clear()
                with self.captureOnCommitCallbacks(execute=True):
                    actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
                [message] = mail.outbox
                self.assertEqual(message.subject, subject)

    def test_the_practices_own_english_text_is_used_and_its_dutch_text_stays_as_it_was(self):
        english = letters.template_for(LetterKind.ACKNOWLEDGEMENT, "en")
        actions.update_letter_template(actor=self.management, template=english, now=self.now,
                                       subject="We have your complaint", body="Hello {name},\n\nNumber {number}.")
        letter = actions.acknowledge(actor=self.outsider, complaint=self.registered("en"), now=at(D(2026, 3, 25)))
        self.assertEqual(letter.content["subject"], "We have your complaint")
        self.assertEqual(letter.content["body"], "Hello Carla de Vries,\n\nNumber K-2026-001.")
        dutch = actions.acknowledge(actor=self.outsider, complaint=self.registered("nl"), now=at(D(2026, 3, 25)))
        self.assertEqual(dutch.content["subject"], "Ontvangstbevestiging van uw klacht")

    def test_the_officer_corrects_the_language_when_registering_and_nothing_else_is_accepted(self):
        complaint = self.lodge(received=D(2026, 3, 24))
        with self.assertRaises(actions.ValidationError) as cm:
            actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), language="de")
        self.assertIn("language", cm.exception.message_dict)
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)), language="en")
        complaint.refresh_from_db()
        self.assertEqual(complaint.language, "en")
        with self.assertRaises(actions.ValidationError) as cm:
            self.lodge(language="fr")
        self.assertIn("language", cm.exception.message_dict)


class TestLanguagePages(ComplaintsTestCase):
    def lodge_in_portal(self, cookie=None, stored="nl"):
        self.client_user.language = stored
        self.client_user.save(update_fields=["language"])
        self.login(self.client_user)
        if cookie:
            self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
        self.client.post(reverse("complaints:lodge"), {
            "subject": "service", "category": "planning", "level": "practice", "description": "Too long a wait."})
        return Complaint.objects.get()

    def test_a_client_who_uses_the_portal_in_english_gets_her_letters_in_english(self):
        self.assertEqual(self.lodge_in_portal("en", stored="en").language, "en")

    def test_a_client_who_chose_no_language_gets_dutch_letters(self):
        self.assertEqual(self.lodge_in_portal().language, "nl")

    def test_a_client_who_chose_english_on_another_device_gets_her_letters_in_english(self):
        """Her account's language decides, not this device's cookie (accounts: User.language)."""
        self.assertEqual(self.lodge_in_portal("nl", stored="en").language, "en")

    def test_a_client_whose_account_says_dutch_gets_dutch_letters_whatever_this_device_shows(self):
        self.assertEqual(self.lodge_in_portal("en", stored="nl").language, "nl")

    def test_the_officers_case_page_says_which_language_the_complainant_and_each_letter_are_in(self):
        complaint = self.lodge_in_portal("en", stored="en")
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=self.now)
        actions.acknowledge(actor=self.outsider, complaint=complaint, now=self.now)
        self.client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
        self.login(self.outsider)
        page = self.client.get(reverse("complaints:detail", args=[complaint.public_id])).content.decode()
        self.assertIn('<dd id="complainant-language">English</dd>', page)
        self.assertIn('<span class="badge badge-muted" lang="en">English</span>', page)
        self.assertIn("Letters to the complainant go out in English; letters to the coach in Dutch.", page)

    def test_staff_record_the_language_of_a_complaint_that_reached_them(self):
        self.login(self.outsider)
        self.client.post(reverse("complaints:new"), {
            "channel": "letter", "received_on": timezone.localdate().isoformat(), "name": "Piet Klager",
            "subject": "service", "category": "planning", "level": "practice", "description": "Te laat.",
            "language": "en"})
        self.assertEqual(Complaint.objects.get().language, "en")

    def test_management_edits_the_english_text_beside_the_dutch_one(self):
        self.login(self.management)
        url = reverse("complaints:template_edit", args=["settlement"]) + "?language=en"
        page = self.client.get(url)
        self.assertContains(page, "Settlement of your complaint")
        self.client.post(url, {"subject": "Your complaint is settled", "body": "Dear {name},\n\n{text}"})
        self.assertEqual(LetterTemplate.objects.get(kind="settlement", language="en").subject,
                         "Your complaint is settled")
        self.assertEqual(letters.template_for("settlement", "nl").subject, "Afhandeling van uw klacht")
        # A coach's letter is Dutch only: there is no English text of it.
        self.assertEqual(self.client.get(reverse("complaints:template_edit", args=["ruling_coach"])
                                         + "?language=en").status_code, 404)
        self.assertEqual(self.client.get(reverse("complaints:template_edit", args=["settlement"])
                                         + "?language=de").status_code, 404)

    def test_the_templates_page_asks_to_check_an_english_text_after_its_dutch_text_changed(self):
        self.login(self.management)
        page = self.client.get(reverse("complaints:templates")).content.decode()
        self.assertIn('id="letter-languages"', page)
        self.assertIn("?language=en", page)
        self.assertNotIn('id="check-english-settlement"', page)
        dutch = letters.template_for("settlement", "nl")
        actions.update_letter_template(actor=self.management, template=dutch, now=timezone.now(),
                                       subject="Afhandeling", body="Beste {name},\n\n{text}")
        page = self.client.get(reverse("complaints:templates")).content.decode()
        self.assertIn('id="check-english-settlement"', page)
        english = letters.template_for("settlement", "en")
        actions.update_letter_template(actor=self.management, template=english, now=timezone.now(),
                                       subject="Settlement", body="Dear {name},\n\n{text}")
        page = self.client.get(reverse("complaints:templates")).content.decode()
        self.assertNotIn('id="check-english-settlement"', page)


class TestLanguageApi(ComplaintsTestCase):
    def send(self, method, url, data):
        return self.client.generic(method, url, json.dumps(data), content_type="application/json")

    def test_the_api_lodges_registers_and_lists_letters_with_their_language(self):
        self.login(self.client_user)
        response = self.send("POST", "/api/complaints/", {"subject": "service", "category": "planning",
                                                          "description": "Too long.", "language": "en"})
        self.assertEqual(response.json()["language"], "en")
        cid = response.json()["id"]
        self.assertEqual(self.send("POST", "/api/complaints/", {"subject": "service", "category": "planning",
                                                                "description": "x", "language": "de"}).json()
                         ["errors"], {"language": [mock.ANY]})
        self.login(self.outsider)
        self.assertEqual(self.send("POST", f"/api/complaints/{cid}/register", {"language": "nl"}).json()["language"],
                         "nl")
        data = self.send("POST", f"/api/complaints/{cid}/acknowledgement", {}).json()
        self.assertEqual(data["letters"][0]["language"], "nl")

    def test_management_reads_and_edits_the_english_letter_texts(self):
        self.login(self.management)
        listed = self.client.get("/api/complaints/letter-templates").json()
        self.assertIn(("settlement", "en"), [(t["kind"], t["language"]) for t in listed])
        self.assertNotIn(("ruling_coach", "en"), [(t["kind"], t["language"]) for t in listed])
        response = self.send("PUT", "/api/complaints/letter-templates/settlement/en",
                             {"subject": "Settled", "body": "Dear {name}, {nonsense}"})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(list(response.json()["errors"]), ["body"])
        response = self.send("PUT", "/api/complaints/letter-templates/settlement/en",
                             {"subject": "Settled", "body": "Dear {name},\n\n{text}"})
        self.assertEqual(response.json()["subject"], "Settled")
        self.assertEqual(self.send("PUT", "/api/complaints/letter-templates/ruling_coach/en",
                                   {"subject": "x", "body": "y"}).status_code, 404)


class TestTheProcedureInTheReadersLanguage(ComplaintsTestCase):
    """KR-3.1: the complaints procedure went to every client as a Dutch PDF, also attached to the
    English mail of a client who reads English; the PDF is now in the mail's language."""

    def send_to_the_client(self, language):
        from coachdossier.accounts.models import User
        from coachdossier.complaints.models import ProcedureNotice

        User.objects.filter(pk=self.client_user.pk).update(language=language)
        actions.send_procedure_for_trajectory(actor=self.management, trajectory=self.own_client.current_trajectory,
                                              now=self.now)
        return mail.outbox[-1], ProcedureNotice.objects.latest("pk")

    def test_kr_3_1_a_client_who_reads_english_gets_the_procedure_pdf_in_english(self):
        message, notice = self.send_to_the_client("en")
        filename, data, _type = message.attachments[0]
        self.assertEqual(filename, "complaints-procedure.pdf")
        text = " ".join(pdf_text(data).split())
        self.assertIn("Complaints procedure", text)
        self.assertIn("A complaint is every expression of dissatisfaction.", text)
        self.assertIn("Page 1 of", text)
        self.assertNotIn("klacht", text)
        self.assertEqual(notice.document_language, "en")

    def test_kr_3_1_a_client_who_reads_dutch_gets_it_in_dutch(self):
        message, notice = self.send_to_the_client("nl")
        filename, data, _type = message.attachments[0]
        self.assertEqual(filename, "klachtenregeling.pdf")
        self.assertIn("Een klacht is iedere uiting van ontevredenheid.", " ".join(pdf_text(data).split()))
        self.assertEqual(notice.document_language, "nl")

    def test_kr_3_1_the_proof_holds_for_the_language_and_renderer_it_records(self):
        message, notice = self.send_to_the_client("en")
        sent = letters.procedure_pdf(notice.document_renderer, notice.document_language)
        self.assertEqual(message.attachments[0][1], sent)
        self.assertEqual(notice.document_sha256, letters.sha256(sent))
        self.assertNotEqual(notice.document_sha256, letters.sha256(letters.procedure_pdf(notice.document_renderer)))

    def test_kr_3_1_the_pages_and_the_api_give_the_procedure_in_the_readers_language_or_the_one_asked(self):
        self.addCleanup(translation.deactivate)  # the middleware leaves the last page's language active
        self.login(self.client_user)
        for url in (reverse("complaints:procedure_pdf"), "/api/complaints/procedure.pdf"):
            with self.subTest(url=url):
                self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
                self.assertEqual(self.client.get(url).content, letters.procedure_pdf(language="en"))
                self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
                self.assertEqual(self.client.get(url).content, letters.procedure_pdf(language="nl"))
                self.assertEqual(self.client.get(url + "?language=en").content, letters.procedure_pdf(language="en"))
        self.assertEqual(self.client.get("/api/complaints/procedure.pdf?language=de").status_code, 422)

    def test_kr_3_1_management_sees_which_language_each_proof_is_in(self):
        self.send_to_the_client("en")
        self.login(self.management)
        page = self.client.get(reverse("complaints:procedure")).content.decode()
        self.assertIn("?language=en", page)
        self.assertIn("<td>English</td>", page)
        notices = self.client.get("/api/complaints/procedure-notices").json()["notices"]
        self.assertEqual([n["document_language"] for n in notices], ["en"])


class TestTheDefaultLanguageIsTheClients(ComplaintsTestCase):
    """Staff lodging a complaint for a client gave it their own language (the API took the language
    of whoever sent the request; the page, Dutch): the complainant's letters now default to the
    language of the client's portal account (User.language), else Dutch."""

    def speaks(self, user, language):
        user.language = language
        user.save(update_fields=["language"])

    def lodge_for_the_client(self, **kwargs):
        return actions.lodge_complaint(**{"actor": self.outsider, "now": self.now, "channel": "letter",
                                          "subject": "service", "category": "planning", "description": "Te laat.",
                                          "client": self.own_client, **kwargs})

    def test_kr_2_1_a_complaint_staff_lodge_for_a_client_is_in_her_accounts_language(self):
        self.speaks(self.outsider, "en")
        self.speaks(self.client_user, "nl")
        self.assertEqual(self.lodge_for_the_client().language, "nl")
        self.speaks(self.outsider, "nl")
        self.speaks(self.client_user, "en")
        self.assertEqual(self.lodge_for_the_client().language, "en")
        self.assertEqual(self.lodge_for_the_client(language="nl").language, "nl")  # a choice made still counts

    def test_kr_2_1_a_client_without_a_portal_account_and_a_complainant_who_is_no_client_get_dutch(self):
        emma = make_client(actor=self.management, coach=self.coach, principal=self.employer, first="Emma",
                           last="Bakker")
        self.assertIsNone(emma.user)
        self.assertEqual(self.lodge_for_the_client(client=None, name="Piet Klager").language, "nl")
        self.assertEqual(actions.lodge_complaint(actor=self.outsider, now=self.now, channel="letter",
                                                 subject="service", category="planning", description="Te laat.",
                                                 client=emma).language, "nl")

    def test_the_api_defaults_to_the_clients_language_not_the_senders(self):
        self.speaks(self.outsider, "en")
        self.speaks(self.client_user, "nl")
        self.login(self.outsider)
        response = self.client.post("/api/complaints/", {
            "subject": "service", "category": "planning", "description": "Te laat.", "channel": "letter",
            "client_reference": self.own_client.reference}, content_type="application/json")
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["language"], "nl")

    def test_the_page_leaves_the_language_open_and_takes_the_clients(self):
        self.speaks(self.client_user, "en")
        self.login(self.outsider)
        page = self.client.get(reverse("complaints:new")).content.decode()
        self.assertIn('<option value="" selected>', page)
        self.client.post(reverse("complaints:new"), {
            "channel": "letter", "received_on": timezone.localdate().isoformat(),
            "client_reference": self.own_client.reference, "subject": "service", "category": "planning",
            "level": "practice", "description": "Too late.", "language": ""})
        self.assertEqual(Complaint.objects.get().language, "en")


class TestChangingTheComplainantsLanguage(ComplaintsTestCase):
    """A complainant's language could only be set when lodging or registering; the complaints
    officer now changes it later (an audited step in the register), and a client who changes her
    own account's language takes the letters of her open complaints along."""

    def registered(self, language="nl"):
        complaint = self.lodge(received=D(2026, 3, 24), language=language)
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 25)))
        return complaint

    def test_kr_3_3e_the_officer_changes_it_and_later_letters_and_notices_follow(self):
        from coachdossier.audit.models import AccessLogEntry
        from coachdossier.complaints.models import ComplaintEvent, EventKind

        complaint = self.registered("nl")
        actions.change_language(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 26)), language="en")
        complaint.refresh_from_db()
        self.assertEqual(complaint.language, "en")
        event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.LANGUAGE)
        self.assertEqual((event.actor, event.params), (self.outsider, {"language": "en"}))
        self.assertEqual(event.summary, "Letters to the complainant from now on in English.")
        self.assertTrue(AccessLogEntry.objects.filter(action="complaint.language").exists())
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            letter = actions.acknowledge(actor=self.outsider, complaint=complaint, now=at(D(2026, 3, 26)))
        self.assertEqual(letter.language, "en")
        self.assertEqual(mail.outbox[-1].subject, "A letter about your complaint is ready")

    def test_the_same_language_again_writes_nothing_and_a_closed_or_unknown_one_is_refused(self):
        from coachdossier.complaints.models import EventKind

        complaint = self.registered("nl")
        actions.change_language(actor=self.outsider, complaint=complaint, now=self.now, language="nl")
        self.assertFalse(complaint.events.filter(kind=EventKind.LANGUAGE).exists())
        with self.assertRaises(actions.ValidationError) as cm:
            actions.change_language(actor=self.outsider, complaint=complaint, now=self.now, language="de")
        self.assertIn("language", cm.exception.message_dict)
        actions.close_complaint(actor=self.outsider, complaint=complaint, now=self.now, outcome="withdrawn")
        with self.assertRaises(actions.ValidationError) as cm:
            actions.change_language(actor=self.outsider, complaint=complaint, now=self.now, language="en")
        self.assertIn("complaint", cm.exception.message_dict)

    def test_the_officer_changes_it_on_the_case_page(self):
        complaint = self.registered("nl")
        self.login(self.outsider)
        url = reverse("complaints:detail", args=[complaint.public_id])
        page = self.client.get(url).content.decode()
        self.assertIn('id="step-language"', page)
        response = self.client.post(reverse("complaints:step", args=[complaint.public_id, "language"]),
                                    {"language": "en"})
        self.assertRedirects(response, url)
        complaint.refresh_from_db()
        self.assertEqual(complaint.language, "en")
        self.assertContains(self.client.get(url), "Letters to the complainant from now on in English.")

    def test_the_api_changes_it_for_those_who_handle_the_case_only(self):
        complaint = self.registered("nl")
        url = f"/api/complaints/{complaint.public_id}/language"
        self.login(self.client_user)
        self.assertEqual(self.client.put(url, {"language": "en"}, content_type="application/json").status_code, 403)
        self.login(self.outsider)
        refused = self.client.put(url, {"language": "de"}, content_type="application/json")
        self.assertEqual(refused.status_code, 422)
        self.assertIn("language", refused.json()["errors"])
        response = self.client.put(url, {"language": "en"}, content_type="application/json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["language"], "en")

    def test_a_client_who_changes_her_own_language_takes_her_open_complaints_along(self):
        from coachdossier.accounts import actions as account_actions

        self.client_user.language = "nl"
        self.client_user.save(update_fields=["language"])
        open_one, closed_one = self.registered("nl"), self.registered("nl")
        actions.close_complaint(actor=self.outsider, complaint=closed_one, now=self.now, outcome="withdrawn")
        someone_elses = actions.lodge_complaint(actor=self.outsider, now=self.now, channel="letter",
                                                subject="service", category="planning", description="x",
                                                name="Piet Klager", language="nl")
        account_actions.set_language(actor=self.client_user, language="en", now=self.now)
        for complaint, language in ((open_one, "en"), (closed_one, "nl"), (someone_elses, "nl")):
            complaint.refresh_from_db()
            self.assertEqual(complaint.language, language)
        event = open_one.events.get(kind="language")
        self.assertEqual(event.actor, self.client_user)

    def test_the_language_switch_and_the_api_take_them_along_too(self):
        self.addCleanup(translation.deactivate)
        complaint = self.registered("en")
        self.login(self.client_user)
        self.client.post("/accounts/language/", {"language": "nl", "next": "/portal/"})
        complaint.refresh_from_db()
        self.assertEqual(complaint.language, "nl")
        self.client.put("/api/accounts/me/language", {"language": "en"}, content_type="application/json")
        complaint.refresh_from_db()
        self.assertEqual(complaint.language, "en")
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the API sets no cookie on this device
        page = self.client.get(reverse("complaints:mine", args=[complaint.public_id])).content.decode()
        self.assertIn('<dd id="complaint-language">English <small class="muted">Your letters follow the language you '
                      'choose for this site.</small></dd>', page)
