"""LAW-NEN7513 for outsiders (RFC 6962 model): signed checkpoints of the access log that an
auditor keeps, and the proof that today's log extends each of them."""

import datetime
import json

from django.core.management import call_command
from django.urls import reverse

from coachdossier import audit
from coachdossier.audit.models import AccessLogEntry
from coachdossier.privacy import checkpoints, signing
from coachdossier.privacy.models import Checkpoint, checkpoint_statement
from coachdossier.privacy.tests.base import PrivacyTestCase


class CheckpointTests(PrivacyTestCase):
    def test_a_checkpoint_signs_the_logs_size_and_head_and_is_not_repeated(self):
        first = checkpoints.sign_checkpoint(now=self.now)
        self.assertEqual(first.size, AccessLogEntry.objects.order_by("-seq").first().seq)
        self.assertTrue(signing.verify(first.statement(), first.signature))
        self.assertIsNone(checkpoints.sign_checkpoint(now=self.now + datetime.timedelta(hours=1)))

    def test_the_log_extends_every_earlier_checkpoint(self):
        checkpoints.sign_checkpoint(now=self.now)
        audit.record(action="client.list", client=self.own_client)
        checkpoints.sign_checkpoint(now=self.now + datetime.timedelta(days=1))
        self.assertEqual(Checkpoint.objects.count(), 2)
        self.assertEqual(checkpoints.verify_checkpoints(), [])

    def test_a_checkpoint_that_the_log_no_longer_matches_shows_rewritten_history(self):
        """A validly signed checkpoint whose hash differs from the entry at its size: what an
        auditor's file shows after the practice rewrote its log."""
        entry = AccessLogEntry.objects.order_by("seq")[2]
        forged_hash = "ab" * 32
        statement = checkpoint_statement(entry.seq, forged_hash, self.now)
        problems = checkpoints.verify_checkpoints([{"size": entry.seq, "head_hash": forged_hash,
                                                    "at": self.now.isoformat(),
                                                    "signature": signing.sign(statement)}])
        self.assertEqual([p.message for p in problems],
                         [f"entry #{entry.seq} no longer has the checkpoint's hash: history was rewritten"])

    def test_an_altered_checkpoint_fails_its_signature(self):
        cp = checkpoints.sign_checkpoint(now=self.now)
        data = checkpoints.as_json([cp])["checkpoints"]
        data[0]["size"] -= 1
        self.assertIn("signature does not match", checkpoints.verify_checkpoints(data)[0].message)

    def test_the_auditor_downloads_the_checkpoints_and_verifies_them_later_with_the_command(self):
        checkpoints.sign_checkpoint(now=self.now)
        self.login(self.auditor)
        response = self.client.get(reverse("privacy:checkpoints_download"))
        data = json.loads(response.content)
        self.assertEqual(data["public_key"], signing.public_key_hex())
        self.assertEqual(len(data["checkpoints"]), 1)
        self.assertTrue(AccessLogEntry.objects.filter(action="checkpoints.download", actor=self.auditor).exists())
        audit.record(action="client.list", client=self.own_client)  # the log grows meanwhile
        path = self.tmp_file(response.content)
        from io import StringIO

        out = StringIO()
        call_command("verify_checkpoints", "--file", path, stdout=out)
        self.assertIn("extends all 1 checkpoint(s)", out.getvalue())

    def test_a_missing_or_wrong_checkpoints_file_is_refused_in_one_line_without_a_traceback(self):
        """LAW-NEN7513: the auditor's command says what is wrong with the file they gave it."""
        from django.core.management import CommandError

        cases = {"/nonexistent/checkpoints.json": "cannot read the file",
                 self.tmp_file(b"hostname\n"): "not JSON",
                 self.tmp_file(b'{"checkpoints": [{"size": 3}], "public_key": "00"}'): "missing or malformed",
                 self.tmp_file(b'{"checkpoints": [], "public_key": "not hex"}'): "missing or malformed",
                 self.tmp_file(b"[1, 2]"): "missing or malformed"}
        for path, message in cases.items():
            with self.subTest(path=path), self.assertRaisesMessage(CommandError, message):
                call_command("verify_checkpoints", "--file", path)

    def test_a_break_in_the_chain_is_reported_as_the_entry_not_as_a_checkpoint_of_that_size(self):
        from io import StringIO
        from unittest import mock

        from coachdossier.audit.log import Verification

        checkpoints.sign_checkpoint(now=self.now)
        broken = Verification(ok=False, checked=4, first_bad_seq=5, problem="the entry does not match its hash")
        err = StringIO()
        with mock.patch.object(checkpoints, "verify_chain", return_value=broken), self.assertRaises(SystemExit):
            call_command("verify_checkpoints", stderr=err)
        self.assertEqual(err.getvalue().strip(),
                         "the access log itself does not verify at entry #5: the entry does not match its hash")

    def test_the_checkpoint_page_shows_the_public_key(self):
        self.login(self.auditor)
        self.assertContains(self.client.get(reverse("privacy:checkpoints")), signing.public_key_hex())

    def tmp_file(self, content):
        import tempfile

        handle = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
        handle.write(content)
        handle.close()
        self.addCleanup(lambda: __import__("os").unlink(handle.name))
        return handle.name
