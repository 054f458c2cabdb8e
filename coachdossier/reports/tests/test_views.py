"""The report pages: coach, client (portal), management and the recipient's download page."""

from unittest import mock

from django.urls import reverse

from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.reports import actions
from coachdossier.reports.models import Delivery, Report, ReportState

from .helpers import CLIENT, ReportTestCase, pdf_text


class CoachPagesTestCase(ReportTestCase):
    def url(self, name, report=None, client=None):
        client = client or self.own_client
        if report is None:
            return reverse(f"reports:{name}", args=[client.public_id])
        return reverse(f"reports:{name}", args=[client.public_id, report.public_id])

    def test_the_preview_of_a_dutch_report_has_dutch_headings_on_an_english_page(self):
        """The document's headings follow its language, as in the PDF; the rest of the page the coach's."""
        report = self.draft(include_trajectory=True)
        self.login(self.coach)
        page = self.client.get(self.url("detail", report))
        self.assertContains(page, "<h3>Trajectgegevens</h3>", html=True)
        self.assertNotContains(page, "Trajectory data")
        self.assertContains(page, ">Edit<")  # the page around it stays English

    def test_the_editors_entry_list_writes_its_dates_as_the_other_pages_do_in_either_language(self):
        """The list read "05-11-2026" where the rest of the site writes 5-11-2026, and on an
        English page too."""
        import datetime

        from django.conf import settings

        from coachdossier.clients import actions as client_actions

        client_actions.add_entry(actor=self.coach, client=self.own_client, kind="fact", title="Werkgever",
                                 occurred_on=datetime.date(2026, 11, 5), text="Werkt 32 uur.", now=self.now)
        report = self.draft()
        self.login(self.coach)
        for language, expected in (("nl", "5-11-2026 · "), ("en", "5 Nov 2026 · ")):
            with self.subTest(language):
                self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
                page = self.client.get(self.url("edit", report))
                self.assertContains(page, expected)
                self.assertNotContains(page, "05-11-2026")

    def test_a_coach_writes_a_report_from_the_types_template_and_marks_it_ready(self):
        """PR-5, PR-6: a progress report for the principal, with the client copy first."""
        self.login(self.coach)
        r = self.client.post(self.url("new"), {"kind": "progress", "addressee": "principal", "language": "nl"})
        report = Report.objects.get()
        self.assertRedirects(r, self.url("edit", report))
        page = self.client.get(self.url("edit", report))
        self.assertContains(page, "Voortgang ten opzichte van het doel")
        self.assertContains(page, "Mogelijkheden en beperkingen")
        r = self.client.post(self.url("edit", report), {
            "addressee": "principal", "subject": "Voortgangsrapportage", "salutation": "Geachte heer, mevrouw,",
            "section_0_title": "Verloop", "section_0_text": "Cliënt werkt twee ochtenden.",
            "include_trajectory": "on"})
        self.assertRedirects(r, self.url("detail", report))
        page = self.client.get(self.url("detail", report))
        self.assertContains(page, "Cliënt werkt twee ochtenden.")
        self.assertContains(page, "Terug naar werk in eigen tempo")  # the trajectory's goal was pulled in
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.url("ready", report))
        self.assertRedirects(r, self.url("detail", report))
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)
        self.assertEqual(len(self.outbox_to("carla@example.com")), 1)

    def test_an_empty_subject_is_refused_next_to_the_field_and_nothing_is_saved(self):
        report = self.draft()
        self.login(self.coach)
        r = self.client.post(self.url("edit", report), {"addressee": "principal", "subject": "",
                                                        "section_0_title": "X", "section_0_text": "Nieuw"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].has_error("subject"))
        report.refresh_from_db()
        self.assertEqual(report.content["subject"], "Voortgangsrapportage")

    def test_a_report_for_the_company_doctor_needs_the_doctors_name(self):
        report = self.draft()
        self.login(self.coach)
        r = self.client.post(self.url("edit", report), {"addressee": "company_doctor", "subject": "Aan de arts",
                                                        "section_0_title": "X", "section_0_text": "Tekst"})
        self.assertTrue(r.context["form"].has_error("recipient_name"))

    def test_a_medical_entry_is_added_only_with_the_warning_confirmed(self):
        """PR-4"""
        from coachdossier.clients import actions as client_actions

        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind="received_document",
                                         occurred_on=self.now.date(), title="Advies bedrijfsarts", text="Beperkt.",
                                         source="Arbodienst", is_medical=True, now=self.now)
        report = self.draft(addressee="company_doctor", recipient={"name": "Dr. Jansen"})
        self.login(self.coach)
        self.assertContains(self.client.get(self.url("edit", report)), "Advies bedrijfsarts")
        self.client.post(self.url("medical", report), {"entry": entry.public_id})
        report.refresh_from_db()
        self.assertEqual(report.content["entries"], [])
        self.client.post(self.url("medical", report), {"entry": entry.public_id, "acknowledged": "on"})
        report.refresh_from_db()
        self.assertEqual([e["title"] for e in report.content["entries"]], ["Advies bedrijfsarts"])
        self.client.post(self.url("medical", report), {"remove": entry.public_id})
        report.refresh_from_db()
        self.assertEqual(report.content["entries"], [])

    def test_sending_too_early_shows_why_and_sends_nothing(self):
        """PR-6"""
        report = self.client_copy()
        self.login(self.coach)
        r = self.client.post(self.url("send", report), {"code_channel": "email", "recipient_email": "hr@example.com"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "answer until")
        self.assertFalse(Delivery.objects.exists())

    def test_the_coach_sends_with_the_code_by_phone_and_sees_it_once(self):
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        self.login(self.coach)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.url("send", report), {"code_channel": "phone",
                                                            "recipient_email": "hr@example.com"})
        self.assertEqual(r.status_code, 200)
        code = r.context["code"]
        self.assertRegex(code, r"^\d{6}$")
        self.assertNotIn(code, self.outbox_to("hr@example.com")[0].body)
        page = self.client.get(self.url("detail", report))
        self.assertContains(page, "The coach passes it on by phone")
        self.assertNotContains(page, code)

    def test_pr_6_a_failed_code_mail_shows_on_the_report_page_with_the_new_link_to_send(self):
        """PR-6, GC-6.3: the link went, the code did not; the coach sees it and can send a new
        link (with a new code) from the same page, as for a failed link mail."""
        report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=report, now=self.now, grant=CLIENT)
        with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=[None, OSError("smtp down")]):
            first = self.send(report).delivery
        self.login(self.coach)
        page = self.client.get(self.url("detail", report))
        self.assertContains(page, "Code mail failed")
        self.assertNotContains(page, "Waiting for download")
        self.assertContains(page, f'href="{self.url("send", report)}"')
        self.assertContains(page, "Send a new link")
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(self.url("send", report), {"code_channel": "email",
                                                            "recipient_email": "hr@example.com"})
        self.assertEqual(r.status_code, 302)
        page = self.client.get(self.url("detail", report))
        self.assertNotContains(page, "Code mail failed")
        self.assertContains(page, "Waiting for download")
        self.assertContains(page, "Withdrawn")
        first.refresh_from_db()
        self.assertIsNotNone(first.revoked_at)

    def test_the_client_page_lists_the_reports_with_their_state(self):
        self.client_copy()
        self.draft()
        self.login(self.coach)
        page = self.client.get(reverse("clients:tab", args=[self.own_client.public_id, "reports"]))
        self.assertContains(page, "New report")
        self.assertContains(page, "Client copy sent")
        self.assertContains(page, "Draft")

    def test_the_pdf_preview_is_a_letter(self):
        report = self.client_copy()
        self.login(self.coach)
        r = self.client.get(self.url("pdf", report))
        self.assertEqual(r["Content-Type"], "application/pdf")
        text = pdf_text(r.content)
        for part in ("VERTROUWELIJK", "Ons kenmerk", report.reference, "Pagina 1 van 1", "Bakkerij Broodnodig BV"):
            self.assertIn(part, text)

    def test_another_coach_gets_404_and_it_is_logged(self):
        report = self.draft()
        self.login(self.other_coach)
        self.assertEqual(self.client.get(self.url("detail", report)).status_code, 404)
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)

    def test_a_report_of_another_client_is_not_found_under_this_client(self):
        report = self.draft(client=self.other_client, coach=self.other_coach)
        self.login(self.coach)
        self.assertEqual(self.client.get(self.url("detail", report, client=self.own_client)).status_code, 404)

    def test_wrong_methods_are_refused(self):
        report = self.draft()
        self.login(self.coach)
        self.assertEqual(self.client.get(self.url("ready", report)).status_code, 405)
        self.assertEqual(self.client.post(self.url("detail", report)).status_code, 405)


class ClientReviewTestCase(ReportTestCase):
    def url(self, name, report):
        return reverse(f"reports:{name}", args=[report.public_id])

    def test_a_dutch_report_read_in_the_english_portal_keeps_its_dutch_headings(self):
        """The document's headings follow its language, as in the PDF: a Dutch report read with
        the English UI showed "Trajectory data" between Dutch paragraphs and labels."""
        report = self.client_copy(include_trajectory=True)
        self.login(self.client_user)
        page = self.client.get(self.url("review", report))
        self.assertContains(page, "<h3>Trajectgegevens</h3>", html=True)
        self.assertContains(page, "Gestart op")
        self.assertNotContains(page, "Trajectory data")

    def test_the_review_page_and_the_objection_form_carry_the_portal_menu_back_to_her_portal(self):
        """PR-6: she reads the report in her portal; the page had only the top bar, and no way back
        to her dossier, messages or requests (on a phone neither)."""
        report = self.client_copy()
        self.login(self.client_user)
        for name in ("review", "review_object"):
            page = self.client.get(self.url(name, report)).content.decode()
            menu = page.split('<nav class="portal-nav"', 1)[1].split("</nav>", 1)[0]
            for link in ("/portal/", "/portal/dossier/", "/portal/requests/", "/portal/messages/"):
                self.assertIn(f'<a href="{link}">', menu, name)
            self.assertNotIn("aria-current", menu)  # none of its items is this page

    def test_the_client_reads_and_signs_in_the_portal(self):
        """PR-6"""
        report = self.client_copy(signature_required=True)
        self.login(self.client_user)
        page = self.client.get(self.url("review", report))
        self.assertContains(page, "twee ochtenden per week")
        self.assertContains(page, report.pdf_sha256)
        self.assertContains(page, "Sign the report")
        r = self.client.post(self.url("review_sign", report), {"document_sha256": report.pdf_sha256, "confirm": "on"})
        self.assertRedirects(r, self.url("review", report))
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.SIGNED)
        self.assertEqual(report.answered_by, self.client_user)

    def test_signing_without_the_confirmation_changes_nothing(self):
        report = self.client_copy(signature_required=True)
        self.login(self.client_user)
        self.client.post(self.url("review_sign", report), {"document_sha256": report.pdf_sha256})
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)

    def test_another_client_cannot_see_or_sign_the_report(self):
        """PR-6, GC-2.3: signing as another client."""
        report = self.client_copy(signature_required=True)
        self.login(self.other_client_user)
        self.assertEqual(self.client.get(self.url("review", report)).status_code, 404)
        r = self.client.post(self.url("review_sign", report), {"document_sha256": report.pdf_sha256, "confirm": "on"})
        self.assertEqual(r.status_code, 404)
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.CLIENT_COPY)
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)

    def test_a_draft_is_not_shown_to_the_client(self):
        report = self.draft()
        self.login(self.client_user)
        self.assertEqual(self.client.get(self.url("review", report)).status_code, 404)

    def test_the_client_blocks_a_report_to_the_employer(self):
        """GC-6.1"""
        report = self.client_copy()
        self.login(self.client_user)
        self.assertContains(self.client.get(self.url("review", report)), "Block the report")
        self.client.post(self.url("review_block", report))
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.BLOCKED)

    def test_gc_6_1_the_client_reads_the_state_of_her_reports_addressed_to_her(self):
        """She read "Blocked by the client", "Client objected", "Client copy sent" about herself."""
        report = self.client_copy()
        self.login(self.client_user)
        self.assertContains(self.client.get(self.url("review", report)), "Waiting for your answer")
        self.client.post(self.url("review_block", report))
        for page in (self.client.get(self.url("review", report)), self.client.get("/portal/")):
            self.assertContains(page, "You blocked it")
            self.assertNotContains(page, "Blocked by the client")

    def test_gc_6_1_the_client_confirms_before_a_block_or_an_approval_which_cannot_be_undone(self):
        """GC-6.1, PR-6: one tap on a phone must not decide the report."""
        report = self.client_copy()
        self.login(self.client_user)
        page = self.client.get(self.url("review", report)).content.decode()
        for name in ("review_block", "review_approve"):
            form = page.split(f'action="{self.url(name, report)}"')[1].split("</form>")[0]
            self.assertIn("data-confirm=", form, name)

    def test_a_uwv_client_is_offered_an_objection_not_a_block(self):
        """GC-6.1"""
        report = self.client_copy(client=self.other_client, coach=self.other_coach)
        self.login(self.other_client_user)
        page = self.client.get(self.url("review", report))
        self.assertNotContains(page, "Block the report")
        self.assertContains(page, "cannot be blocked")
        r = self.client.post(self.url("review_block", report), follow=True)
        self.assertContains(r, "may demand this report by law")
        r = self.client.post(self.url("review_object", report), {"text": ""})
        self.assertTrue(r.context["form"].has_error("text"))
        self.client.post(self.url("review_object", report), {"text": "Ik ben het niet eens met de conclusie."})
        report.refresh_from_db()
        self.assertEqual(report.state, ReportState.OBJECTED)
        self.assertEqual(report.objection, "Ik ben het niet eens met de conclusie.")

    def test_the_portal_section_lists_reports_waiting_for_an_answer(self):
        from coachdossier.audit.models import Basis
        from coachdossier.clients.access import Grant
        from coachdossier.reports.portal_sections import sections

        waiting = self.client_copy()
        self.draft()
        [panel] = sections(None, self.own_client, Grant(Basis.CLIENT))
        self.assertEqual(panel.context["waiting"], [waiting])
        self.assertEqual(sections(None, self.own_client, Grant(Basis.COACH)), [])


class DownloadPageTestCase(ReportTestCase):
    def setUp(self):
        super().setUp()
        self.report = self.client_copy()
        actions.approve_report(actor=self.client_user, report=self.report, now=self.now, grant=CLIENT)
        self.sent = self.send(self.report, now=self.now)
        self.url = reverse("reports:download", args=[self.sent.token])

    def test_the_link_with_the_code_gives_the_pdf_once(self):
        self.assertContains(self.client.get(self.url), "One-time code")
        r = self.client.post(self.url, {"code": "111111" if self.sent.code != "111111" else "222222"})
        self.assertContains(r, "attempts left")
        r = self.client.post(self.url, {"code": self.sent.code})
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertEqual(r.content, actions.read_sent_pdf(self.report))
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 410)
        self.assertContains(r, "already been used", status_code=410)
        r = self.client.post(self.url, {"code": self.sent.code})
        self.assertEqual(r.status_code, 410)
        downloads = AccessLogEntry.objects.filter(action="report.download")
        self.assertEqual([e.outcome for e in downloads], [Outcome.DENIED, Outcome.ALLOWED, Outcome.DENIED])

    def test_an_unknown_token_is_404(self):
        self.assertEqual(self.client.get(reverse("reports:download", args=["nonsense"])).status_code, 404)

    def test_the_client_sees_the_delivery_and_download_in_the_portal(self):
        """LAW-15"""
        actions.download(delivery=self.sent.delivery, token=self.sent.token, code=self.sent.code, now=self.now)
        self.login(self.client_user)
        page = self.client.get(reverse("reports:review", args=[self.report.public_id]))
        self.assertContains(page, "Who received this report")
        self.assertContains(page, "Bakkerij Broodnodig BV")
        self.assertContains(page, "Downloaded")


class OverviewTestCase(ReportTestCase):
    def test_management_sees_the_state_of_every_report_without_content(self):
        """PR-7"""
        self.client_copy()
        self.draft(client=self.other_client, coach=self.other_coach)
        self.login(self.management)
        page = self.client.get(reverse("reports:overview"))
        self.assertContains(page, "Client copy sent")
        self.assertContains(page, "Daan Jansen")
        self.assertNotContains(page, "twee ochtenden")
        self.assertNotContains(page, "Voortgangsrapportage")

    def test_the_overview_takes_the_same_number_of_queries_for_more_reports(self):
        self.draft()
        self.login(self.management)
        self.client.get(reverse("reports:overview"))
        with self.assertNumQueries(self._count()):
            self.client.get(reverse("reports:overview"))
        for _ in range(3):
            self.draft(client=self.other_client, coach=self.other_coach)
        with self.assertNumQueries(self._count()):
            self.client.get(reverse("reports:overview"))

    def _count(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            self.client.get(reverse("reports:overview"))
        return len(ctx.captured_queries)

    def test_a_coach_cannot_open_the_overview(self):
        self.login(self.coach)
        self.assertEqual(self.client.get(reverse("reports:overview")).status_code, 403)
