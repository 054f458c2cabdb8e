import datetime
import json

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from coachdossier.audit.context import Actor, acting
from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import Client, Consent, EntryKind
from coachdossier.portal import actions
from coachdossier.portal.models import ClientRequest, CommunicationAgreement, Message, RequestKind
from coachdossier.test import PASSWORD

from .base import CLIENT_GRANT, COACH_GRANT, MANAGEMENT_GRANT, PortalTestCase


class InspectionTestCase(PortalTestCase):
    def test_gc_5_1_the_client_sees_the_whole_dossier_and_nothing_of_another_client(self):
        """GC-5.1, PR-3"""
        client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FINDING,
                                 occurred_on=self.now.date(), title="Beeld van de coach", text="Veerkrachtig.",
                                 now=self.now, is_medical=False)
        client_actions.add_entry(actor=self.other_coach, client=self.other_client, kind=EntryKind.NOTE,
                                 occurred_on=self.now.date(), title="Daan", text="Geheim van Daan.", now=self.now)
        self.login(self.client_user)
        r = self.client.get("/portal/dossier/")
        self.assertContains(r, "Veerkrachtig.")
        self.assertContains(r, "Terug naar werk in eigen tempo")
        self.assertContains(r, "Ask my coach about this")
        self.assertNotContains(r, "Geheim van Daan")
        self.assertEqual(AccessLogEntry.objects.last().action, "dossier.read")
        self.assertEqual(AccessLogEntry.objects.last().basis, "client")

    def test_the_portal_menu_marks_the_page_the_client_is_on(self):
        self.login(self.client_user)
        r = self.client.get("/portal/messages/")
        self.assertContains(r, '<a href="/portal/messages/" aria-current="page">', html=False)
        self.assertContains(r, 'aria-current="page"', count=1)  # not the top bar's overview as well

    def test_gc_5_1_her_correction_statement_and_destruction_forms_each_lead_back_where_she_came_from(self):
        """On a phone the portal menu is folded and names no page for these forms: a back link does."""
        self.login(self.client_user)
        for path, back in (("/portal/requests/correction/", "/portal/dossier/"), ("/portal/statements/new/", "/portal/dossier/"),
                           ("/portal/requests/destruction/", "/portal/requests/")):
            with self.subTest(path):
                self.assertContains(self.client.get(path), f'<p class="back"><a href="{back}">')

    def test_pr_6_an_open_request_on_her_overview_leads_to_its_card_under_my_requests(self):
        """PR-6, GC-1.3: an open request on the overview was plain text, with a bare "termijn"
        (deadline) that did not say whose; she follows or withdraws it on its card under My requests."""
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                       now=self.now, grant=CLIENT_GRANT)
        self.login(self.client_user)
        anchor = f"request-{request.public_id}"
        home = self.client.get("/portal/")
        self.assertContains(home, f'<a href="/portal/requests/#{anchor}">', html=False)
        self.assertContains(home, "handled by 21 December 2026")  # whose deadline: the practice's
        self.assertContains(self.client.get("/portal/requests/"), f'<section class="card" id="{anchor}">', html=False)

    def test_a_client_who_signs_in_lands_on_the_portal_where_her_report_waits_for_her_answer(self):
        """PR-6, GC-6.1: she landed on a dashboard of questionnaires and complaints, without the
        report waiting for her answer, her messages or her rights; and the top bar's "My dossier"
        led to the overview while the portal's own "My dossier" led to the dossier."""
        from coachdossier.reports import actions as report_actions
        from coachdossier.reports.tests.helpers import SECTIONS

        report = report_actions.create_report(actor=self.coach, client=self.own_client, kind="progress",
                                               addressee="principal", now=self.now)
        report_actions.edit_report(actor=self.coach, report=report, now=self.now, subject="Voortgang",
                                   sections=SECTIONS)
        with self.captureOnCommitCallbacks(execute=True):  # the client's copy goes out
            report_actions.mark_ready(actor=self.coach, report=report, now=self.now)
        self.client.cookies["django_language"] = "en"
        r = self.client.post("/accounts/login/", {"login": "carla@example.com", "password": PASSWORD}, follow=True)
        self.assertEqual(r.redirect_chain[-1][0], "/portal/")
        self.assertContains(r, "Your coach wants to send these reports.")
        nav = r.content.decode().split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
        self.assertIn('<a href="/portal/" class="active" aria-current="page">Overview</a>', nav)
        self.assertNotIn("My dossier", nav)
        self.assertNotIn('href="/"', nav)

    def questionnaire(self, completed=False):
        """A DASS-21 the coach sent Carla, answered and submitted when `completed`."""
        from coachdossier.questionnaires import actions as questionnaire_actions
        from coachdossier.questionnaires.models import QuestionnaireDefinition

        questionnaire_actions.ensure_shipped(now=self.now)
        dass = QuestionnaireDefinition.objects.get(key="dass-21")
        sent = questionnaire_actions.send_questionnaire(actor=self.coach, client=self.own_client, definition=dass,
                                                        moment="intake", now=self.now)
        if not completed:
            return sent
        return questionnaire_actions.save_answers(actor=self.client_user, administration=sent, submit=True,
                                                  answers={item.id: 1 for item in dass.definition.items}, now=self.now)

    def test_her_questionnaire_and_complaint_pages_carry_the_portal_menu_back_to_her_portal(self):
        """Questionnaires and complaints are hers too, and reached from her portal; their pages
        had only the top bar, so on a phone she had to find her way back by the browser."""
        from coachdossier.complaints import actions as complaint_actions

        open_one, done = self.questionnaire(), self.questionnaire(completed=True)
        complaint = complaint_actions.lodge_complaint(actor=self.client_user, now=self.now, channel="portal",
                                                      subject="service", category="reporting",
                                                      description="Het verslag ging te vroeg.", client=self.own_client)
        self.login(self.client_user)
        for url in ("/questionnaires/mine/", f"/questionnaires/fill/{open_one.public_id}/",
                    f"/questionnaires/fill/{done.public_id}/", "/complaints/lodge/",
                    f"/complaints/{complaint.public_id}/mine/"):
            page = self.client.get(url)
            self.assertEqual(page.status_code, 200, url)
            self.assertContains(page, '<nav class="portal-nav"', count=1, html=False, msg_prefix=url)
            menu = page.content.decode().split('<nav class="portal-nav"', 1)[1].split("</nav>", 1)[0]
            self.assertIn('<a href="/portal/">', menu, url)

    def test_the_coach_reads_a_questionnaire_result_without_the_clients_portal_menu(self):
        done = self.questionnaire(completed=True)
        self.login(self.coach)
        page = self.client.get(f"/questionnaires/client/{self.own_client.public_id}/{done.public_id}/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "portal-nav")

    def test_staff_cannot_open_the_portal_pages(self):
        self.login(self.coach)
        self.assertEqual(self.client.get("/portal/dossier/").status_code, 403)

    def test_anonymous_is_sent_to_log_in_and_wrong_methods_are_refused(self):
        self.assertIn("/accounts/login/", self.client.get("/portal/dossier/")["Location"])
        self.login(self.client_user)
        self.assertEqual(self.client.post("/portal/dossier/").status_code, 405)
        self.assertEqual(self.client.get("/portal/copy/request/").status_code, 405)

    def test_a_client_without_a_record_gets_404(self):
        from coachdossier.accounts.models import Role
        from coachdossier.test import make_user

        orphan = make_user("orphan@example.com", "Orphan", Role.CLIENT)
        self.login(orphan)
        self.assertEqual(self.client.get("/portal/").status_code, 404)


class CorrectionPageTestCase(PortalTestCase):
    def test_gc_5_3_the_form_explains_a_finding_and_offers_a_statement(self):
        """GC-5.3"""
        finding = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FINDING,
                                           occurred_on=self.now.date(), title="Beeld", text="Wisselend.", now=self.now)
        self.reauthenticated(self.client_user)
        r = self.client.get(f"/portal/requests/correction/?entry={finding.public_id}")
        self.assertContains(r, "Only facts can be corrected")
        self.assertContains(r, "/portal/statements/new/")
        r = self.client.post("/portal/requests/correction/", {"entry": finding.public_id, "proposed": "x",
                                                              "reason": "y"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Only facts can be corrected")
        self.assertFalse(ClientRequest.objects.exists())

    def test_gc_5_3_from_an_entry_the_form_asks_only_about_that_entry(self):
        """GC-5.3: the personal-data field list is not offered beside an entry, where it was ignored."""
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="Uren", text="32 uur.", now=self.now)
        self.login(self.client_user)
        r = self.client.get(f"/portal/requests/correction/?entry={entry.public_id}")
        self.assertNotContains(r, 'name="field"')
        r = self.client.get("/portal/requests/correction/")
        self.assertContains(r, 'name="field"')
        self.assertNotContains(r, "an entry of the dossier")
        self.assertContains(r, 'href="/portal/dossier/"')

    def test_a_forged_entry_id_of_another_client_is_404_and_logged(self):
        other = client_actions.add_entry(actor=self.other_coach, client=self.other_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="Daan", text="Feit.", now=self.now)
        self.reauthenticated(self.client_user)
        r = self.client.post("/portal/requests/correction/", {"entry": other.public_id, "proposed": "x",
                                                              "reason": "y"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)
        self.assertFalse(ClientRequest.objects.exists())

    def test_a_fact_correction_is_filed_and_the_coach_decides_on_her_page(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="Uren", text="32 uur.", now=self.now)
        self.reauthenticated(self.client_user)
        r = self.client.post("/portal/requests/correction/", {"entry": entry.public_id, "proposed": "24 uur.",
                                                              "reason": "Minder uren sinds oktober."})
        self.assertRedirects(r, "/portal/requests/", fetch_redirect_response=False)
        request = ClientRequest.objects.get()
        self.login(self.coach)
        url = f"/portal/manage/{self.own_client.public_id}/requests/{request.public_id}/"
        self.assertContains(self.client.get(url), "Minder uren sinds oktober.")
        self.assertContains(self.client.get("/"), "Client requests to handle")
        r = self.client.post(url + "decide/", {"decision": "accept", "text": "24 uur per week."})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(entry.current.content["text"], "24 uur per week.")
        self.login(self.client_user)
        self.assertContains(self.client.get("/portal/dossier/"), "corrected at your request")


class ReauthenticationNoticeTestCase(PortalTestCase):
    """The copy and destruction pages say the password is asked again only when it will be."""

    PAGES = ("/portal/copy/", "/portal/requests/destruction/")

    def test_gc_5_1_gc_5_4_within_the_re_authentication_window_no_password_is_announced_or_asked(self):
        """GC-5.1, GC-5.4: within 5 minutes of signing in the request goes through without the password."""
        self.reauthenticated(self.client_user, seconds_ago=60)
        for page in self.PAGES:
            self.assertNotContains(self.client.get(page), "ask for your password again", msg_prefix=page)
        self.assertContains(self.client.get("/portal/copy/"), "your coach checks them first (within one month)")
        r = self.client.post("/portal/requests/destruction/", {"confirm": "on"})
        self.assertRedirects(r, "/portal/requests/", fetch_redirect_response=False)

    def test_gc_5_1_gc_5_4_outside_the_re_authentication_window_the_pages_say_the_password_is_asked(self):
        """GC-5.1, GC-5.4"""
        self.reauthenticated(self.client_user, seconds_ago=settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 60)
        for page in self.PAGES:
            self.assertContains(self.client.get(page), "ask for your password again", msg_prefix=page)
        r = self.client.post("/portal/requests/destruction/", {"confirm": "on"})
        self.assertIn("/accounts/reauthenticate/", r["Location"])
        self.assertFalse(ClientRequest.objects.exists())


class DestructionPageTestCase(PortalTestCase):
    def test_gc_5_4_a_destruction_request_without_re_authentication_is_refused(self):
        """GC-5.4, LAW-17"""
        self.login(self.client_user)
        r = self.client.post("/portal/requests/destruction/", {"confirm": "on"})
        self.assertIn("/accounts/reauthenticate/", r["Location"])
        self.assertFalse(ClientRequest.objects.exists())

    def test_gc_5_4_management_sees_the_deadline_and_executes_it(self):
        """GC-5.4: a 4-week deadline on management's dashboard; a tombstone afterwards."""
        self.reauthenticated(self.client_user)
        r = self.client.post("/portal/requests/destruction/", {"confirm": "on"})
        self.assertRedirects(r, "/portal/requests/", fetch_redirect_response=False)
        request = ClientRequest.objects.get(kind=RequestKind.DESTRUCTION)
        self.login(self.management)
        home = self.client.get("/")
        self.assertContains(home, "Destruction requests (4 weeks, GC-5.4)")
        self.assertContains(home, self.own_client.reference)
        url = f"/portal/manage/{self.own_client.public_id}/requests/{request.public_id}/"
        self.assertContains(self.client.get(url), "Execute the destruction")
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(url + "destroy/", {"confirm": "on"})
        self.assertRedirects(r, "/portal/manage/destructions/", fetch_redirect_response=False)
        self.assertIsNotNone(Client.objects.get(pk=self.own_client.pk).destroyed_at)
        listing = self.client.get("/portal/manage/destructions/")
        self.assertContains(listing, "destroyed")
        self.assertContains(listing, "Mia Directie")

    def test_gc_5_4_a_client_who_already_asked_sees_the_request_and_its_deadline_not_the_form_again(self):
        """GC-5.4"""
        actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                             now=self.now, grant=CLIENT_GRANT)
        self.login(self.client_user)
        r = self.client.get("/portal/requests/destruction/")
        self.assertContains(r, "We received your request on 23 November 2026.")
        self.assertContains(r, "destroyed by 21 December 2026 at the latest")
        self.assertNotContains(r, 'name="confirm"')
        self.assertContains(r, "Follow or withdraw your request under My requests")  # GC-1.3

    def test_gc_1_3_a_client_who_changes_her_mind_withdraws_the_destruction_request_before_it_is_carried_out(self):
        """GC-1.3, GC-5.4: a request to destroy the whole dossier could not be taken back by anyone;
        four weeks later the dossier was gone. Withdrawn, it stays as a closed request with its
        dates, management is told, and nothing can destroy the dossier on it any more."""
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                       now=self.now, grant=CLIENT_GRANT)
        self.login(self.client_user)
        page = self.client.get("/portal/requests/")
        self.assertContains(page, "Withdraw your request to destroy your dossier? Your dossier is then kept as before.")
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(f"/portal/requests/{request.public_id}/withdraw/", follow=True)
        self.assertContains(r, "Your request has been withdrawn.")
        request.refresh_from_db()
        self.assertEqual(request.status, "withdrawn")
        self.assertEqual([m.to for m in mail.outbox], [[self.management.email]])
        self.assertNotIn(self.own_client.personal.last_name, mail.outbox[0].body)
        self.assertContains(self.client.get("/portal/access-log/?mine=1"), "You withdrew a request")
        self.assertContains(self.client.get("/portal/requests/destruction/"), 'name="confirm"')  # she may ask again
        again = self.client.post(f"/portal/requests/{request.public_id}/withdraw/", follow=True)
        self.assertContains(again, "This request has been handled already.")
        with self.assertRaises(ValidationError):
            actions.execute_destruction(actor=self.management, request=request, now=self.now)
        self.assertIsNone(Client.objects.get(pk=self.own_client.pk).destroyed_at)

    def test_gc_1_3_only_the_client_withdraws_and_only_her_own_request(self):
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                       now=self.now, grant=CLIENT_GRANT)
        self.login(self.other_client_user)
        self.assertEqual(self.client.post(f"/portal/requests/{request.public_id}/withdraw/").status_code, 404)
        with self.assertRaises(ValidationError):
            actions.withdraw_request(actor=self.coach, request=request, now=self.now, grant=COACH_GRANT)
        request.refresh_from_db()
        self.assertEqual(request.status, "identity_verified")

    def test_the_coach_cannot_execute_a_destruction(self):
        request = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                                       now=self.now, grant=CLIENT_GRANT)
        self.login(self.coach)
        url = f"/portal/manage/{self.own_client.public_id}/requests/{request.public_id}/destroy/"
        self.assertEqual(self.client.post(url, {"confirm": "on"}).status_code, 403)
        self.assertIsNone(Client.objects.get(pk=self.own_client.pk).destroyed_at)


class StatementTestCase(PortalTestCase):
    def test_gc_5_3_a_client_statement_is_added_and_staff_can_never_edit_it(self):
        """GC-5.3"""
        self.login(self.client_user)
        r = self.client.post("/portal/statements/new/", {"title": "Mijn kijk", "text": "Het contact is goed."})
        self.assertRedirects(r, "/portal/dossier/", fetch_redirect_response=False)
        entry = self.own_client.entries.get(kind=EntryKind.CLIENT_STATEMENT)
        self.login(self.coach)
        r = self.client.get(f"/clients/{self.own_client.public_id}/entries/{entry.public_id}/edit/")
        self.assertEqual(r.status_code, 403)


    def test_gc_5_3_a_statement_form_sent_twice_adds_one_statement(self):
        """GC-5.3: a double tap, or back and 'add' again, must not put the statement in the dossier twice."""
        import re

        self.login(self.client_user)
        page = self.client.get("/portal/statements/new/").content.decode()
        [key] = re.findall(r'name="idempotency_key" value="([^"]+)"', page)
        form = {"title": "Mijn kijk", "text": "Het contact is goed.", "idempotency_key": key}
        self.assertRedirects(self.client.post("/portal/statements/new/", form), "/portal/dossier/",
                             fetch_redirect_response=False)
        self.assertRedirects(self.client.post("/portal/statements/new/", form), "/portal/dossier/",
                             fetch_redirect_response=False)
        self.assertEqual(self.own_client.entries.filter(kind=EntryKind.CLIENT_STATEMENT).count(), 1)
        r = self.client.post("/portal/statements/new/", {**form, "text": "Toch anders."}, follow=True)
        self.assertContains(r, "the changes in your second submission were not saved")
        self.assertEqual(self.own_client.entries.filter(kind=EntryKind.CLIENT_STATEMENT).count(), 1)

    def test_a_screen_reader_reads_the_help_text_with_the_field(self):
        """Django points aria-describedby at "<id>_helptext"; the help text must carry that id."""
        import re

        self.login(self.client_user)
        page = self.client.get("/portal/statements/new/").content.decode()
        [described_by] = re.findall(r'id="id_text"[^>]*aria-describedby="([^"]+)"|'
                                    r'aria-describedby="([^"]+)"[^>]*id="id_text"', page)
        self.assertIn(f'id="{"".join(described_by)}"', page)


class StatementWithdrawalTestCase(PortalTestCase):
    """GC-5.3: the client withdraws a statement she added; the coach sees that and when."""

    def setUp(self):
        super().setUp()
        self.statement, _ = actions.add_statement(actor=self.client_user, client=self.own_client, title="Mijn kijk",
                                                  text="Het contact met mijn coach loopt stroef.", now=self.now,
                                                  grant=CLIENT_GRANT)
        self.url = f"/portal/statements/{self.statement.public_id}/withdraw/"

    def test_gc_5_3_the_dossier_offers_to_withdraw_her_statement_and_the_page_asks_first(self):
        self.login(self.client_user)
        self.assertContains(self.client.get("/portal/statements/new/"), "You can withdraw it later")
        self.assertContains(self.client.get("/portal/dossier/"), f'href="{self.url}"')
        r = self.client.get(self.url)
        self.assertContains(r, "Het contact met mijn coach loopt stroef.")
        self.assertContains(r, "stays as it was sent")
        self.assertContains(r, '<nav class="portal-nav"', html=False)
        self.assertIsNone(self.own_client.entries.get(pk=self.statement.pk).withdrawn_at)

    def test_gc_5_3_a_withdrawn_statement_loses_its_words_and_the_withdrawal_is_logged(self):
        self.login(self.client_user)
        r = self.client.post(self.url)
        self.assertRedirects(r, "/portal/dossier/", fetch_redirect_response=False)
        entry = self.own_client.entries.get(pk=self.statement.pk)
        self.assertIsNotNone(entry.withdrawn_at)
        self.assertEqual(entry.current.content, {})
        self.assertEqual(entry.current.author, self.client_user)  # who and when stay
        logged = AccessLogEntry.objects.filter(action="entry.withdraw_statement").get()
        self.assertEqual((logged.basis, logged.outcome, logged.object_ref),
                         ("client", Outcome.ALLOWED, str(entry.public_id)))
        page = self.client.get("/portal/dossier/")
        self.assertNotContains(page, "loopt stroef")
        self.assertContains(page, "You withdrew this statement on")
        self.assertNotContains(page, f'href="{self.url}"')

    def test_gc_5_3_the_coach_sees_that_and_when_it_was_withdrawn_not_what_it_said(self):
        self.login(self.client_user)
        self.client.post(self.url)
        self.login(self.coach)
        timeline = self.client.get(f"/clients/{self.own_client.public_id}/")
        self.assertContains(timeline, "Statement withdrawn by the client")
        self.assertContains(timeline, "The client withdrew this statement on")
        self.assertNotContains(timeline, "loopt stroef")
        detail = self.client.get(f"/clients/{self.own_client.public_id}/entries/{self.statement.public_id}/")
        self.assertContains(detail, "The client withdrew this statement on")
        self.assertNotContains(detail, "loopt stroef")

    def test_gc_5_3_a_withdrawn_statement_that_named_others_no_longer_holds_up_her_copy(self):
        """AVG art. 15(4): a copy waits for the coach to check entries naming other people; once
        the words are gone there is nothing left to check."""
        from coachdossier.portal.models import RequestStatus

        named, _ = actions.add_statement(actor=self.client_user, client=self.own_client, title="Mijn kijk",
                                         text="Mijn collega Jan Pieterse zegt dat ik te hard werk.", now=self.now,
                                         grant=CLIENT_GRANT)
        named.names_others = True  # as the screening marks it
        named.save(update_fields=["names_others"])
        actions.withdraw_statement(actor=self.client_user, entry=named, now=self.now, grant=CLIENT_GRANT)
        copy = actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.COPY,
                                    now=self.now, grant=CLIENT_GRANT)
        self.assertEqual(copy.status, RequestStatus.DONE)

    def test_gc_5_3_a_statement_is_withdrawn_once(self):
        self.login(self.client_user)
        self.client.post(self.url)
        r = self.client.post(self.url, follow=True)
        self.assertContains(r, "You withdrew this statement already.")
        self.assertEqual(AccessLogEntry.objects.filter(action="entry.withdraw_statement").count(), 1)
        self.assertContains(self.client.get(self.url), "You withdrew this statement on")

    def test_only_her_own_statements_can_be_withdrawn(self):
        """A note of the coach is not hers to withdraw: 404, as for what is not hers."""
        note = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                        occurred_on=self.now.date(), title="Gesprek", text="Notitie.", now=self.now)
        self.login(self.client_user)
        self.assertEqual(self.client.post(f"/portal/statements/{note.public_id}/withdraw/").status_code, 404)
        with self.assertRaises(ValidationError):
            actions.withdraw_statement(actor=self.client_user, entry=note, now=self.now, grant=CLIENT_GRANT)
        with self.assertRaises(ValidationError):  # the coach cannot withdraw it for her
            actions.withdraw_statement(actor=self.coach, entry=self.statement, now=self.now, grant=COACH_GRANT)
        self.assertIsNone(self.own_client.entries.get(pk=self.statement.pk).withdrawn_at)

    def test_another_client_gets_404_anonymous_logs_in_and_wrong_methods_are_refused(self):
        self.assertIn("/accounts/login/", self.client.get(self.url)["Location"])
        self.login(self.other_client_user)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.login(self.coach)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.login(self.client_user)
        self.assertEqual(self.client.put(self.url).status_code, 405)
        self.assertIsNone(self.own_client.entries.get(pk=self.statement.pk).withdrawn_at)

    def test_the_page_speaks_dutch(self):
        self.login(self.client_user)
        self.client.cookies["django_language"] = "nl"
        self.assertContains(self.client.get(self.url), "Mijn verklaring intrekken")
        r = self.client.post(self.url, follow=True)
        self.assertContains(r, "Uw verklaring is ingetrokken.")
        self.assertContains(r, "U heeft deze verklaring ingetrokken op")

    def test_the_copy_says_it_was_withdrawn_and_not_what_it_said(self):
        """GC-5.1, LAW-20: the export stays valid against its schema."""
        import jsonschema

        from coachdossier.portal import export

        actions.withdraw_statement(actor=self.client_user, entry=self.statement, now=self.now, grant=CLIENT_GRANT)
        data = export.build_export(self.own_client, now=self.now)
        jsonschema.Draft202012Validator(export.schema()).validate(data)
        [item] = [e for e in data["entries"] if e["id"] == str(self.statement.public_id)]
        self.assertEqual(item["versions"], [])
        self.assertIsNotNone(item["withdrawn_at"])
        self.assertNotIn("stroef", json.dumps(data))


class ConsentTestCase(PortalTestCase):
    def test_gc_1_3_the_client_withdraws_a_substitute_consent_and_access_ends_at_once(self):
        """GC-1.3, GC-6.4: withdrawal takes effect immediately on access."""
        self.login(self.client_user)
        r = self.client.post("/portal/consents/", {"kind": "substitute", "substitute": self.other_coach.public_id,
                                                   "valid_from": self.now.date().isoformat(),
                                                   "valid_until": "2026-12-31"})
        self.assertRedirects(r, "/portal/consents/", fetch_redirect_response=False)
        consent = Consent.objects.get(client=self.own_client)
        self.assertEqual(consent.given_via, "portal")
        self.login(self.other_coach)
        self.assertEqual(self.client.get(f"/clients/{self.own_client.public_id}/").status_code, 200)
        self.login(self.client_user)
        self.client.post(f"/portal/consents/{consent.public_id}/withdraw/")
        self.login(self.other_coach)
        self.assertEqual(self.client.get(f"/clients/{self.own_client.public_id}/").status_code, 404)

    def test_gc_2_5_a_client_who_names_her_own_coach_as_substitute_is_told_so_in_her_own_words(self):
        """GC-2.5: the error speaks to the client ('your own coach'), not about her, in both languages."""
        self.login(self.client_user)
        body = {"kind": "substitute", "substitute": str(self.coach.public_id),
                "valid_from": self.now.date().isoformat(), "valid_until": "2026-12-31"}
        api = self.client.post("/api/portal/consents", body, content_type="application/json")
        self.assertIn("This coach is already your own coach.", api.json()["errors"]["substitute"][0])
        self.client.cookies["django_language"] = "nl"
        api = self.client.post("/api/portal/consents", body, content_type="application/json")
        self.assertIn("Deze coach is al uw eigen coach.", api.json()["errors"]["substitute"][0])
        self.assertFalse(Consent.objects.exists())

    def test_gc_2_5_the_page_offers_only_other_coaches_as_substitute_and_says_which_fields_go_with_which_consent(self):
        """GC-2.5: the list offered her own coach, which the action then refused, under a bare
        '---------'; the recipient, purpose and data fields did not say they are for sharing only."""
        self.login(self.client_user)
        page = self.client.get("/portal/consents/")
        options = page.content.decode().split('name="substitute"', 1)[1].split("</select>", 1)[0]
        self.assertIn(str(self.other_coach.public_id), options)
        self.assertNotIn(str(self.coach.public_id), options)
        self.assertIn("— choose —", options)
        self.assertContains(page, "Only for sharing data: which of your data.")

    def test_gc_6_4_a_disclosure_consent_needs_recipient_purpose_and_scope(self):
        """GC-6.4"""
        self.login(self.client_user)
        r = self.client.post("/portal/consents/", {"kind": "disclosure", "valid_from": self.now.date().isoformat()})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Name the party that may receive the data.")
        self.assertFalse(Consent.objects.exists())

    def test_gc_6_4_the_client_reads_which_data_each_consent_shares_on_the_page_and_in_the_api(self):
        """GC-6.4, LAW-15: the list showed the recipient and the purpose, not which data she agreed
        to share; the API gave the recipient only."""
        self.login(self.client_user)
        self.client.post("/portal/consents/", {"kind": "disclosure", "recipient": "Bedrijfsarts",
                                               "purpose": "Afstemming over werkhervatting",
                                               "data_scope": "Gewerkte uren en belastbaarheid",
                                               "valid_from": self.now.date().isoformat()})
        page = self.client.get("/portal/consents/")
        self.assertContains(page, "Gewerkte uren en belastbaarheid")
        # Each Withdraw button says which consent it ends, for a screen reader listing the buttons.
        self.assertContains(page, '<span class="visually-hidden">: Disclosure to a third party, Bedrijfsarts</span>')
        [listed] = self.client.get("/api/portal/consents").json()
        self.assertEqual((listed["purpose"], listed["data_scope"]),
                         ("Afstemming over werkhervatting", "Gewerkte uren en belastbaarheid"))

    def test_gc_6_4_a_consent_given_in_the_portal_cannot_start_before_the_day_it_is_given(self):
        """GC-6.4, GC-2.5: a consent given today cannot cover a disclosure or a substitute's access
        that already took place; a back-dated start would make the record say otherwise."""
        self.login(self.client_user)
        r = self.client.post("/portal/consents/", {"kind": "disclosure", "recipient": "Bedrijfsarts",
                                                   "purpose": "Re-integratie", "data_scope": "Uren",
                                                   "valid_from": "2020-01-01"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "A consent you give now starts today at the earliest.")
        self.assertFalse(Consent.objects.exists())

    def test_gc_1_3_a_consent_that_starts_later_is_not_shown_as_active_yet_and_can_be_withdrawn(self):
        """GC-1.3"""
        consent = client_actions.record_consent(
            actor=self.client_user, client=self.own_client, kind="disclosure", recipient="Bedrijfsarts",
            purpose="p", data_scope="d", given_via="portal", valid_from=self.now.date() + datetime.timedelta(days=10),
            now=self.now, grant=CLIENT_GRANT)
        self.login(self.client_user)
        r = self.client.get("/portal/consents/")
        self.assertContains(r, "not yet in force")
        self.assertNotContains(r, ">active<")
        self.assertContains(r, f"/portal/consents/{consent.public_id}/withdraw/")

    def test_gc_1_3_withdrawing_asks_first_as_it_does_for_the_coach(self):
        """GC-1.3, GC-2.5: a mis-tap on a phone would end a substitute coach's access at once."""
        client_actions.record_consent(
            actor=self.client_user, client=self.own_client, kind="disclosure", recipient="Bedrijfsarts",
            purpose="p", data_scope="d", given_via="portal", valid_from=self.now.date(), now=self.now,
            grant=CLIENT_GRANT)
        self.login(self.client_user)
        page = self.client.get("/portal/consents/").content.decode()
        form = page.split("/withdraw/")[1].split("</form>")[0]
        self.assertIn('data-confirm="Withdraw this consent? It ends access at once."', form)

    def test_withdrawing_someone_elses_consent_is_404_and_logged(self):
        consent = client_actions.record_consent(
            actor=self.other_client_user, client=self.other_client, kind="disclosure", recipient="Arts",
            purpose="p", data_scope="d", given_via="portal", valid_from=self.now.date(), now=self.now,
            grant=CLIENT_GRANT)
        self.login(self.client_user)
        self.assertEqual(self.client.post(f"/portal/consents/{consent.public_id}/withdraw/").status_code, 404)
        consent.refresh_from_db()
        self.assertIsNone(consent.withdrawn_at)
        self.assertEqual(AccessLogEntry.objects.last().outcome, Outcome.DENIED)


class MessageTestCase(PortalTestCase):
    def test_gc_6_3_messages_travel_in_the_portal_and_email_only_says_one_waits(self):
        """GC-6.3"""
        self.login(self.client_user)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/portal/messages/", {"text": "Mag de afspraak naar donderdag?"})
        self.assertEqual(mail.outbox[-1].to, ["alice@example.com"])
        self.assertNotIn("donderdag", mail.outbox[-1].body)
        self.login(self.coach)
        page = self.client.get(f"/clients/{self.own_client.public_id}/tab/portal/")
        self.assertContains(page, "Mag de afspraak naar donderdag?")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/portal/manage/{self.own_client.public_id}/messages/", {"text": "Donderdag 10 uur."})
        self.assertEqual(mail.outbox[-1].to, ["carla@example.com"])
        self.assertNotIn("10 uur", mail.outbox[-1].body)
        self.login(self.client_user)
        self.assertContains(self.client.get("/portal/messages/"), "Donderdag 10 uur.")
        self.assertEqual(Message.objects.filter(read_at__isnull=False).count(), 2)

    def test_a_message_sent_twice_in_a_row_reaches_the_coach_once(self):
        """A double tap, or back and 'send' again: one message, one email notice."""
        self.login(self.client_user)
        with self.captureOnCommitCallbacks(execute=True):
            for _ in range(2):
                r = self.client.post("/portal/messages/", {"text": "Mag de afspraak naar donderdag?"})
                self.assertRedirects(r, "/portal/messages/", fetch_redirect_response=False)
        self.assertEqual(Message.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)
        later = self.now + datetime.timedelta(hours=1)
        actions.send_message(actor=self.client_user, client=self.own_client, text="Mag de afspraak naar donderdag?",
                             now=later, grant=CLIENT_GRANT)
        self.assertEqual(Message.objects.count(), 2)  # asked again an hour later: a new message

    def test_an_error_on_a_hidden_field_is_shown_not_swallowed(self):
        """Bad input gets a clear message: a tampered hidden field (here the entry a message is
        about) used to leave the form re-shown without a word of why nothing was sent."""
        self.login(self.client_user)
        self.client.cookies["django_language"] = "en"
        r = self.client.post("/portal/messages/", {"text": "Mag de afspraak naar donderdag?", "about": "x\x00"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<div class="alert alert-error" role="alert"><p>Null characters are not allowed.</p>')
        self.assertEqual(Message.objects.count(), 0)

    def test_no_email_notice_when_the_client_declined_email(self):
        """GC-6.3: the communication agreement is respected."""
        self.login(self.client_user)
        r = self.client.post("/portal/communication/", {"by_phone": "on", "email_content": "notice_only"})
        self.assertRedirects(r, "/portal/", fetch_redirect_response=False)
        self.assertFalse(CommunicationAgreement.objects.get().by_email)
        with self.captureOnCommitCallbacks(execute=True):
            actions.send_message(actor=self.coach, client=self.own_client, text="Hallo", now=self.now,
                                 grant=COACH_GRANT)
        self.assertEqual(mail.outbox, [])

    def test_at_least_one_channel_is_needed(self):
        self.login(self.client_user)
        r = self.client.post("/portal/communication/", {"email_content": "notice_only"})
        self.assertContains(r, "Choose at least one way we may contact you.")


class AccessLogTestCase(PortalTestCase):
    def test_law_nen7513_the_client_reads_who_looked_in_plain_language(self):
        """LAW-NEN7513: 'your coach X viewed your dossier', break-glass with its reason."""
        self.login(self.coach)
        self.client.get(f"/clients/{self.own_client.public_id}/")
        with acting(Actor(user=self.other_coach, channel="web")):
            client_actions.break_glass(actor=self.other_coach, client=self.own_client,
                                       reason="Crisis: cliënte belde de praktijk in nood.", now=self.now)
        self.login(self.client_user)
        r = self.client.get("/portal/access-log/")
        self.assertContains(r, "Your coach Alice Coach viewed your dossier")
        self.assertContains(r, "Bob Coach used emergency access (break-glass) to your dossier")
        self.assertContains(r, "Crisis: cliënte belde de praktijk in nood.")
        self.assertEqual(AccessLogEntry.objects.last().action, "access_log.read")

    def test_law_nen7513_who_else_looked_stays_in_view_however_often_the_client_looks_herself(self):
        """LAW-NEN7513: every page the client opens is logged, and the page showed the newest
        1,000 lines: an active client's own visits pushed her coach's access off the end, and
        filled the pages before it. Her own lines are left out unless she asks for them."""
        from coachdossier import audit
        from coachdossier.audit.models import Basis

        self.login(self.coach)
        self.client.get(f"/clients/{self.own_client.public_id}/")
        with acting(Actor(user=self.client_user, channel="web")):
            audit.record_many(action="dossier.read", clients=[self.own_client] * 1000, basis=Basis.CLIENT,
                              role="client")
        self.login(self.client_user)
        r = self.client.get("/portal/access-log/")
        self.assertContains(r, "Your coach Alice Coach viewed your dossier")
        self.assertNotContains(r, "You viewed your dossier")
        self.assertContains(r, "What you did yourself is left out.")
        mine = self.client.get("/portal/access-log/?mine=1")
        self.assertContains(mine, "You viewed your dossier")
        self.assertContains(mine, 'href="?page=2&amp;mine=1"')  # the pages keep the choice
        api = self.client.get("/api/portal/access-log?others_only=true").json()["results"]
        self.assertIn("Your coach Alice Coach viewed your dossier", {line["description"] for line in api})
        self.assertFalse([line for line in api if line["description"].startswith("You ")])

    def test_gc_2_3_a_refused_attempt_by_another_client_does_not_name_that_client(self):
        """GC-2.3, GC-5.1: when another client tried a link to her dossier, the log said "Daan
        Jansen tried to open your dossier and was refused": another client's name, and that he
        is a client of the practice, in her portal, her export and the API."""
        self.login(self.other_client_user)
        self.assertEqual(self.client.get(f"/measurements/client/{self.own_client.public_id}/").status_code, 404)
        self.login(self.client_user)
        page = self.client.get("/portal/access-log/")
        self.assertContains(page, "Someone with another client account tried to open your dossier and was refused")
        self.assertNotContains(page, "Daan")
        self.assertNotIn("Daan", json.dumps(self.client.get("/api/portal/access-log").json()))

    def test_law_nen7513_a_dutch_client_reads_every_line_of_the_log_in_dutch(self):
        """LAW-NEN7513: the phrases were once marked with an alias makemessages does not know,
        so the Dutch page said "U looked at who viewed your dossier"."""
        from django.utils import translation

        from coachdossier.portal.accesslog import PHRASES, PREFIX_PHRASES

        for action, phrase in [*PHRASES.items(), *PREFIX_PHRASES.items()]:
            with translation.override("en"):
                english = str(phrase)
            with translation.override("nl"):
                self.assertNotEqual(str(phrase), english, f"{action} has no Dutch phrase")
        self.login(self.client_user)
        self.client.cookies["django_language"] = "nl"
        self.client.get("/portal/dossier/")
        r = self.client.get("/portal/access-log/?mine=1")
        self.assertContains(r, "U heeft uw dossier ingezien")
        self.assertNotContains(r, "viewed your dossier")

    def test_law_15_the_client_reads_what_happened_to_a_report_not_that_someone_worked_on_it(self):
        """LAW-15, GC-6.1: blocking, signing and sending a report each have their own line."""
        from coachdossier.audit.models import Basis
        from coachdossier.portal.accesslog import describe

        def line(action, actor=None, basis=Basis.CLIENT, role="client"):
            entry = AccessLogEntry(action=action, actor=actor, basis=basis, role=role, outcome=Outcome.ALLOWED)
            return describe(entry, client_user_id=self.client_user.pk).sentence

        self.assertEqual(line("report.block", self.client_user), "You blocked a report about you")
        self.assertEqual(line("report.sign", self.client_user), "You signed a report about you")
        self.assertEqual(line("report.object", self.client_user), "You objected in writing to a report about you")
        self.assertEqual(line("report.send", self.coach, Basis.COACH, "coach"),
                         "Your coach Alice Coach sent a report about you to the principal")
        self.assertEqual(line("report.download", None, Basis.SYSTEM, "recipient"),
                         "The recipient of the report downloaded a report about you")

    def test_law_nen7513_a_client_reading_her_own_complaint_is_not_said_to_handle_it(self):
        """It said "You handled a step of your complaint" when she opened it."""
        from coachdossier.audit.models import Basis
        from coachdossier.portal.accesslog import describe

        entry = AccessLogEntry(action="complaint.read", actor=self.client_user, basis=Basis.CLIENT, role="client",
                               outcome=Outcome.ALLOWED)
        self.assertEqual(describe(entry, client_user_id=self.client_user.pk).sentence, "You read your complaint")

    def _looked(self, times, *, action="dossier.read"):
        from coachdossier import audit
        from coachdossier.audit.models import Basis

        with acting(Actor(user=self.coach, channel="web")):
            audit.record_many(action=action, clients=[self.own_client] * times, basis=Basis.COACH, role="coach")

    def _others(self):
        """How many lines of her log are not her own."""
        return AccessLogEntry.objects.for_client(self.own_client.public_id).exclude(actor=self.client_user).count()

    def test_law_nen7513_every_line_the_log_keeps_can_be_reached_a_page_at_a_time(self):
        """LAW-NEN7513, AVG art. 15: the page showed the newest 1,000 lines and the API the newest
        500; who looked before that could not be seen, though the log still kept it."""
        self._looked(1, action="entry.edit")  # the oldest line
        self._looked(1000)
        self.login(self.client_user)
        first = self.client.get("/portal/access-log/")
        self.assertContains(first, "Page 1 of 21")
        self.assertNotContains(first, "changed an entry")
        last = self.client.get("/portal/access-log/?page=21")
        self.assertContains(last, "Your coach Alice Coach changed an entry of your dossier")
        self.assertContains(last, 'href="?page=20"')
        lines = self.client.get("/api/portal/access-log?others_only=true&page=21").json()
        self.assertEqual(lines["count"], self._others())
        self.assertEqual(lines["page"], 21)
        self.assertIn("entry.edit", [line["action"] for line in lines["results"]])

    def test_law_nen7513_the_pages_follow_the_log_newest_first_without_repeating_or_skipping_a_line(self):
        """The log's own sequence decides the order, also between lines of the same instant."""
        done = [("dossier.read", "entry.read", "entry.edit")[i % 3] for i in range(60)]
        for action in done:
            self._looked(1, action=action)
        self.login(self.client_user)
        pages = [self.client.get(f"/api/portal/access-log?others_only=true&page={n}").json() for n in (1, 2, 3)]
        before = self._others() - 60  # the setup's
        self.assertEqual([len(p["results"]) for p in pages], [50, 10 + before, 0])
        self.assertEqual([line["action"] for p in pages for line in p["results"]][:60], done[::-1])
        second = self.client.get("/portal/access-log/?page=2").context["page"]
        self.assertEqual([line.action for line in second][:10], done[::-1][50:])

    def test_gc_2_3_no_page_of_the_log_names_another_client(self):
        """GC-2.3: the privacy rule holds on every page, not only the first."""
        self.login(self.other_client_user)
        self.assertEqual(self.client.get(f"/measurements/client/{self.own_client.public_id}/").status_code, 404)
        self._looked(60)
        self.login(self.client_user)
        page = self.client.get("/portal/access-log/?page=2")
        self.assertContains(page, "Someone with another client account tried to open your dossier")
        self.assertNotContains(page, "Daan")
        api = self.client.get("/api/portal/access-log?page=2").json()
        self.assertNotIn("Daan", json.dumps(api))
        self.assertIn("Someone with another client account tried to open your dossier and was refused",
                      {line["description"] for line in api["results"]})

    def test_the_page_and_the_api_run_the_same_queries_at_3_and_at_60_lines(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._looked(3)
        self.login(self.client_user)
        self.client.get("/portal/access-log/")
        self.client.get("/api/portal/access-log")
        self.assertLess(AccessLogEntry.objects.filter(client_ref=self.own_client.public_id).count(), 10)
        with CaptureQueriesContext(connection) as page:
            self.client.get("/portal/access-log/")
        with CaptureQueriesContext(connection) as api:
            self.client.get("/api/portal/access-log")
        self._looked(57)
        with self.assertNumQueries(len(page)):
            self.assertEqual(len(self.client.get("/portal/access-log/").context["page"].object_list), 50)
        with self.assertNumQueries(len(api)):
            self.assertEqual(len(self.client.get("/api/portal/access-log").json()["results"]), 50)

    def test_the_page_runs_a_fixed_number_of_queries(self):
        self.login(self.coach)
        for _ in range(5):
            self.client.get(f"/clients/{self.own_client.public_id}/")
        self.login(self.client_user)
        self.client.get("/portal/access-log/")
        with self.assertNumQueries(14):  # the count, then the page: SQL pages the log
            self.client.get("/portal/access-log/")
        for _ in range(5):  # more entries, more people: still the same queries
            self.login(self.coach)
            self.client.get(f"/clients/{self.own_client.public_id}/")
        self.login(self.client_user)
        self.client.get("/portal/access-log/")
        with self.assertNumQueries(14):  # the count, then the page: SQL pages the log
            self.client.get("/portal/access-log/")


class DestructionListTestCase(PortalTestCase):
    def test_the_list_runs_a_fixed_number_of_queries_whatever_its_length(self):
        """GC-5.4"""
        from coachdossier.test import make_client

        actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                             now=self.now, grant=CLIENT_GRANT)
        self.login(self.management)
        self.client.get("/portal/manage/destructions/")
        with self.assertNumQueries(5):
            self.client.get("/portal/manage/destructions/")
        for i in range(3):
            other = make_client(actor=self.management, coach=self.coach, principal=self.employer, first=f"X{i}")
            actions.file_request(actor=self.management, client=other, kind=RequestKind.DESTRUCTION, now=self.now,
                                 grant=MANAGEMENT_GRANT,
                                 channel="letter", received_on=self.now.date(), identity_check="ID gezien")
        with self.assertNumQueries(5):
            r = self.client.get("/portal/manage/destructions/")
        self.assertContains(r, self.own_client.reference)


class LetterRequestPageTestCase(PortalTestCase):
    def test_the_coach_registers_a_correction_letter_about_a_fact(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="Uren", text="32 uur.", now=self.now)
        self.login(self.coach)
        url = f"/portal/manage/{self.own_client.public_id}/requests/new/"
        r = self.client.post(url, {"kind": "correction", "received_on": "2026-11-20", "entry": str(entry.public_id),
                                   "proposed": "24 uur.", "reason": "Brief van cliënte"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'id="id_identity_check_helptext"')
        self.assertFalse(ClientRequest.objects.exists())
        r = self.client.post(url, {"kind": "correction", "received_on": "2026-11-20", "entry": str(entry.public_id),
                                   "proposed": "24 uur.", "reason": "Brief van cliënte",
                                   "identity_check": "Handtekening vergeleken"})
        request = ClientRequest.objects.get()
        self.assertRedirects(r, f"/portal/manage/{self.own_client.public_id}/requests/{request.public_id}/",
                             fetch_redirect_response=False)
        self.assertEqual(request.entry, entry)
        self.assertEqual(request.channel, "letter")


    def test_management_is_led_back_to_the_clients_request_page_not_to_the_dossier_it_may_not_open(self):
        """PR-7: management handles a letter without the dossier, so the back link must not give 403."""
        self.login(self.management)
        r = self.client.get(f"/portal/manage/{self.own_client.public_id}/requests/new/")
        self.assertContains(r, f'href="/portal/manage/{self.own_client.public_id}/"')
        self.assertNotContains(r, f'href="/clients/{self.own_client.public_id}/"')
        self.login(self.coach)
        r = self.client.get(f"/portal/manage/{self.own_client.public_id}/requests/new/")
        self.assertContains(r, f'href="/clients/{self.own_client.public_id}/tab/portal/"')


class ConsentProposalTestCase(PortalTestCase):
    def test_gc_1_3_the_coach_proposes_a_substitute_and_only_the_clients_consent_gives_access(self):
        """GC-1.3, GC-2.5: the client grants a consent the coach proposed."""
        self.login(self.coach)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(f"/portal/manage/{self.own_client.public_id}/consents/propose/",
                                 {"substitute": self.other_coach.public_id, "valid_from": "2026-11-23",
                                  "valid_until": "2026-12-23"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(mail.outbox[-1].to, ["carla@example.com"])
        self.assertNotIn("Bob", mail.outbox[-1].body)
        self.login(self.other_coach)
        self.assertEqual(self.client.get(f"/clients/{self.own_client.public_id}/").status_code, 404)
        self.login(self.client_user)
        page = self.client.get("/portal/consents/")
        self.assertContains(page, "Bob Coach")
        proposal = self.own_client.consent_proposals.get()
        self.client.post(f"/portal/consents/proposals/{proposal.public_id}/accept/")
        consent = Consent.objects.get(client=self.own_client)
        self.assertEqual((consent.kind, consent.substitute, consent.given_via),
                         ("substitute", self.other_coach, "portal"))
        self.login(self.other_coach)
        self.assertEqual(self.client.get(f"/clients/{self.own_client.public_id}/").status_code, 200)

    def test_gc_2_5_the_coach_is_offered_only_other_coaches_to_propose_as_substitute(self):
        """GC-2.5: the portal tab's list offered the client's own coach, whom propose_substitute
        then refused; the consent forms already left her out."""
        self.login(self.coach)
        tab = self.client.get(f"/clients/{self.own_client.public_id}/tab/portal/")
        action = f"/portal/manage/{self.own_client.public_id}/consents/propose/"
        form = tab.content.decode().split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
        options = form.split('name="substitute"', 1)[1].split("</select>", 1)[0]
        self.assertIn(str(self.other_coach.public_id), options)
        self.assertNotIn(str(self.coach.public_id), options)

    def test_gc_2_5_the_proposal_puts_its_buttons_in_valid_html_no_form_inside_a_paragraph(self):
        """GC-2.5: a <p> cannot hold a <form>; a browser closes the paragraph and the layout breaks."""
        from html.parser import HTMLParser

        actions.propose_substitute(actor=self.coach, client=self.own_client, substitute=self.other_coach,
                                   valid_from=self.now.date(), valid_until=datetime.date(2026, 12, 23), now=self.now,
                                   grant=None)
        forms_in_a_paragraph = []

        class Page(HTMLParser):
            open_paragraphs = 0

            def handle_starttag(self, tag, attrs):
                self.open_paragraphs += tag == "p"
                if tag == "form" and self.open_paragraphs:
                    forms_in_a_paragraph.append(dict(attrs).get("action"))

            def handle_endtag(self, tag):
                self.open_paragraphs -= tag == "p" and self.open_paragraphs > 0

        self.login(self.client_user)
        page = self.client.get("/portal/consents/")
        self.assertContains(page, "I agree")
        Page().feed(page.content.decode())
        self.assertEqual(forms_in_a_paragraph, [])

    def test_a_proposal_for_the_clients_own_coach_is_refused(self):
        self.login(self.coach)
        self.client.post(f"/portal/manage/{self.own_client.public_id}/consents/propose/",
                         {"substitute": self.coach.public_id, "valid_from": "2026-11-23", "valid_until": "2026-12-23"})
        self.assertFalse(self.own_client.consent_proposals.exists())


class CopyReleasePageTestCase(PortalTestCase):
    def test_the_coach_withholds_an_entry_naming_others_and_releases_the_copy(self):
        """LAW-15: AVG art. 15(4) redaction, recorded."""
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                         occurred_on=self.now.date(), title="Teamoverleg",
                                         text="Collega Jan Pieterse had klachten.", now=self.now)
        entry.names_others = True
        entry.save(update_fields=["names_others"])
        self.reauthenticated(self.client_user)
        self.client.post("/portal/copy/request/")
        request = ClientRequest.objects.get()
        self.assertContains(self.client.get("/portal/copy/"), "deadline")
        self.login(self.coach)
        url = f"/portal/manage/{self.own_client.public_id}/requests/{request.public_id}/"
        self.assertContains(self.client.get(url), "Teamoverleg")
        r = self.client.post(url + "release/", {"redact": [str(entry.public_id)], "reason": "Gaat over een collega."})
        self.assertEqual(r.status_code, 302)
        self.reauthenticated(self.client_user)
        r = self.client.get(f"/portal/copy/{request.public_id}/json/")
        self.assertNotIn("Pieterse", r.content.decode())
        self.assertContains(self.client.get("/portal/copy/"), "withheld")


class DoubleCopyRequestTestCase(PortalTestCase):
    def ask_a_copy_the_coach_must_check(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                         occurred_on=self.now.date(), title="t", text="x", now=self.now)
        entry.names_others = True
        entry.save(update_fields=["names_others"])
        self.reauthenticated(self.client_user)
        self.client.post("/portal/copy/request/")

    def test_a_second_click_while_a_copy_is_prepared_files_nothing_new(self):
        self.ask_a_copy_the_coach_must_check()
        r = self.client.post("/portal/copy/request/", follow=True)
        self.assertContains(r, "A copy is already being prepared")
        self.assertEqual(ClientRequest.objects.count(), 1)

    def test_law_15_while_the_coach_checks_a_copy_the_page_shows_what_it_waits_for_not_the_button(self):
        """LAW-15, AVG art. 15(4): the open request and what comes next, instead of a button that fails."""
        self.ask_a_copy_the_coach_must_check()
        page = self.client.get("/portal/copy/")
        self.assertContains(page, "your coach checks them first. You will get an email when your copy is ready")
        self.assertContains(page, "Waiting for your coach")
        self.assertNotContains(page, "Identity verified")
        self.assertNotContains(page, "Make my copy")


class RequestListTestCase(PortalTestCase):
    def test_the_clients_request_list_runs_the_same_queries_for_more_requests(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="t", text="x", now=self.now)

        def correction(proposed):
            actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                 now=self.now, grant=CLIENT_GRANT, entry=entry, proposed=proposed, reason="z")

        correction("y1")
        self.login(self.client_user)
        self.client.get("/portal/requests/")
        with self.assertNumQueries(14):
            self.client.get("/portal/requests/")
        correction("y2")
        correction("y3")
        with self.assertNumQueries(14):  # the entries' versions come in one query (what each correction concerns)
            r = self.client.get("/portal/requests/")
        self.assertEqual(r.status_code, 200)

    def test_gc_5_3_her_requests_say_what_each_correction_concerns_and_why_she_asked(self):
        """GC-5.3: her corrections read only "Correction" and her proposal ("Werkt 24 uur."): not
        which entry or which of her data it corrects, nor the reason she gave."""
        first = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="Werkuren", text="Werkt 20 uur.",
                                         now=self.now)
        second = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                          occurred_on=self.now.date(), title="Reistijd", text="Een uur.", now=self.now)
        for entry, proposed in ((first, "Werkt 24 uur."), (second, "Een half uur.")):
            actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                 now=self.now, grant=CLIENT_GRANT, entry=entry, proposed=proposed,
                                 reason="Sinds oktober anders.")
        actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                             now=self.now, grant=CLIENT_GRANT, field="city", proposed="Utrecht",
                             reason="Verhuisd in september.")
        self.login(self.client_user)
        r = self.client.get("/portal/requests/")
        self.assertContains(r, "Werkuren")
        self.assertContains(r, "Reistijd")
        self.assertContains(r, "Town")
        self.assertContains(r, "Verhuisd in september.")
        self.assertContains(r, "Sinds oktober anders.", count=2)
