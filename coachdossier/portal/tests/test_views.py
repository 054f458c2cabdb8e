from django.core import mail

from coachdossier.audit.context import Actor, acting
from coachdossier.audit.models import AccessLogEntry, Outcome
from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import Client, Consent, EntryKind
from coachdossier.portal import actions
from coachdossier.portal.models import ClientRequest, CommunicationAgreement, Message, RequestKind

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

    def test_gc_6_4_a_disclosure_consent_needs_recipient_purpose_and_scope(self):
        """GC-6.4"""
        self.login(self.client_user)
        r = self.client.post("/portal/consents/", {"kind": "disclosure", "valid_from": self.now.date().isoformat()})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "Name the party that may receive the data.")
        self.assertFalse(Consent.objects.exists())

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

    def test_the_page_runs_a_fixed_number_of_queries(self):
        self.login(self.coach)
        for _ in range(5):
            self.client.get(f"/clients/{self.own_client.public_id}/")
        self.login(self.client_user)
        self.client.get("/portal/access-log/")
        with self.assertNumQueries(18):
            self.client.get("/portal/access-log/")
        for _ in range(5):  # more entries, more people: still the same queries
            self.login(self.coach)
            self.client.get(f"/clients/{self.own_client.public_id}/")
        self.login(self.client_user)
        self.client.get("/portal/access-log/")
        with self.assertNumQueries(18):
            self.client.get("/portal/access-log/")


class DestructionListTestCase(PortalTestCase):
    def test_the_list_runs_a_fixed_number_of_queries_whatever_its_length(self):
        """GC-5.4"""
        from coachdossier.test import make_client

        actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.DESTRUCTION,
                             now=self.now, grant=CLIENT_GRANT)
        self.login(self.management)
        self.client.get("/portal/manage/destructions/")
        with self.assertNumQueries(10):
            self.client.get("/portal/manage/destructions/")
        for i in range(3):
            other = make_client(actor=self.management, coach=self.coach, principal=self.employer, first=f"X{i}")
            actions.file_request(actor=self.management, client=other, kind=RequestKind.DESTRUCTION, now=self.now,
                                 grant=MANAGEMENT_GRANT,
                                 channel="letter", received_on=self.now.date(), identity_check="ID gezien")
        with self.assertNumQueries(10):
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
        self.assertContains(r, 'id="id_identity_check_help"')
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
    def test_a_second_click_while_a_copy_is_prepared_files_nothing_new(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.NOTE,
                                         occurred_on=self.now.date(), title="t", text="x", now=self.now)
        entry.names_others = True
        entry.save(update_fields=["names_others"])
        self.reauthenticated(self.client_user)
        self.client.post("/portal/copy/request/")
        r = self.client.post("/portal/copy/request/", follow=True)
        self.assertContains(r, "A copy is already being prepared")
        self.assertEqual(ClientRequest.objects.count(), 1)


class RequestListTestCase(PortalTestCase):
    def test_the_clients_request_list_runs_the_same_queries_for_more_requests(self):
        entry = client_actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.FACT,
                                         occurred_on=self.now.date(), title="t", text="x", now=self.now)

        def correction():
            actions.file_request(actor=self.client_user, client=self.own_client, kind=RequestKind.CORRECTION,
                                 now=self.now, grant=CLIENT_GRANT, entry=entry, proposed="y", reason="z")

        correction()
        self.login(self.client_user)
        self.client.get("/portal/requests/")
        with self.assertNumQueries(18):
            self.client.get("/portal/requests/")
        correction()
        correction()
        with self.assertNumQueries(18):
            r = self.client.get("/portal/requests/")
        self.assertEqual(r.status_code, 200)
