import io
import re

from django.core.management import call_command
from django.test import TestCase

from coachdossier.clients.crypto import KeyRing
from coachdossier.reports.bench import render_report_pdf
from coachdossier.reports.models import Delivery, Report


class DemoTestCase(TestCase):
    databases = {"default", "keys"}

    def test_the_demo_practice_holds_reports_in_every_state(self):
        KeyRing.clear()
        call_command("demo", stdout=io.StringIO())
        states = set(Report.objects.values_list("state", flat=True))
        self.assertTrue({"draft", "client_copy", "approved", "signed", "blocked", "objected", "sent"} <= states)
        self.assertTrue(Delivery.objects.filter(downloaded_at__isnull=False).exists())
        KeyRing.clear()


class BenchTestCase(TestCase):
    def test_the_bench_report_has_the_pages_asked_for(self):
        for pages in (1, 30):
            self.assertEqual(len(re.findall(rb"/Type /Page\b", render_report_pdf(pages))), pages)
