"""The demo practice shows every privacy state the issue asks for."""

import datetime
import io
import socket

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from coachdossier.clients.models import TrajectoryChange
from coachdossier.privacy import registry
from coachdossier.privacy.models import (
    Checkpoint,
    CoachProfile,
    ConfidentialityBreach,
    DataBreach,
    Dpia,
    LegalHold,
    Processor,
)


class DemoTests(TestCase):
    databases = {"default", "keys"}

    @override_settings(DEMO_MODE=False)
    def test_production_settings_refuse_the_demo_practice_and_change_nothing(self):
        """`coachdossier demo` on a production host (DEBUG off) added fictional clients to the
        practice's registers, and client accounts whose password is in the repository and
        which have no second factor."""
        from coachdossier.accounts.models import User

        with self.assertRaisesMessage(CommandError, "the demo practice is for development"):
            call_command("demo", stdout=io.StringIO())
        self.assertFalse(User.objects.exists())

    def test_the_demo_has_registry_profiles_registers_a_hold_and_a_checkpoint(self):
        call_command("demo", stdout=io.StringIO())
        today = timezone.localdate()
        # GC-0.4: a UWV extension shows management a trajectory's terms history (and the
        # hand-over and registers what was approved when).
        extension = TrajectoryChange.objects.filter(field="approved_hours").first()
        self.assertIsNotNone(extension)
        self.assertGreater(float(extension.new), float(extension.old))
        profiles = list(CoachProfile.objects.prefetch_related("fees"))
        self.assertTrue(profiles)
        self.assertTrue(all(not p.problems(today) for p in profiles))  # the demo can assign clients
        self.assertTrue(any(p.insurance_expires_on - today <= datetime.timedelta(days=registry.REMINDER_DAYS)
                            for p in profiles))
        self.assertEqual(list(registry.coaches_without_profile()), [])
        self.assertTrue(LegalHold.objects.active().exists())
        self.assertTrue(DataBreach.objects.open().exists() and DataBreach.objects.filter(closed_at__isnull=False))
        self.assertTrue(ConfidentialityBreach.objects.exists())
        self.assertEqual(Processor.objects.count(), 2)
        self.assertTrue(Dpia.objects.exists())
        self.assertTrue(Checkpoint.objects.exists())


@pytest.mark.django_db(transaction=True, databases=["default", "keys"])  # committed: on_commit mail goes out
def test_the_demo_on_a_scratch_production_host_without_a_mail_server_completes_and_sends_nothing(tmp_path):
    """`demo --in-production` on a host with no SMTP relay ended in a traceback halfway: the
    report whose client notice could not go out stayed "ready" and the next step refused it.
    The demo's addresses are fictional, so its mail is written to files and never sent."""
    from coachdossier.accounts.models import MailStatus, OutgoingMail, User

    with socket.socket() as s:  # a port nobody listens on: the relay refuses every connection
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = io.StringIO()
    with override_settings(DEMO_MODE=False, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=2, EMAIL_FILE_PATH=tmp_path):
        call_command("demo", "--in-production", stdout=out)
    assert "Demo practice created" in out.getvalue()
    assert f"Its mail was written to {tmp_path}, not sent." in out.getvalue()
    assert list(tmp_path.iterdir())
    assert User.objects.filter(email="directie@demo.coachdossier.nl").exists()
    assert not OutgoingMail.objects.exclude(status=MailStatus.SENT).exists()
