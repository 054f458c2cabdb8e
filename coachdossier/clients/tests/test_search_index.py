"""`coachdossier rebuild_search_index`: after COACHDOSSIER_SEARCH_KEY changes, name search works again."""

import io

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from coachdossier.audit.models import AccessLogEntry, Basis
from coachdossier.clients import actions, crypto
from coachdossier.clients.models import ClientSearchToken
from coachdossier.test import BaseTestCase

NEW_KEY = "rotated-search-key-" + "k" * 32


class RebuildSearchIndexTestCase(BaseTestCase):
    def search(self, term, user=None):
        """What the coach's client list finds for `term` (alice by default)."""
        self.login(user or self.coach)
        response = self.client.get(reverse("clients:list"), {"q": term})
        self.assertEqual(response.status_code, 200)
        return [client.reference for client in response.context["page"]]

    def rebuild(self) -> str:
        out = io.StringIO()
        call_command("rebuild_search_index", stdout=out)
        return out.getvalue().strip()

    def tokens(self) -> set[tuple[int, str]]:
        return set(ClientSearchToken.objects.values_list("client_id", "token"))

    def test_after_a_new_search_key_search_finds_nobody_until_the_index_is_rebuilt(self):
        self.assertEqual(self.search("carla"), [self.own_client.reference])
        with override_settings(SEARCH_INDEX_KEY=NEW_KEY):
            self.assertEqual(self.search("carla"), [])
            self.assertEqual(self.rebuild(), "re-indexed 2 clients under the current search key")
            self.assertEqual(self.search("carla"), [self.own_client.reference])
            self.assertEqual(self.search("de vri"), [self.own_client.reference])
        # The tokens now belong to the new key: the old one finds nobody.
        self.assertEqual(self.search("carla"), [])

    def test_the_rebuilt_tokens_are_those_a_registration_under_the_new_key_would_make(self):
        with override_settings(SEARCH_INDEX_KEY=NEW_KEY):
            self.rebuild()
            expected = {(self.own_client.pk, t) for t in crypto.search_tokens("Carla", "de Vries")}
            expected |= {(self.other_client.pk, t) for t in crypto.search_tokens("Daan", "Jansen")}
        self.assertEqual(self.tokens(), expected)

    def test_running_it_twice_changes_nothing_the_first_run_did(self):
        with override_settings(SEARCH_INDEX_KEY=NEW_KEY):
            first = self.rebuild()
            tokens = self.tokens()
            self.assertEqual(self.rebuild(), first)
            self.assertEqual(self.tokens(), tokens)

    def test_gc_5_4_a_destroyed_client_is_skipped_and_keeps_no_tokens(self):
        """GC-5.4: the destroyed client's key is gone; no keyed hash of their name stays behind."""
        actions.destroy_client(actor=self.management, client=self.own_client, now=self.now, reason="GC-5.4")
        # As if a crash or a restore had left some behind.
        ClientSearchToken.objects.create(client=self.own_client, token=crypto.search_token("carla"))
        with override_settings(SEARCH_INDEX_KEY=NEW_KEY):
            self.assertEqual(self.rebuild(), "re-indexed 1 clients under the current search key")
            self.assertFalse(ClientSearchToken.objects.filter(client=self.own_client).exists())
            self.assertEqual(self.search("daan", self.other_coach), [self.other_client.reference])

    def test_law_nen7513_the_run_is_one_access_log_entry_of_the_system(self):
        """LAW-NEN7513: the system decrypted every living client's name; the log says so once."""
        last = AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        with override_settings(SEARCH_INDEX_KEY=NEW_KEY):
            self.rebuild()
        entry = AccessLogEntry.objects.get(seq__gt=last)  # exactly one, for two clients
        self.assertEqual((entry.action, entry.object_type, entry.client_ref, entry.actor, entry.basis, entry.channel),
                         ("search_index.rebuild", "search_index", None, None, Basis.SYSTEM, "command"))

    def test_a_living_client_without_a_data_key_stops_the_run_with_its_id(self):
        crypto.ClientKey.objects.filter(client_ref=self.other_client.public_id).delete()
        crypto.KeyRing.clear()
        with override_settings(SEARCH_INDEX_KEY=NEW_KEY), self.assertRaisesMessage(
                CommandError, f"client {self.other_client.public_id} is not destroyed but its data key is missing"):
            self.rebuild()
