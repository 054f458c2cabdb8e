"""The coach registry: standing, refusal of assignment, reminders, CV and profile PDF."""

import datetime

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coachdossier.clients import actions as client_actions
from coachdossier.clients.management.commands.demo import DEMO_PDF
from coachdossier.clients.models import ClientSource, PersonalData, Trajectory
from coachdossier.privacy import actions, registry
from coachdossier.privacy.models import CoachProfile, RegistrationStatus
from coachdossier.privacy.tests.base import PrivacyTestCase


class RegistryTestCase(PrivacyTestCase):
    def good_profile(self, coach=None, **changes):
        values = dict(registration_status=RegistrationStatus.REGISTERED, registration_number="CSR-001",
                      registered_on=datetime.date(2020, 1, 1), insurer="Verzekeraar NV", policy_number="AV-1",
                      insurance_expires_on=datetime.date(2027, 6, 30), qualifications="Loopbaancoach",
                      methods="Oplossingsgericht")
        values.update(changes)
        profile = actions.save_coach_profile(actor=self.management, coach=coach or self.coach, now=self.now, **values)
        actions.record_fee(actor=self.management, profile=profile, year=self.now.year, paid_on=self.now.date(),
                           now=self.now)
        return profile

    def open_for(self, coach):
        client = client_actions.register_client(actor=self.management, principal=self.employer, now=self.now,
                                                personal=PersonalData(first_name="Eva", last_name="Nieuw"))
        return client_actions.open_trajectory(actor=self.management, client=client, principal=self.employer,
                                              coach=coach, source=ClientSource.UMBRELLA, now=self.now,
                                              goal_text="Werk")


class StandingTests(RegistryTestCase):
    def test_gc_0_3_a_coach_in_good_standing_is_assigned_new_clients(self):
        self.good_profile()
        self.assertIsNone(registry.standing_problem(self.coach, self.now.date()))
        self.assertEqual(self.open_for(self.coach).coach, self.coach)

    def test_gc_0_3_a_coach_without_a_registry_entry_is_allowed_and_flagged_for_management(self):
        """Documented choice: no profile = not yet entered; allowed, warned on the registry page."""
        self.assertIsNone(registry.standing_problem(self.other_coach, self.now.date()))
        self.assertIn(self.other_coach, registry.coaches_without_profile())

    def test_gc_4_4_an_expired_insurance_refuses_the_assignment_and_nothing_is_saved(self):
        self.good_profile(insurance_expires_on=self.now.date() - datetime.timedelta(days=1))
        before = Trajectory.objects.count()
        with self.assertRaises(ValidationError) as ctx:
            self.open_for(self.coach)
        self.assertIn("insurance expired", str(ctx.exception.message_dict["coach"]))
        self.assertEqual(Trajectory.objects.count(), before)

    def test_gc_0_3_an_unpaid_fee_for_this_year_refuses_the_assignment(self):
        profile = actions.save_coach_profile(actor=self.management, coach=self.coach, now=self.now,
                                             registration_status=RegistrationStatus.REGISTERED,
                                             registered_on=datetime.date(2020, 1, 1), insurer="V", policy_number="1",
                                             insurance_expires_on=datetime.date(2027, 1, 1))
        actions.record_fee(actor=self.management, profile=profile, year=self.now.year - 1,
                           paid_on=datetime.date(2025, 2, 1), now=self.now)
        problem = registry.standing_problem(self.coach, self.now.date())
        self.assertIn(f"annual fee for {self.now.year} not paid", problem)

    def test_gc_0_3_a_suspended_registration_refuses_the_assignment(self):
        self.good_profile(registration_status=RegistrationStatus.SUSPENDED)
        self.assertIn("not registered", registry.standing_problem(self.coach, self.now.date()))

    def test_gc_4_4_registry_dates_with_a_mistyped_year_are_refused_and_nothing_is_saved(self):
        """GC-0.3, GC-4.4: year 0001 for 2026 was accepted as a registration date and an expiry."""
        for registered, expires in ((datetime.date(1, 3, 1), datetime.date(2027, 1, 1)),
                                    (datetime.date(2020, 3, 1), datetime.date(1, 1, 1)),
                                    (datetime.date(2020, 3, 1), datetime.date(self.now.year + 11, 1, 1))):
            with self.assertRaises(ValidationError) as ctx:
                actions.save_coach_profile(actor=self.management, coach=self.coach, now=self.now,
                                           registration_status=RegistrationStatus.REGISTERED, registered_on=registered,
                                           insurer="V", policy_number="1", insurance_expires_on=expires)
            [field] = ctx.exception.message_dict
            self.assertIn("check the year", ctx.exception.message_dict[field][0])
        self.assertFalse(CoachProfile.objects.filter(coach=self.coach).exists())

    def test_a_registered_coach_needs_a_registration_date_and_a_whole_insurance(self):
        with self.assertRaises(ValidationError) as ctx:
            actions.save_coach_profile(actor=self.management, coach=self.coach, now=self.now,
                                       registration_status=RegistrationStatus.REGISTERED, insurer="V")
        self.assertEqual(set(ctx.exception.message_dict),
                         {"registered_on", "policy_number", "insurance_expires_on"})
        self.assertFalse(CoachProfile.objects.exists())

    def test_a_fee_is_recorded_once_per_year(self):
        profile = self.good_profile()
        with self.assertRaises(ValidationError) as ctx:
            actions.record_fee(actor=self.management, profile=profile, year=self.now.year,
                               paid_on=self.now.date(), now=self.now)
        self.assertIn("year", ctx.exception.message_dict)


class ReminderTests(RegistryTestCase):
    def test_gc_4_4_coach_and_management_are_reminded_once_before_the_insurance_expires(self):
        self.good_profile(insurance_expires_on=self.now.date() + datetime.timedelta(days=20))
        with self.captureOnCommitCallbacks(execute=True):
            first = actions.send_insurance_reminders(now=self.now)
        with self.captureOnCommitCallbacks(execute=True):
            second = actions.send_insurance_reminders(now=self.now + datetime.timedelta(days=1))
        self.assertEqual(len(first), 1)
        self.assertEqual(second, [])
        # One message each (GC-6.3): the coach and management need not see each other's addresses.
        self.assertEqual(sorted(m.to for m in mail.outbox), [["alice@example.com"], ["mia@example.com"]])

    def test_gc_4_4_the_registry_page_warns_about_an_insurance_that_expires_within_the_reminder_period(self):
        self.good_profile(insurance_expires_on=self.now.date() + datetime.timedelta(days=20))
        self.good_profile(coach=self.other_coach, insurance_expires_on=self.now.date() + datetime.timedelta(days=200))
        self.login(self.management)
        page = self.client.get(reverse("privacy:registry"))
        self.assertContains(page, "insurance expires soon", count=1)

    def test_gc_4_4_the_reminder_writes_the_expiry_date_as_a_dutch_date(self):
        """The mail said "verloopt op 2026-12-13" in a Dutch sentence."""
        self.good_profile(insurance_expires_on=datetime.date(2026, 12, 13))
        type(self.coach).objects.filter(pk=self.coach.pk).update(language="nl")  # she reads Dutch (User.language)
        with self.captureOnCommitCallbacks(execute=True):
            actions.send_insurance_reminders(now=self.now)
        self.assertIn("verloopt op 13 december 2026.", mail.outbox[0].body)

    def test_no_reminder_while_the_expiry_is_far_away(self):
        self.good_profile(insurance_expires_on=self.now.date() + datetime.timedelta(days=200))
        self.assertEqual(actions.send_insurance_reminders(now=self.now), [])


class RegistryPageTests(RegistryTestCase):
    def test_gc_4_5_management_edits_a_profile_and_sees_the_standing(self):
        self.login(self.management)
        response = self.client.post(reverse("privacy:profile_edit", args=[self.coach.public_id]), {
            "registration_status": "registered", "registered_on": "2020-01-01", "insurer": "V",
            "policy_number": "1", "insurance_expires_on": "2027-01-01", "qualifications": "NOBCO", "methods": "ACT"})
        self.assertRedirects(response, reverse("privacy:registry"))
        page = self.client.get(reverse("privacy:registry"))
        self.assertContains(page, "Alice Coach")
        self.assertContains(page, "Bob Coach")  # not in the registry yet: a warning with a link
        self.assertContains(page, f"{self.now.year} not paid")

    def test_a_past_registration_date_in_the_future_is_shown_next_to_the_field(self):
        self.login(self.management)
        response = self.client.post(reverse("privacy:profile_edit", args=[self.coach.public_id]), {
            "registration_status": "registered", "registered_on": "2099-01-01"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("registered_on", response.context["form"].errors)
        self.assertFalse(CoachProfile.objects.exists())

    def test_gc_4_5_the_cv_is_uploaded_with_its_date_and_downloaded(self):
        profile = self.good_profile()
        self.login(self.management)
        response = self.client.post(reverse("privacy:cv_upload", args=[profile.public_id]),
                                    {"cv": SimpleUploadedFile("cv-alice.pdf", DEMO_PDF)})
        self.assertRedirects(response, reverse("privacy:registry"))
        profile.refresh_from_db()
        self.assertEqual(profile.cv_updated_on, datetime.date.today())
        download = self.client.get(reverse("privacy:cv_download", args=[profile.public_id]))
        self.assertEqual(b"".join(download.streaming_content) if download.streaming else download.content, DEMO_PDF)

    def test_gc_4_5_the_coach_profile_pdf_can_be_shared(self):
        profile = self.good_profile()
        self.login(self.management)
        response = self.client.get(reverse("privacy:profile_pdf", args=[profile.public_id]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_gc_4_5_the_shared_profile_says_when_it_was_last_updated(self):
        from coachdossier.lib.tests.test_pdf import pdf_text

        profile = self.good_profile()
        self.login(self.management)
        text = " ".join(pdf_text(self.client.get(reverse("privacy:profile_pdf", args=[profile.public_id])).content)
                        .split())
        self.assertIn("Profile last updated on 23 November 2026", text)
        listed = self.client.get("/api/privacy/registry").json()["profiles"][0]
        self.assertEqual(listed["updated_at"], "2026-11-23T09:00:00Z")

    def test_the_registry_page_needs_few_queries_whatever_the_number_of_coaches(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.good_profile()
        self.login(self.management)
        self.client.get(reverse("privacy:registry"))  # the session settles on the first request
        with CaptureQueriesContext(connection) as one:
            self.client.get(reverse("privacy:registry"))
        self.good_profile(coach=self.other_coach)
        with CaptureQueriesContext(connection) as two:
            self.client.get(reverse("privacy:registry"))
        self.assertEqual(len(one), len(two))


class DashboardTests(RegistryTestCase):
    def test_gc_0_3_the_management_dashboard_warns_about_coaches_outside_the_registry(self):
        self.good_profile(insurance_expires_on=self.now.date().replace(year=2020))
        self.login(self.management)
        page = self.client.get("/")
        self.assertContains(page, "Coach not in registry")
        self.assertContains(page, "Bob Coach")
        self.assertContains(page, "insurance expired")

    def test_coaches_see_no_privacy_panel(self):
        self.login(self.coach)
        self.assertNotContains(self.client.get("/"), "Coach not in registry")


class RegistryFilesApiTests(PrivacyTestCase):
    """GC-4.5 through the API as on the page: the coach's CV (upload, download) and the profile
    PDF to share with a client or principal."""

    def setUp(self):
        super().setUp()
        self.profile = actions.save_coach_profile(actor=self.management, coach=self.coach, now=self.now,
                                                  registration_status=RegistrationStatus.PENDING)
        self.base = f"/api/privacy/registry/{self.coach.public_id}"

    def test_gc_4_5_management_uploads_and_downloads_the_cv(self):
        self.login(self.management)
        response = self.client.post(f"{self.base}/cv", {"cv": SimpleUploadedFile("cv-alice.pdf", DEMO_PDF)})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["cv_updated_on"], self.now.date().isoformat())
        download = self.client.get(f"{self.base}/cv")
        self.assertEqual(download.content, DEMO_PDF)
        self.assertIn("cv-alice.pdf", download["Content-Disposition"])

    def test_gc_4_5_a_file_that_is_no_document_is_a_422_next_to_the_field(self):
        self.login(self.management)
        response = self.client.post(f"{self.base}/cv", {"cv": SimpleUploadedFile("cv.exe", b"MZ\x90\x00")})
        self.assertEqual(response.status_code, 422)
        self.assertIn("cv", response.json()["errors"])

    def test_gc_4_5_the_profile_pdf_through_the_api(self):
        self.login(self.management)
        response = self.client.get(f"{self.base}/profile.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_a_coach_without_a_cv_or_profile_is_a_404_and_only_management_reaches_the_files(self):
        self.login(self.management)
        self.assertEqual(self.client.get(f"{self.base}/cv").status_code, 404)
        self.assertEqual(self.client.get(f"/api/privacy/registry/{self.other_coach.public_id}/profile.pdf")
                         .status_code, 404)
        self.login(self.coach)
        self.assertEqual(self.client.get(f"{self.base}/profile.pdf").status_code, 403)
