"""The complaint pages: what each person sees, and bad input shown next to the field."""

import datetime

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coachdossier.complaints import actions
from coachdossier.complaints.models import ClosureDay, Complaint, LetterTemplate, Status

from .test_actions import ComplaintsTestCase

D = datetime.date


class TestPortalLodging(ComplaintsTestCase):
    def test_kr_1_a_client_lodges_in_the_portal_and_sees_it(self):
        """KR-1: from the portal form to the client's own complaint page."""
        self.login(self.client_user)
        response = self.client.post(reverse("complaints:lodge"), {
            "subject": "coach", "coach": self.coach.pk, "category": "communication", "level": "practice",
            "description": "Mijn coach reageert niet op mails."})
        complaint = Complaint.objects.get()
        self.assertRedirects(response, reverse("complaints:mine", args=[complaint.public_id]))
        page = self.client.get(reverse("complaints:mine", args=[complaint.public_id]))
        self.assertContains(page, "Mijn coach reageert niet op mails.")

    def test_a_client_can_only_name_their_own_coach(self):
        self.login(self.client_user)
        response = self.client.post(reverse("complaints:lodge"), {
            "subject": "coach", "coach": self.other_coach.pk, "category": "communication", "level": "practice",
            "description": "x"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Complaint.objects.exists())

    def test_kr_3_2_a_complaint_form_sent_twice_opens_one_case_with_one_set_of_clocks(self):
        """KR-3.2: a double click, or back and send again, must not start a second case with its own deadlines."""
        import re

        self.login(self.client_user)
        page = self.client.get(reverse("complaints:lodge")).content.decode()
        [key] = re.findall(r'name="idempotency_key" value="([^"]+)"', page)
        form = {"subject": "service", "category": "planning", "level": "practice",
                "description": "Te lang gewacht op een afspraak.", "idempotency_key": key}
        first = self.client.post(reverse("complaints:lodge"), form)
        second = self.client.post(reverse("complaints:lodge"), form)
        complaint = Complaint.objects.get()
        self.assertRedirects(first, reverse("complaints:mine", args=[complaint.public_id]))
        self.assertRedirects(second, reverse("complaints:mine", args=[complaint.public_id]))
        changed = self.client.post(reverse("complaints:lodge"), {**form, "description": "Toch anders."}, follow=True)
        self.assertContains(changed, "the changes in your second submission were not saved")
        self.assertEqual(Complaint.objects.count(), 1)

    def test_kr_1_a_client_with_one_coach_finds_that_coach_already_chosen(self):
        """KR-1: a low threshold: the client with one coach need not pick her from a list."""
        self.login(self.client_user)
        page = self.client.get(reverse("complaints:lodge"))
        self.assertContains(page, f'<option value="{self.coach.pk}" selected>')

    def test_the_portal_section_lists_the_clients_complaints(self):
        from coachdossier.complaints.portal_sections import sections

        self.lodge()
        request = type("R", (), {"user": self.client_user})()
        [panel] = sections(request, self.own_client, None)
        self.assertEqual(len(panel.context["complaints"]), 1)


class TestCasePage(ComplaintsTestCase):
    def setUp(self):
        super().setUp()
        self.complaint = self.lodge(received=D(2026, 11, 20))
        self.login(self.outsider)

    def step(self, name, data):
        return self.client.post(reverse("complaints:step", args=[self.complaint.public_id, name]), data)

    def test_kr_3_2_the_officer_registers_it_from_the_case_page(self):
        response = self.step("register", {"received_on": "2026-11-20", "category": "communication"})
        self.assertRedirects(response, reverse("complaints:detail", args=[self.complaint.public_id]))
        self.complaint.refresh_from_db()
        self.assertTrue(self.complaint.number.startswith("K-"))

    def test_a_future_receipt_date_is_shown_next_to_the_field_and_nothing_saved(self):
        response = self.step("register", {"received_on": "2099-01-01", "category": "communication"})
        self.assertContains(response, "The receipt date cannot be in the future.")
        self.complaint.refresh_from_db()
        self.assertEqual(self.complaint.status, Status.LODGED)

    def test_a_non_admission_without_reason_is_refused_on_the_page(self):
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        response = self.step("admission", {"admitted": "no", "reason": ""})
        self.assertContains(response, "Give the reason the complaint is not admitted.")
        self.complaint.refresh_from_db()
        self.assertIsNone(self.complaint.admitted)

    def test_kr_3_3a_an_acknowledgement_sent_twice_says_why_the_second_was_not_saved(self):
        """KR-3.3a: after a double submit the step's form is gone, so its reason stands at the top."""
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        self.assertEqual(self.step("acknowledge", {"text": ""}).status_code, 302)
        response = self.step("acknowledge", {"text": ""})
        self.assertContains(response, "This step was not saved:")
        self.assertContains(response, "The acknowledgement was already sent.", count=1)
        self.assertEqual(self.complaint.letters.count(), 1)

    def test_kr_3_5_closing_asks_first_because_a_closed_complaint_cannot_be_reopened(self):
        """KR-3.5: the close button was one click from an irreversible step."""
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        page = self.client.get(reverse("complaints:detail", args=[self.complaint.public_id]))
        self.assertContains(page, 'name="submit-close" data-confirm="Close this complaint? A closed complaint '
                                  'cannot be reopened (KR-3.5)."')

    def test_kr_3_steps_that_send_a_letter_or_fix_a_decision_ask_first(self):
        """KR-3.3c, KR-3.3d, KR-3.4b, KR-3.4c, GC-8.2: like closing, these were one click from a
        letter to the complainant or a decision that cannot be changed."""
        def confirms(*steps):
            page = self.client.get(reverse("complaints:detail", args=[self.complaint.public_id])).content.decode()
            for name in steps:
                self.assertRegex(page, f'name="submit-{name}" data-confirm="[^"]+\\?', name)

        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        confirms("admission")
        actions.decide_admission(actor=self.outsider, complaint=self.complaint, now=self.now, admitted=True)
        actions.appoint_committee(actor=self.outsider, complaint=self.complaint, coaches=[self.coach_c, self.coach_d],
                                  now=self.now)
        confirms("settle")
        actions.settle(actor=self.outsider, complaint=self.complaint, now=self.now, text="Antwoord.")
        for _attempt in range(3):
            actions.log_call(actor=self.outsider, complaint=self.complaint, now=self.now, reached=False)
        confirms("not_reached", "mediation", "close")
        umbrella = self.lodge(received=D(2026, 11, 20), level="umbrella")
        actions.register_complaint(actor=self.outsider, complaint=umbrella, now=self.now)
        actions.record_ruling(actor=self.outsider, complaint=umbrella, now=self.now, ruling="founded",
                              ruling_on=D(2026, 11, 21))
        self.complaint = umbrella
        confirms("communicate")

    def test_gc_8_1_the_umbrella_case_page_offers_the_ruling_and_closing_with_it_not_the_practices_committee(self):
        """GC-8.1, GC-8.2: the page offered the practice's committee, extension and settlement, and
        closing only as "withdrawn" once the ruling had gone out."""
        umbrella = self.lodge(received=D(2026, 11, 20), level="umbrella")
        actions.register_complaint(actor=self.outsider, complaint=umbrella, now=self.now)
        actions.decide_admission(actor=self.outsider, complaint=umbrella, now=self.now, admitted=True)
        url = reverse("complaints:detail", args=[umbrella.public_id])
        page = self.client.get(url)
        for step in ("committee", "extend", "settle"):
            self.assertNotContains(page, f'id="step-{step}"')
        self.assertContains(page, 'id="step-ruling"')
        self.assertContains(page, "The umbrella organisation's complaints committee handles this complaint (GC-8.1).")
        actions.record_ruling(actor=self.outsider, complaint=umbrella, now=self.now, ruling="founded",
                              ruling_on=D(2026, 11, 21))
        actions.communicate_ruling(actor=self.outsider, complaint=umbrella, now=self.now)
        self.complaint = umbrella
        self.assertRedirects(self.step("close", {"outcome": "ruling"}), url)
        page = self.client.get(url)
        self.assertContains(page, "Concluded with the umbrella committee&#x27;s ruling (GC-8.2)", count=2)

    def test_gc_8_2_the_umbrella_case_page_offers_no_ruling_once_the_complaint_was_not_admitted(self):
        umbrella = self.lodge(received=D(2026, 11, 2), level="umbrella")
        actions.register_complaint(actor=self.outsider, complaint=umbrella, now=self.now)
        actions.decide_admission(actor=self.outsider, complaint=umbrella, now=self.now, admitted=False,
                                 reason="Valt buiten het klachtenreglement.")
        url = reverse("complaints:detail", args=[umbrella.public_id])
        self.assertNotContains(self.client.get(url), 'id="step-ruling"')
        self.complaint = umbrella
        response = self.step("ruling", {"ruling": "founded", "ruling_on": "2026-11-20", "measures": ""})
        self.assertContains(response, "This complaint was not admitted: there is no ruling to record for it.")
        umbrella.refresh_from_db()
        self.assertEqual(umbrella.ruling, "")

    def test_gc_8_1_the_officer_hands_a_practice_complaint_to_the_umbrella_from_the_case_page(self):
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        url = reverse("complaints:detail", args=[self.complaint.public_id])
        self.assertContains(self.client.get(url), 'id="step-umbrella"')
        self.assertRedirects(self.step("umbrella", {"note": "Bij de koepel ingediend."}), url)
        page = self.client.get(url)
        self.assertNotContains(page, 'id="step-umbrella"')
        self.assertContains(page, 'id="step-ruling"')
        self.assertContains(page, "Handed to the umbrella organisation")

    def test_kr_3_3d_the_extension_says_how_the_complainant_was_told_in_a_sentence(self):
        """KR-3.3d: the page read "the complainant was told In writing." mid-sentence."""
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        actions.extend_term(actor=self.outsider, complaint=self.complaint, now=self.now, new_date=D(2027, 1, 29),
                            told_via="phone")
        page = self.client.get(reverse("complaints:detail", args=[self.complaint.public_id]))
        self.assertContains(page, "the complainant was told by phone.")

    def test_a_conflicted_committee_member_is_refused_on_the_page(self):
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        response = self.step("committee", {"coaches": [self.coach.pk, self.coach_c.pk]})
        self.assertContains(response, "Alice Coach is the coach the complaint is about.")
        self.assertFalse(self.complaint.committee.exists())

    def test_gc_9_4_a_committee_member_sees_the_case_but_not_the_dossier(self):
        """GC-9.4: the committee sees the complaint case, and has no access to the dossier."""
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        actions.appoint_committee(actor=self.outsider, complaint=self.complaint, coaches=[self.coach_c, self.coach_d],
                                  now=self.now)
        self.login(self.coach_c)
        page = self.client.get(reverse("complaints:detail", args=[self.complaint.public_id]))
        self.assertContains(page, "Mijn coach kwam twee keer niet opdagen.")
        self.assertNotContains(page, "Next steps")
        self.assertEqual(self.client.get(reverse("clients:detail", args=[self.own_client.public_id])).status_code, 404)
        self.assertEqual(self.step("close", {"outcome": "withdrawn"}).status_code, 403)
        self.assertEqual(self.step("note", {"note": "Gesprek met klager gepland."}).status_code, 302)

    def test_gc_9_4_a_committee_member_cannot_open_the_letters_that_print_the_complainants_address(self):
        """GC-9.4: the case page hides the complainant's contact details from the committee, but
        the letters, which print the address they went to, were a download away (page and API).
        The committee hears both sides and rules; the practice's letters are not part of that."""
        from coachdossier.audit.models import AccessLogEntry, Outcome

        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        letter = actions.acknowledge(actor=self.outsider, complaint=self.complaint, now=self.now)
        actions.appoint_committee(actor=self.outsider, complaint=self.complaint, coaches=[self.coach_c, self.coach_d],
                                  now=self.now)
        url = reverse("complaints:letter", args=[self.complaint.public_id, letter.public_id])
        self.login(self.coach_c)
        page = self.client.get(reverse("complaints:detail", args=[self.complaint.public_id]))
        self.assertContains(page, "Acknowledgement of receipt")  # which letters went, and when
        self.assertNotContains(page, url)
        self.assertEqual(self.client.get(url).status_code, 403)
        api = self.client.get(f"/api/complaints/{self.complaint.public_id}/letters/{letter.public_id}")
        self.assertEqual(api.status_code, 403)
        self.assertEqual(AccessLogEntry.objects.filter(actor=self.coach_c, action="complaint.letter_read",
                                                       outcome=Outcome.DENIED).count(), 2)
        self.assertFalse(AccessLogEntry.objects.filter(actor=self.coach_c, action="complaint.letter_read",
                                                       outcome=Outcome.ALLOWED).exists())
        self.login(self.client_user)  # the complainant reads the letters written to her
        self.assertTrue(self.client.get(url).content.startswith(b"%PDF"))

    def test_gc_8_2_the_complainant_does_not_get_the_letter_to_the_coach(self):
        """GC-8.2: the ruling's letter to the coach is listed on the case page, not in the
        complainant's portal, and is no download of hers (page or API)."""
        umbrella = self.lodge(received=D(2026, 11, 20), level="umbrella")
        actions.register_complaint(actor=self.outsider, complaint=umbrella, now=self.now)
        actions.record_ruling(actor=self.outsider, complaint=umbrella, now=self.now, ruling="founded",
                              ruling_on=D(2026, 11, 21))
        response = self.client.post(reverse("complaints:step", args=[umbrella.public_id, "communicate"]),
                                    {"text": "Voor de klager.", "coach_text": "Voor de coach."})
        self.assertEqual(response.status_code, 302)
        to_complainant, to_coach = umbrella.letters.all()
        self.assertIn("Voor de coach.", to_coach.content["body"])
        case = self.client.get(reverse("complaints:detail", args=[umbrella.public_id]))
        self.assertContains(case, "Ruling of the committee, to the coach")
        coach_url = reverse("complaints:letter", args=[umbrella.public_id, to_coach.public_id])
        self.login(self.client_user)
        mine = self.client.get(reverse("complaints:mine", args=[umbrella.public_id]))
        self.assertContains(mine, reverse("complaints:letter", args=[umbrella.public_id, to_complainant.public_id]))
        self.assertNotContains(mine, coach_url)
        self.assertEqual(self.client.get(coach_url).status_code, 404)
        self.assertEqual(self.client.get(f"/api/complaints/{umbrella.public_id}/letters/{to_coach.public_id}")
                         .status_code, 404)
        api = self.client.get(f"/api/complaints/{umbrella.public_id}").json()
        self.assertEqual([letter["kind"] for letter in api["letters"]], ["ruling"])

    def test_the_letter_is_a_pdf(self):
        actions.register_complaint(actor=self.outsider, complaint=self.complaint, now=self.now)
        letter = actions.acknowledge(actor=self.outsider, complaint=self.complaint, now=self.now)
        response = self.client.get(reverse("complaints:letter", args=[self.complaint.public_id, letter.public_id]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))


class TestRegisterPage(ComplaintsTestCase):
    def test_overdue_complaints_come_first_and_the_query_count_stays_flat(self):
        late = self.lodge(received=D(2026, 11, 2))  # register due 9 Nov: late on 23 Nov
        fresh = self.lodge(received=D(2026, 11, 20))
        self.login(self.outsider)
        response = self.client.get(reverse("complaints:register"))
        rows = response.context["rows"]
        self.assertEqual([r["complaint"] for r in rows], [late, fresh])
        for i in range(5):
            self.lodge(received=D(2026, 11, 10 + i))
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("complaints:register"))
        for i in range(5):
            self.lodge(received=D(2026, 11, 16 + i))
        with CaptureQueriesContext(connection) as more:
            self.client.get(reverse("complaints:register"))
        self.assertEqual(len(few), len(more))


class TestPracticeSettings(ComplaintsTestCase):
    def test_management_edits_a_letter_template_and_the_next_letter_uses_it(self):
        self.login(self.management)
        url = reverse("complaints:template_edit", args=["acknowledgement"])
        bad = self.client.post(url, {"subject": "Ontvangen", "body": "Beste {naam}"})
        self.assertContains(bad, "Unknown placeholders: naam.")
        self.client.post(url, {"subject": "Ontvangen", "body": "Beste {name}, uw klacht {number} is binnen."})
        self.assertEqual(LetterTemplate.objects.get(kind="acknowledgement").subject, "Ontvangen")
        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=self.now)
        letter = actions.acknowledge(actor=self.outsider, complaint=complaint, now=self.now)
        self.assertEqual(letter.content["body"], "Beste Carla de Vries, uw klacht K-2026-001 is binnen.")

    def test_the_placeholders_are_explained_in_dutch_on_the_dutch_page(self):
        self.login(self.management)
        with override_settings(LANGUAGE_CODE="nl"):
            page = self.client.get(reverse("complaints:templates"))
        self.assertContains(page, "{name}")
        self.assertNotContains(page, "the complainant&#x27;s name")

    def test_a_closure_day_moves_the_deadline(self):
        complaint = self.lodge(received=D(2026, 11, 20))  # register due Fri 27 Nov
        self.login(self.management)
        self.client.post(reverse("complaints:closures"), {"date": "2026-11-27", "description": "Teamdag"})
        self.assertTrue(ClosureDay.objects.filter(date=D(2026, 11, 27)).exists())
        clocks = {c.key: c for c in __import__("coachdossier.complaints.models", fromlist=["x"]).clocks_for(
            complaint, D(2026, 11, 23))}
        self.assertEqual(clocks["register"].due, D(2026, 11, 30))

    def test_kr_3_1_trajectories_without_proof_are_listed(self):
        """KR-3.1: the personas' trajectories were opened without sending: both are listed."""
        self.login(self.management)
        response = self.client.get(reverse("complaints:procedure"))
        self.assertEqual(len(response.context["trajectories"]), 2)
        self.client.post(reverse("complaints:procedure_send"),
                         {"trajectory": self.own_client.current_trajectory.public_id})
        self.assertEqual(len(self.client.get(reverse("complaints:procedure")).context["trajectories"]), 1)


class TestReportPages(ComplaintsTestCase):
    def test_kr_3_6_evaluation_page_pdf_and_csv(self):
        self.lodge()
        self.login(self.management)
        page = self.client.get(reverse("complaints:evaluation") + "?year=2026")
        self.assertContains(page, "<svg")
        self.assertTrue(self.client.get(reverse("complaints:evaluation") + "?year=2026&format=pdf")
                        .content.startswith(b"%PDF"))
        self.assertEqual(self.client.get(reverse("complaints:evaluation") + "?format=csv")["Content-Type"],
                         "text/csv; charset=utf-8")

    def test_kr_3_7_uwv_page_for_any_period(self):
        self.login(self.outsider)
        page = self.client.get(reverse("complaints:uwv") + "?start=2026-01-01&end=2026-12-31")
        self.assertEqual(len(page.context["figures"].rows()), 5)
        bad = self.client.get(reverse("complaints:uwv") + "?start=2026-12-31&end=2026-01-01")
        self.assertContains(bad, "The end comes before the start.")

    def test_kr_3_7_a_refused_period_shows_no_figures_and_offers_no_download(self):
        """KR-3.7: the current quarter's figures under the error were read as those asked for."""
        self.login(self.outsider)
        for query in ("?start=2026-12-31&end=2026-01-01", "?start=2026-13-01&end=2026-12-31"):
            page = self.client.get(reverse("complaints:uwv") + query)
            self.assertTrue(page.context["form"].errors)
            self.assertIsNone(page.context["figures"])
            self.assertNotContains(page, 'id="uwv-figures"')
            self.assertNotContains(page, "format=pdf")
            for fmt in ("pdf", "csv"):
                download = self.client.get(reverse("complaints:uwv") + query + f"&format={fmt}")
                self.assertEqual(download["Content-Type"], "text/html; charset=utf-8")
                self.assertIsNone(download.context["figures"])


class TestNoticesAndDashboard(ComplaintsTestCase):
    def test_a_letter_reaches_the_client_as_a_notice_with_a_portal_link_only(self):
        """GC-6.3 (KR-3.3a): the email says a letter is ready and links to the portal; no content."""
        from django.core import mail

        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=self.now)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            letter = actions.acknowledge(actor=self.outsider, complaint=complaint, now=self.now)
        [message] = mail.outbox
        self.assertEqual(message.to, ["carla@example.com"])
        self.assertIn(reverse("complaints:mine", args=[complaint.public_id]), message.body)
        self.assertNotIn("opdagen", message.body)
        self.assertNotIn("Carla", message.body)
        self.assertEqual(message.attachments, [])
        letter.refresh_from_db()
        self.assertTrue(letter.emailed)

    def test_the_officers_panel_puts_overdue_complaints_first_with_charts(self):
        from coachdossier.complaints.dashboard import panels

        late = self.lodge(received=D(2026, 11, 2))
        self.lodge(received=D(2026, 11, 20))
        request = type("R", (), {"user": self.outsider})()
        [panel] = panels(request, self.now)
        self.assertEqual(panel.context["rows"][0]["complaint"], late)
        self.assertEqual(panel.context["late"], 1)
        self.login(self.outsider)
        self.assertContains(self.client.get(reverse("home")), "<svg")

    def test_a_committee_member_gets_a_panel_with_their_cases(self):
        from coachdossier.complaints.dashboard import panels

        complaint = self.lodge()
        actions.register_complaint(actor=self.outsider, complaint=complaint, now=self.now)
        actions.appoint_committee(actor=self.outsider, complaint=complaint, coaches=[self.coach_c, self.coach_d],
                                  now=self.now)
        request = type("R", (), {"user": self.coach_c})()
        self.assertEqual(panels(request, self.now)[0].context["cases"], [complaint])
        self.assertEqual(panels(type("R", (), {"user": self.coach})(), self.now), [])


class TestStaffLodging(ComplaintsTestCase):
    def form(self, **changes):
        data = {"channel": "phone", "received_on": "2026-11-23", "client_reference": self.own_client.reference,
                "subject": "service", "category": "planning", "level": "practice",
                "description": "Belde over het steeds verzetten van afspraken."}
        data.update(changes)
        return data

    def test_kr_2_2_a_coach_registers_a_phone_complaint_with_the_form(self):
        """KR-2.2: without the recorded offer the page says so next to the field; with it, it is lodged."""
        self.login(self.coach)
        response = self.client.post(reverse("complaints:new"), self.form())
        self.assertContains(response, "was offered to register this as a complaint")
        self.assertFalse(Complaint.objects.exists())
        response = self.client.post(reverse("complaints:new"), self.form(
            phone_offer_made="on", phone_summary="Afspraken verzet", phone_wish="Vaste dag"))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "complaints/lodged.html")
        complaint = Complaint.objects.get()
        self.assertEqual((complaint.channel, complaint.client, complaint.lodged_by),
                         ("phone", self.own_client, self.coach))

    def test_kr_3_2_a_staff_complaint_form_sent_twice_lodges_one_complaint(self):
        """KR-3.2: the staff form sent again with its one-time key starts no second case."""
        import re

        self.login(self.outsider)
        page = self.client.get(reverse("complaints:new")).content.decode()
        [key] = re.findall(r'name="idempotency_key" value="([^"]+)"', page)
        form = self.form(channel="letter", idempotency_key=key)
        self.client.post(reverse("complaints:new"), form)
        self.client.post(reverse("complaints:new"), form)
        self.assertEqual(Complaint.objects.count(), 1)

    def test_an_unknown_client_reference_is_refused_next_to_the_field(self):
        self.login(self.outsider)
        response = self.client.post(reverse("complaints:new"), self.form(channel="letter", client_reference="9999"))
        self.assertContains(response, "No client with this reference.")
        self.assertFalse(Complaint.objects.exists())
