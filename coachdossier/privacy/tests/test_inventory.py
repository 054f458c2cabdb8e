"""LAW-30, GC-9.5: the data inventory covers every field and the processing register is
generated from it."""

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
