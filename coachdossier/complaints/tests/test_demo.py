"""The demo practice shows the complaints officer's impartiality and an umbrella case closed
with its ruling."""

import io

from django.core.management import call_command
from django.test import TestCase

from coachdossier.accounts.models import User
from coachdossier.complaints.models import Complaint, Level, Outcome


class DemoTests(TestCase):
    databases = {"default", "keys"}

    def test_kr_3_3b_sanne_does_not_see_the_complaint_about_her_and_henk_handles_it(self):
        call_command("demo", stdout=io.StringIO())
        sanne = User.objects.get(email="coach.sanne@demo.coachdossier.nl")
        henk = User.objects.get(email="klachten@demo.coachdossier.nl")
        about_sanne = Complaint.objects.get(coach=sanne)
        self.assertTrue(about_sanne.number)
        self.assertNotIn(sanne, [m.coach for m in about_sanne.committee.all()])
        involved = set(Complaint.objects.involving(sanne))
        self.assertGreaterEqual(len(involved), 3)  # about her, and her own clients' complaints
        self.assertFalse(involved & set(Complaint.objects.visible_to(sanne)))
        self.assertEqual(set(Complaint.objects.visible_to(henk)), set(Complaint.objects.all()))
        self.assertFalse(Complaint.objects.open().without_impartial_officer().exists())
        closed = Complaint.objects.get(level=Level.UMBRELLA, outcome=Outcome.RULING)
        self.assertIsNotNone(closed.ruling_communicated_on)
