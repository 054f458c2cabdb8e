"""The registers: confidentiality breaches (GC-6.5), data breaches with the 72-hour clock
(LAW-33), processors and the DPIA next to the generated processing register (LAW-30)."""

import datetime

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.privacy import actions, portal_sections
from coachdossier.privacy.models import BreachDecision, ConfidentialityBreach, DataBreach
from coachdossier.privacy.tests.base import PrivacyTestCase


class ConfidentialityBreachTests(PrivacyTestCase):
    def record(self, **changes):
        values = dict(client=self.own_client, occurred_on=self.now.date(), legal_ground="danger",
                      reason="Dreiging richting collega", recipient="Huisarts", shared="Zorgen over veiligheid",
                      client_informed=True, informed_on=self.now.date(), now=self.now)
        values.update(changes)
        return actions.record_confidentiality_breach(actor=self.coach, **values)

    def test_gc_6_5_the_breach_is_recorded_sealed_with_ground_recipient_and_what_was_shared(self):
        item = self.record()
        self.assertNotIn(b"Huisarts", bytes(item.sealed))
        self.assertEqual(item.details["recipient"], "Huisarts")

    def test_gc_6_5_a_client_not_informed_needs_the_reason_why_not(self):
        with self.assertRaises(ValidationError) as ctx:
            self.record(client_informed=False, informed_on=None)
        self.assertIn("why_not_told", ctx.exception.message_dict)
        self.assertFalse(ConfidentialityBreach.objects.exists())

    def test_gc_6_5_the_client_sees_the_breach_unless_telling_causes_acute_danger(self):
        self.record()
        self.record(client_informed=False, informed_on=None, acute_danger=True, why_not_told="Dreiging")
        panels = portal_sections.sections(None, self.own_client, None)
        self.assertEqual(len(panels[0].context["items"]), 1)
        self.assertFalse(panels[0].context["items"][0].acute_danger)

    def test_gc_6_5_the_coach_records_it_from_the_client_page_and_management_sees_the_register(self):
        self.login(self.coach)
        url = reverse("privacy:confidentiality_new", args=[self.own_client.public_id])
        response = self.client.post(url, {"occurred_on": "2026-11-20", "legal_ground": "law", "reason": "Meldplicht",
                                          "recipient": "Veilig Thuis", "shared": "Signalen",
                                          "client_informed": "on", "informed_on": "2026-11-21"})
        self.assertRedirects(response, reverse("clients:tab", args=[self.own_client.public_id, "privacy"]),
                             fetch_redirect_response=False)
        self.assertContains(self.client.get(reverse("clients:tab", args=[self.own_client.public_id, "privacy"])),
                            "Veilig Thuis")
        self.login(self.management)
        page = self.client.get(reverse("privacy:confidentiality_register"))
        self.assertContains(page, self.own_client.reference)
        self.assertNotContains(page, "Veilig Thuis")  # no dossier content for management (PR-7)


class DataBreachTests(PrivacyTestCase):
    def breach(self, discovered_at=None):
        return actions.record_data_breach(actor=self.management, discovered_at=discovered_at or self.now,
                                          title="Mail naar verkeerde ontvanger", description="Verslag verstuurd",
                                          data_affected="Naam, voortgang", people_affected="1 cliënt", now=self.now)

    def test_law_33_the_72_hour_clock_runs_from_discovery(self):
        breach = self.breach(self.now - datetime.timedelta(hours=80))
        self.assertEqual(breach.deadline(72), self.now - datetime.timedelta(hours=8))
        self.assertTrue(breach.is_late(self.now, 72))
        actions.decide_data_breach(actor=self.management, breach=breach, decision=BreachDecision.NOT_REQUIRED,
                                   reason="Versleuteld, geen risico", decided_at=self.now - datetime.timedelta(hours=9),
                                   now=self.now)
        self.assertFalse(breach.is_late(self.now, 72))

    def test_law_33_a_decision_that_no_notification_is_required_taken_after_72_hours_is_late(self):
        breach = self.breach(self.now - datetime.timedelta(hours=80))
        actions.decide_data_breach(actor=self.management, breach=breach, decision=BreachDecision.NOT_REQUIRED,
                                   reason="Versleuteld, geen risico", now=self.now)
        self.assertEqual((breach.decided_at, breach.decided_by), (self.now, self.management))
        self.assertTrue(breach.is_late(self.now + datetime.timedelta(days=30), 72))

    def test_law_33_the_decision_keeps_when_it_was_taken_and_by_whom_when_saved_again(self):
        """AVG art. 33(5): the decision's time is documented; adding measures later does not move it."""
        breach = self.breach(self.now - datetime.timedelta(hours=10))
        actions.decide_data_breach(actor=self.management, breach=breach, decision=BreachDecision.NOTIFIED,
                                   notified_at=self.now - datetime.timedelta(hours=2), reference="AP-1", now=self.now)
        self.assertEqual(breach.decided_at, self.now - datetime.timedelta(hours=2))  # the notification's time
        later = self.now + datetime.timedelta(days=10)
        actions.decide_data_breach(actor=self.auditor, breach=breach, decision=BreachDecision.NOTIFIED,
                                   notified_at=breach.authority_notified_at, reference="AP-1",
                                   measures="Wachtwoorden gewijzigd", now=later)
        breach.refresh_from_db()
        self.assertEqual((breach.decided_at, breach.decided_by), (self.now - datetime.timedelta(hours=2),
                                                                  self.management))
        self.assertFalse(breach.is_late(later, 72))
        self.assertEqual(AccessLogEntry.objects.filter(action="data_breach.decide").count(), 2)

    def test_law_33_the_decision_lies_between_discovery_and_now_and_before_the_notification(self):
        breach = self.breach(self.now - datetime.timedelta(hours=10))
        for decided_at, notified_at in ((self.now + datetime.timedelta(hours=1), None),
                                        (self.now - datetime.timedelta(hours=11), None),
                                        (self.now - datetime.timedelta(hours=1), self.now - datetime.timedelta(hours=2))):
            with self.subTest(decided_at=decided_at), self.assertRaises(ValidationError) as ctx:
                actions.decide_data_breach(
                    actor=self.management, breach=breach, now=self.now, decided_at=decided_at,
                    **({"decision": BreachDecision.NOTIFIED, "notified_at": notified_at} if notified_at else
                       {"decision": BreachDecision.NOT_REQUIRED, "reason": "Geen risico"}))
            self.assertIn("decided_at", ctx.exception.message_dict)
        breach.refresh_from_db()
        self.assertEqual((breach.decision, breach.decided_at), (BreachDecision.PENDING, None))

    def test_law_33_the_register_page_shows_when_and_by_whom_and_marks_a_late_not_required_late(self):
        in_time = self.breach(self.now - datetime.timedelta(hours=30))
        actions.decide_data_breach(actor=self.management, breach=in_time, decision=BreachDecision.NOT_REQUIRED,
                                   reason="Versleuteld", now=self.now)
        late = self.breach(self.now - datetime.timedelta(hours=100))
        actions.decide_data_breach(actor=self.management, breach=late, decision=BreachDecision.NOT_REQUIRED,
                                   reason="Versleuteld", now=self.now)
        self.login(self.management)
        page = self.client.get(reverse("privacy:breaches"))
        self.assertEqual([row["late"] for row in page.context["rows"]], [False, True])
        self.assertContains(page, "<th>Decision taken</th>", html=True)
        self.assertContains(page, "Mia Directie</td>", count=2)
        detail = self.client.get(reverse("privacy:breach_detail", args=[late.public_id]))
        self.assertContains(detail, '<span class="badge badge-late">late</span>', html=True)
        self.assertContains(detail, "no notification required: ")
        self.assertContains(detail, "Mia Directie</dd>")

    def test_law_33_managements_dashboard_and_the_privacy_overview_flag_a_breach_decided_late(self):
        breach = self.breach(self.now - datetime.timedelta(hours=100))
        actions.decide_data_breach(actor=self.management, breach=breach, decision=BreachDecision.NOT_REQUIRED,
                                   reason="Versleuteld", now=self.now)
        self.breach(self.now - datetime.timedelta(hours=1))  # pending, in time
        self.login(self.management)
        self.assertContains(self.client.get(reverse("home")),
                            "1 open data breach was decided later than 72 hours after discovery, or is still undecided.")
        self.assertContains(self.client.get(reverse("privacy:overview")),
                            '<span class="badge badge-late">1 late</span>', html=True)

    def test_law_33_a_decision_recorded_before_its_time_was_kept_gets_it_from_the_access_log(self):
        """The migration: the first data_breach.decide entry says when, and who (a notification's
        own time when earlier); a breach still pending keeps none."""
        import importlib

        from django.apps import apps

        migration = importlib.import_module("coachdossier.privacy.migrations.0002_breach_decided_at")
        from coachdossier.audit.context import Actor, acting

        decided, pending = self.breach(self.now - datetime.timedelta(hours=100)), self.breach()
        with acting(Actor(user=self.management, channel="web")):
            actions.decide_data_breach(actor=self.management, breach=decided,
                                       decision=BreachDecision.NOT_REQUIRED, reason="Versleuteld", now=self.now)
        entry = AccessLogEntry.objects.filter(action="data_breach.decide").get()
        DataBreach.objects.update(decided_at=None, decided_by=None)
        migration.from_the_access_log(apps, None)
        decided.refresh_from_db()
        pending.refresh_from_db()
        self.assertEqual((decided.decided_at, decided.decided_by, pending.decided_at),
                         (entry.at, self.management, None))
        self.assertTrue(decided.is_late(self.now, 72))

    def test_law_33_reminders_at_24_hours_before_the_deadline_and_when_late_each_once(self):
        breach = self.breach(self.now)
        for hours, expected in ((1, 0), (25, 1), (26, 1), (61, 2), (73, 3), (80, 3)):
            with self.captureOnCommitCallbacks(execute=True):
                actions.send_breach_reminders(now=self.now + datetime.timedelta(hours=hours))
            self.assertEqual(len(mail.outbox), expected, hours)
        self.assertIn("/privacy/breaches/", mail.outbox[-1].body)
        breach.refresh_from_db()
        self.assertEqual(breach.reminded_stage, 3)

    def test_law_33_no_reminder_once_decided(self):
        breach = self.breach(self.now)
        actions.decide_data_breach(actor=self.management, breach=breach, decision=BreachDecision.NOTIFIED,
                                   notified_at=self.now + datetime.timedelta(hours=2), reference="AP-1",
                                   now=self.now + datetime.timedelta(hours=3))
        self.assertEqual(actions.send_breach_reminders(now=self.now + datetime.timedelta(hours=73)), [])

    def test_law_33_a_notification_needs_its_time_and_closing_needs_a_decision(self):
        breach = self.breach()
        with self.assertRaises(ValidationError) as ctx:
            actions.decide_data_breach(actor=self.management, breach=breach, decision=BreachDecision.NOTIFIED,
                                       now=self.now)
        self.assertIn("authority_notified_at", ctx.exception.message_dict)
        with self.assertRaises(ValidationError):
            actions.close_data_breach(actor=self.management, breach=breach, now=self.now)

    def test_law_33_a_client_cannot_be_told_before_the_breach_was_discovered(self):
        """LAW-33: AVG art. 34, the dates of discovery and of telling the client run in that order."""
        breach = self.breach()
        with self.assertRaises(ValidationError) as ctx:
            actions.add_breach_client(actor=self.management, breach=breach, client=self.own_client,
                                      notified_on=self.now.date() - datetime.timedelta(days=1), now=self.now)
        self.assertIn("notified_on", ctx.exception.message_dict)
        self.assertFalse(breach.notices.exists())

    def test_a_mistyped_date_for_telling_the_client_is_named_not_taken_for_a_missing_reference(self):
        breach = self.breach()
        self.login(self.management)
        response = self.client.post(reverse("privacy:breach_client", args=[breach.public_id]),
                                    {"reference": self.own_client.reference, "notified_on": "22-13-2026"},
                                    follow=True)
        self.assertContains(response, "client told on: Enter a valid date.")
        self.assertNotContains(response, "Enter a client reference.")

    def test_law_33_management_records_a_breach_its_decision_and_the_clients_told(self):
        self.login(self.management)
        response = self.client.post(reverse("privacy:breach_new"), {
            "discovered_at": "2026-11-22T09:00", "title": "USB-stick kwijt", "description": "Verloren",
            "data_affected": "Versleutelde export", "people_affected": "3 cliënten"})
        breach = DataBreach.objects.get()
        self.assertRedirects(response, reverse("privacy:breach_detail", args=[breach.public_id]))
        url = reverse("privacy:breach_detail", args=[breach.public_id])
        bad = self.client.post(url, {"decision": "not_required"})
        self.assertIn("decision_reason", bad.context["form"].errors)
        self.client.post(url, {"decision": "not_required", "decision_reason": "Versleuteld"})
        self.client.post(reverse("privacy:breach_client", args=[breach.public_id]),
                         {"reference": self.own_client.reference, "notified_on": "2026-11-22"})
        page = self.client.get(url)
        self.assertContains(page, self.own_client.reference)
        self.assertContains(self.client.get(reverse("privacy:breaches")), "USB-stick kwijt")


class ProcessingRegisterPageTests(PrivacyTestCase):
    def test_law_30_the_register_is_generated_printable_and_lists_processors(self):
        actions.add_processor(actor=self.management, name="Hoster BV", service="Hosting", agreement_reference="VWO-7",
                              agreement_date=self.now.date(), location="Nederland", now=self.now)
        self.login(self.auditor)
        page = self.client.get(reverse("privacy:processing"))
        self.assertContains(page, "clients.EntryVersion.sealed")
        self.assertContains(page, "Hoster BV")
        pdf = self.client.get(reverse("privacy:processing_pdf"))
        self.assertTrue(pdf.content.startswith(b"%PDF"))

    def test_gc_9_5_the_dpia_is_kept_with_the_inventory_it_assessed(self):
        from coachdossier.privacy import inventory

        dpia = actions.upload_dpia(actor=self.management, title="DPIA re-integratie", version="1.0",
                                   approved_on=self.now.date(), upload=SimpleUploadedFile("dpia.pdf", DEMO_PDF),
                                   now=self.now)
        self.assertEqual(dpia.inventory_fingerprint, inventory.fingerprint())
        self.login(self.management)
        page = self.client.get(reverse("privacy:processing"))
        self.assertContains(page, "DPIA re-integratie")
        self.assertNotContains(page, "review the DPIA")
        download = self.client.get(reverse("privacy:dpia_download", args=[dpia.public_id]))
        self.assertEqual(download.content, DEMO_PDF)

    def test_a_processor_agreement_date_in_the_future_is_refused_next_to_the_field(self):
        self.login(self.management)
        response = self.client.post(reverse("privacy:processor_new"), {
            "name": "Mail BV", "service": "Mail", "agreement_reference": "X", "agreement_date": "2099-01-01",
            "location": "NL"})
        self.assertIn("agreement_date", response.context["form"].errors)


class DpiaApiTests(PrivacyTestCase):
    """GC-9.5, LAW-30: the DPIA through the API as on the page: management uploads it (the
    same action, with the inventory it assessed), management and the auditor list and download."""

    def upload(self, **fields):
        data = {"title": "DPIA re-integratie", "version": "1.0", "approved_on": self.now.date().isoformat(),
                "document": SimpleUploadedFile("dpia.pdf", DEMO_PDF, content_type="application/pdf"), **fields}
        return self.client.post("/api/privacy/dpias", data)

    def test_gc_9_5_management_uploads_a_dpia_and_the_auditor_lists_and_downloads_it(self):
        from coachdossier.privacy import inventory

        self.login(self.management)
        response = self.upload()
        self.assertEqual(response.status_code, 201)
        created = response.json()
        self.assertEqual((created["title"], created["inventory_fingerprint"]), ("DPIA re-integratie",
                                                                                inventory.fingerprint()))
        self.assertFalse(created["outdated"])
        self.login(self.auditor)
        self.assertEqual([d["id"] for d in self.client.get("/api/privacy/dpias").json()], [created["id"]])
        self.assertEqual(self.client.get(f"/api/privacy/dpias/{created['id']}/document").content, DEMO_PDF)

    def test_gc_9_5_bad_input_is_a_422_next_to_the_field(self):
        self.login(self.management)
        response = self.upload(approved_on="2099-01-01", title="x" * 201)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(response.json()["errors"]), {"approved_on", "title"})

    def test_only_management_uploads(self):
        self.login(self.auditor)
        self.assertEqual(self.upload().status_code, 403)
