"""LAW-30, GC-9.5: the data inventory covers every field and the processing register is
generated from it."""

from dataclasses import replace
from unittest import mock

from django.urls import reverse

from coachdossier import policy
from coachdossier.privacy import inventory
from coachdossier.privacy.tests.base import PrivacyTestCase


def test_law_30_every_field_that_can_hold_personal_data_is_in_the_inventory():
    """See inventory.py for the rule: a text, email, binary, date, IP or JSON field of any
    coachdossier model is tagged (category + protection) or explicitly not personal."""
    assert inventory.untagged() == []


def test_the_inventory_names_no_field_that_does_not_exist():
    assert inventory.stale() == []


def test_every_tag_uses_a_known_category_and_protection():
    for name, tag in inventory.personal_fields():
        assert tag.category in inventory.CATEGORY_LABELS, name
        assert tag.protection in inventory.PROTECTION_LABELS, name


def test_client_content_is_sealed_with_the_clients_key():
    sealed = {name for name, tag in inventory.personal_fields() if tag.protection == inventory.SEALED}
    assert {"clients.EntryVersion.sealed", "clients.Client.name_sealed", "privacy.LegalHold.reason_sealed"} <= sealed


class ProcessingRegisterTests(PrivacyTestCase):
    def test_gc_9_5_the_register_lists_each_activity_with_its_fields_and_retention(self):
        rows = inventory.register()
        dossier = rows[0]
        fields = [f for _label, items in dossier["categories"] for f, _p in items]
        self.assertIn("clients.EntryVersion.sealed", fields)
        self.assertIn("5 years", dossier["retention"])

    def test_law_30_the_register_has_the_supervision_and_research_exports_with_their_basis(self):
        """GC-6.9, GC-6.8: the de-identified exports are processing activities of their own."""
        rows = {str(r["activity"].name): r for r in inventory.register()}
        supervision = rows["Supervision and intervision case summaries"]
        research = rows["Research and education datasets"]
        self.assertIn("GC-6.9", str(supervision["activity"].purpose))
        self.assertIn("6(1)(f)", str(supervision["activity"].legal_basis))
        self.assertIn("supervisor", str(supervision["activity"].recipients))
        self.assertIn("GC-6.8", str(research["activity"].purpose))
        self.assertIn("umbrella organisation's written approval", str(research["activity"].legal_basis))
        for row in (supervision, research):
            fields = [f for _label, items in row["categories"] for f, _p in items]
            self.assertIn("clients.EntryVersion.sealed", fields)
            self.assertTrue(row["retention"].startswith("not kept in the system"))
        self.login(self.auditor)
        self.client.cookies["django_language"] = "nl"
        page = self.client.get(reverse("privacy:processing"))
        self.assertContains(page, "Casussamenvattingen voor supervisie en intervisie")
        self.assertContains(page, "Datasets voor onderzoek en onderwijs")

    def test_law_30_the_access_logs_retention_is_the_term_the_daily_job_enforces_not_at_least(self):
        with mock.patch.object(policy, "PRACTICE_POLICY", replace(policy.current(), access_log_retention_years=7)):
            rows = {str(r["activity"].name): r for r in inventory.register()}
            self.login(self.auditor)
            self.client.cookies["django_language"] = "nl"
            page = self.client.get(reverse("privacy:processing"))
        self.assertEqual(rows["Access logging"]["retention"], "7 years (NEN 7513), then removed by the daily job")
        self.assertContains(page, "7 jaar (NEN 7513), daarna verwijderd door de dagelijkse taak")
        self.assertNotContains(page, "ten minste 7 jaar")


class RegisterContentsTests(PrivacyTestCase):
    """AVG art. 30(1): besides the activities, the register names the controller with its
    contact details (a) and describes the technical and organisational measures (g)."""

    def test_law_30_the_register_names_the_controller_with_its_contact_details(self):
        self.login(self.auditor)
        page = self.client.get(reverse("privacy:processing"))
        self.assertContains(page, "Controller")
        self.assertContains(page, "Praktijk De Werkbrug (demo)")
        self.assertContains(page, "info@werkbrug.example")
        api = self.client.get("/api/privacy/processing-register").json()
        self.assertEqual(api["controller"], {"name": "Praktijk De Werkbrug (demo)",
                                             "address": ["Stationsplein 1", "3511 ED Utrecht"],
                                             "phone": "030 123 45 67", "email": "info@werkbrug.example"})

    def test_law_30_the_register_describes_the_security_measures_on_the_page_in_the_pdf_and_the_api(self):
        from coachdossier.lib.tests.test_pdf import pdf_text

        sealed = sum(1 for _name, tag in inventory.personal_fields() if tag.protection == inventory.SEALED)
        self.login(self.auditor)
        page = self.client.get(reverse("privacy:processing"))
        self.assertContains(page, "Security measures")
        self.assertContains(page, f"Client content ({sealed} fields) is encrypted")
        pdf = " ".join(pdf_text(self.client.get(reverse("privacy:processing_pdf")).content).split())
        self.assertIn("Security measures", pdf)
        self.assertIn(f"Client content ({sealed} fields) is encrypted", pdf)
        measures = self.client.get("/api/privacy/processing-register").json()["security_measures"]
        self.assertTrue(any("two-step verification" in m for m in measures))
        self.client.cookies["django_language"] = "nl"
        self.assertContains(self.client.get(reverse("privacy:processing")), "Beveiligingsmaatregelen")
