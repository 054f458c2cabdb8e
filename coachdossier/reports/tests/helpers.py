"""Building reports in a given state through the real actions."""

import datetime

from django.core import mail

from coachdossier.audit.models import Basis
from coachdossier.clients.access import Grant
from coachdossier.reports import actions
from coachdossier.test import BaseTestCase

CLIENT = Grant(Basis.CLIENT)
COACH = Grant(Basis.COACH)
SECTIONS = [{"title": "Verloop", "text": "Cliënt werkt twee ochtenden per week."},
            {"title": "Vervolg", "text": "Uitbreiden naar drie ochtenden."}]
AFTER_REVIEW = datetime.timedelta(days=9)  # Monday 23 Nov + 5 working days = Mon 30 Nov; Tue 2 Dec is after


class ReportTestCase(BaseTestCase):
    def draft(self, client=None, coach=None, addressee="principal", kind="progress", **edit):
        client = client or self.own_client
        coach = coach or self.coach
        report = actions.create_report(actor=coach, client=client, kind=kind, addressee=addressee, now=self.now,
                                       grant=COACH)
        values = {"subject": "Voortgangsrapportage", "salutation": "Geachte heer, mevrouw,", "sections": SECTIONS,
                  **edit}
        return actions.edit_report(actor=coach, report=report, now=self.now, grant=COACH, **values)

    def ready(self, report, coach=None):
        with self.captureOnCommitCallbacks(execute=True):
            actions.mark_ready(actor=coach or self.coach, report=report, now=self.now, grant=COACH)
        report.refresh_from_db()
        return report

    def client_copy(self, **kwargs):
        return self.ready(self.draft(**kwargs))

    def send(self, report, *, channel="email", now=None, coach=None):
        with self.captureOnCommitCallbacks(execute=True):
            sent = actions.send_report(actor=coach or self.coach, report=report, code_channel=channel,
                                       now=now or self.now + AFTER_REVIEW, grant=COACH)
        report.refresh_from_db()
        return sent

    def outbox_to(self, address):
        return [m for m in mail.outbox if address in m.to]


def pdf_text(data: bytes) -> str:
    """The drawn text of a ReportLab PDF (its page streams, decoded), for assertions."""
    import base64
    import re
    import zlib

    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\s*endstream", data, re.S):
        raw = m.group(1)
        for decode in (lambda b: zlib.decompress(base64.a85decode(b.strip(), adobe=True)), zlib.decompress):
            try:
                out.append(decode(raw))
                break
            except Exception:
                continue
    return b"\n".join(out).decode("latin-1")
