"""A trajectory's terms after it was opened (GC-0.4, GC-1.6): the approved hours, the order
number, the agreement date and the vulnerable marker change through one action that keeps
every earlier value, on the management page and in the API."""

import datetime
import json
from dataclasses import replace
from decimal import Decimal
from unittest import mock

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from coachdossier import policy
from coachdossier.audit.models import AccessLogEntry
from coachdossier.clients import actions
from coachdossier.clients.models import EntryKind, TermField, TrajectoryChange, TrajectoryStatus
from coachdossier.clients.tests.api_routes import pdf
from coachdossier.test import BaseTestCase

DAY = datetime.timedelta(days=1)


class TermsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.trajectory = self.own_client.current_trajectory
        self.today = self.now.date()

    def change(self, trajectory=None, **terms):
        trajectory = trajectory or self.trajectory
        current = {"uwv_order_number": trajectory.uwv_order_number, "approved_hours": trajectory.approved_hours,
                   "agreement_date": trajectory.agreement_date, "vulnerable": trajectory.vulnerable}
        return actions.change_trajectory_terms(actor=self.management, trajectory=trajectory, now=self.now,
                                               **{**current, **terms})

    def assertRefused(self, field, message, **terms):
        before = list(TrajectoryChange.objects.values_list("pk", flat=True))
        logged = AccessLogEntry.objects.count()
        with self.assertRaises(ValidationError) as caught:
            self.change(**terms)
        self.assertIn(message, " ".join(caught.exception.message_dict[field]))
        self.assertEqual(list(TrajectoryChange.objects.values_list("pk", flat=True)), before)
        self.assertEqual(AccessLogEntry.objects.count(), logged)

    def test_an_extension_of_the_approved_hours_keeps_the_earlier_figure(self):
        self.change(approved_hours=Decimal("10"))
        self.change(approved_hours=Decimal("14.5"))
        self.trajectory.refresh_from_db()
        self.assertEqual(self.trajectory.approved_hours, Decimal("14.5"))
        history = [(c.field, c.old, c.new, c.author) for c in self.trajectory.changes.order_by("pk")]
        self.assertEqual(history, [(TermField.APPROVED_HOURS, "", "10.0", self.management),
                                   (TermField.APPROVED_HOURS, "10.0", "14.5", self.management)])

    def test_the_same_hours_written_differently_are_no_change(self):
        self.change(approved_hours=Decimal("10"))
        self.trajectory.refresh_from_db()
        self.assertRefused("__all__", "Nothing was changed.", approved_hours=Decimal("10.00"))

    def test_gc_0_4_an_agreement_signed_after_opening_is_recorded_with_its_date(self):
        self.change(agreement_date=self.today - DAY)
        self.trajectory.refresh_from_db()
        self.assertEqual(self.trajectory.agreement_date, self.today - DAY)
        change = self.trajectory.changes.get()
        self.assertEqual((change.field, change.old, change.new), ("agreement_date", "", (self.today - DAY).isoformat()))

    def test_gc_1_6_the_vulnerable_marker_can_be_set_later_and_is_shown_as_yes_or_no(self):
        self.change(vulnerable=True)
        change = self.trajectory.changes.get()
        self.assertEqual((str(change.old_shown), str(change.new_shown)), ("no", "yes"))

    def test_each_change_writes_one_access_log_entry_without_the_values(self):
        self.change(approved_hours=Decimal("12"), vulnerable=True)
        entry = AccessLogEntry.objects.order_by("-seq").first()
        self.assertEqual((entry.action, entry.client_ref), ("trajectory.terms", self.own_client.public_id))
        # A reference to the trajectory, not the terms: the log holds no values (PR-7).
        self.assertEqual((entry.object_type, entry.object_ref), ("trajectory", str(self.trajectory.public_id)))
        self.assertEqual(self.trajectory.changes.count(), 2)

    def test_nothing_changed_is_refused_and_records_nothing(self):
        self.assertRefused("__all__", "Nothing was changed.")

    def test_an_agreement_date_in_the_future_or_before_1900_is_refused(self):
        self.assertRefused("agreement_date", "cannot be in the future", agreement_date=self.today + DAY)
        self.assertRefused("agreement_date", "before 1900", agreement_date=datetime.date(26, 12, 1))

    def test_gc_0_4_an_agreement_date_after_the_first_session_is_refused(self):
        self.change(agreement_date=self.today - 10 * DAY)
        actions.log_session(actor=self.coach, trajectory=self.trajectory, date=self.today - 5 * DAY, minutes=60,
                            mode="in_person", now=self.now)
        self.trajectory.refresh_from_db()
        self.assertRefused("agreement_date", "cannot be later than the first session",
                           agreement_date=self.today - 2 * DAY)

    def test_zero_hours_and_an_order_number_outside_uwv_are_refused(self):
        self.assertRefused("approved_hours", "more than zero", approved_hours=Decimal("0"))
        self.assertRefused("uwv_order_number", "Only a UWV trajectory", uwv_order_number="UWV-9")

    def test_hours_in_hundredths_or_beyond_the_column_are_refused_not_rounded(self):
        self.assertRefused("approved_hours", "at most one decimal", approved_hours=Decimal("12.55"))
        self.assertRefused("approved_hours", "at most one decimal", approved_hours=Decimal("10000"))

    def test_a_uwv_trajectory_keeps_its_order_number(self):
        uwv_trajectory = self.other_client.current_trajectory
        with self.assertRaises(ValidationError) as caught:
            self.change(trajectory=uwv_trajectory, uwv_order_number="")
        self.assertIn("uwv_order_number", caught.exception.message_dict)
        self.change(trajectory=uwv_trajectory, uwv_order_number="UWV-124")
        self.assertEqual(uwv_trajectory.changes.get().old, "UWV-123")

    def test_an_order_number_longer_than_its_column_is_refused_not_a_database_error(self):
        uwv_trajectory = self.other_client.current_trajectory
        with self.assertRaises(ValidationError) as caught:
            self.change(trajectory=uwv_trajectory, uwv_order_number="UWV-" + "9" * 40)
        self.assertIn("too long", caught.exception.message_dict["uwv_order_number"][0])

    def test_a_closed_trajectorys_terms_are_final(self):
        actions.close_trajectory(actor=self.management, trajectory=self.trajectory, now=self.now)
        self.trajectory.refresh_from_db()
        self.assertEqual(self.trajectory.status, TrajectoryStatus.CLOSED)
        self.assertRefused("__all__", "closed", approved_hours=Decimal("20"))

    def test_assigning_another_coach_is_kept_in_the_same_history(self):
        actions.assign_coach(actor=self.management, trajectory=self.trajectory, coach=self.other_coach, now=self.now)
        change = self.trajectory.changes.get()
        self.assertEqual((change.field, change.old, change.new), ("coach", "Alice Coach", "Bob Coach"))

    def test_assigning_the_coach_who_already_has_it_is_refused(self):
        with self.assertRaises(ValidationError):
            actions.assign_coach(actor=self.management, trajectory=self.trajectory, coach=self.coach, now=self.now)
        self.assertFalse(self.trajectory.changes.exists())


class TermsPageTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.trajectory = self.own_client.current_trajectory
        self.url = reverse("clients:trajectory_terms", args=[self.own_client.public_id, self.trajectory.public_id])
        self.login(self.management)
        self.client.cookies["django_language"] = "en"

    def post(self, **data):
        return self.client.post(self.url, {"approved_hours": "", "agreement_date": "", "uwv_order_number": "", **data})

    def test_management_changes_the_hours_and_finds_the_earlier_value_on_the_client_page(self):
        response = self.post(approved_hours="16")
        self.assertRedirects(response, reverse("clients:admin_detail", args=[self.own_client.public_id]))
        page = self.client.get(response.url).content.decode()
        self.assertIn("1 change to the terms", page)
        self.assertIn("<td data-label=\"Became\">16.0</td>", page)

    def test_the_form_starts_from_the_current_terms(self):
        actions.change_trajectory_terms(actor=self.management, trajectory=self.trajectory, now=self.now,
                                        uwv_order_number="", approved_hours=Decimal("8"), agreement_date=None,
                                        vulnerable=True)
        response = self.client.get(self.url)
        self.assertEqual(response.context["form"].initial["approved_hours"], Decimal("8"))
        self.assertTrue(response.context["form"].initial["vulnerable"])

    def test_a_refused_change_is_shown_next_to_its_field_and_saves_nothing(self):
        response = self.post(agreement_date="2999-01-01")
        self.assertEqual(response.status_code, 200)
        self.assertIn("agreement_date", response.context["form"].errors)
        self.assertFalse(TrajectoryChange.objects.exists())

    def test_saving_without_a_change_says_so(self):
        response = self.post()
        self.assertEqual(response.status_code, 200)
        self.assertIn("Nothing was changed.", response.context["form"].non_field_errors())


class ClosingConfirmationTestCase(BaseTestCase):
    """PR-8: the question before closing names the retention term the policy file sets,
    in both languages, not a number written into the template."""

    def page(self, language):
        self.login(self.management)
        self.client.cookies["django_language"] = language
        return self.client.get(reverse("clients:admin_detail", args=[self.own_client.public_id]))

    def test_pr_8_the_close_confirmation_names_the_policys_retention_term_in_english(self):
        with mock.patch.object(policy, "PRACTICE_POLICY", replace(policy.current(), retention_years=7)):
            page = self.page("en")
        self.assertContains(page, "Close this trajectory? The 7-year retention term starts today.")
        self.assertNotContains(page, "5-year")

    def test_pr_8_the_close_confirmation_names_the_policys_retention_term_in_dutch(self):
        with mock.patch.object(policy, "PRACTICE_POLICY", replace(policy.current(), retention_years=7)):
            page = self.page("nl")
        self.assertContains(page, "Dit traject afsluiten? De bewaartermijn van 7 jaar gaat vandaag in.")
        self.assertNotContains(page, "5 jaar")


class TermsApiTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.trajectory = self.own_client.current_trajectory
        self.url = f"/api/clients/{self.own_client.public_id}/trajectories/{self.trajectory.public_id}/terms"
        self.login(self.management)

    def put(self, **data):
        body = {"uwv_order_number": "", "approved_hours": None, "agreement_date": None, "vulnerable": False, **data}
        return self.client.put(self.url, json.dumps(body), content_type="application/json")

    def test_the_api_returns_the_new_terms_with_the_history(self):
        response = self.put(approved_hours="12.5")
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(data["trajectory"]["approved_hours"], "12.5")
        self.assertEqual([(c["field"], c["old"], c["new"]) for c in data["changes"]],
                         [("approved_hours", "", "12.5")])

    def test_a_missing_term_is_a_422_and_never_a_silent_clearing(self):
        response = self.client.put(self.url, json.dumps({"approved_hours": "5"}), content_type="application/json")
        self.assertEqual(response.status_code, 422)
        self.assertFalse(TrajectoryChange.objects.exists())

    def test_a_refused_change_is_a_422_with_the_field(self):
        response = self.put(approved_hours="0")
        self.assertEqual(response.status_code, 422)
        self.assertIn("approved_hours", json.dumps(response.json()))
        self.assertFalse(TrajectoryChange.objects.exists())


class AgreementDocumentTestCase(BaseTestCase):
    """GC-0.4: "a trajectory has an agreement (date, document)": the signed agreement is a
    dossier entry of its own type with the document attached; the coach's trajectory block
    links it, management sees only whether it is there (PR-7)."""

    def setUp(self):
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.trajectory = self.own_client.current_trajectory

    def add_agreement(self, files=None):
        return actions.add_entry(actor=self.coach, client=self.own_client, kind=EntryKind.AGREEMENT,
                                 occurred_on=self.now.date(), title="Coachingsovereenkomst", now=self.now,
                                 files=[pdf()] if files is None else files)

    def test_gc_0_4_an_agreement_without_the_signed_document_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.add_agreement(files=[])
        self.assertIn("Attach the signed agreement", caught.exception.message_dict["files"][0])
        self.assertFalse(self.own_client.entries.exists())

    def test_gc_0_4_the_coach_finds_the_signed_agreement_on_the_trajectory(self):
        self.login(self.coach)
        self.client.cookies["django_language"] = "en"
        page = self.client.get(reverse("clients:detail", args=[self.own_client.public_id])).content.decode()
        self.assertIn(f"/clients/{self.own_client.public_id}/entries/new/?kind=agreement", page)
        entry = self.add_agreement()
        page = self.client.get(reverse("clients:detail", args=[self.own_client.public_id])).content.decode()
        self.assertIn(f'<a href="/clients/{self.own_client.public_id}/entries/{entry.public_id}/">signed agreement</a>',
                      page)

    def test_the_add_link_opens_the_entry_form_with_the_agreement_type_chosen(self):
        self.login(self.coach)
        response = self.client.get(reverse("clients:entry_new", args=[self.own_client.public_id]) + "?kind=agreement")
        self.assertEqual(response.context["form"].initial["kind"], "agreement")
        response = self.client.get(reverse("clients:entry_new", args=[self.own_client.public_id]) + "?kind=nonsense")
        self.assertIsNone(response.context["form"].initial["kind"])

    def test_pr_7_management_sees_that_the_agreement_is_there_but_not_the_document(self):
        self.login(self.management)
        self.client.cookies["django_language"] = "en"
        url = reverse("clients:admin_detail", args=[self.own_client.public_id])
        self.assertContains(self.client.get(url), "no signed agreement in the dossier")
        entry = self.add_agreement()
        page = self.client.get(url)
        self.assertContains(page, "signed agreement in the dossier")
        self.assertNotContains(page, "no signed agreement in the dossier")
        self.assertNotContains(page, str(entry.public_id))
