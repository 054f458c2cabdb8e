"""End to end in Chromium: the coach writes and marks ready, the client signs in the portal,
the coach sends, and the recipient's link works once. Screenshots in test-output/."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from coachdossier.accounts.models import Role
from coachdossier.clients import actions as client_actions
from coachdossier.clients.models import PrincipalKind
from coachdossier.test import browser_log_in, make_client, make_user

CHROMIUM = "/usr/bin/chromium"
OUT = Path(__file__).resolve().parents[3] / "test-output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"]),
]






@pytest.fixture
def open_prune_gate_after():
    """The access log refuses DELETE unless the prune gate is open; the transactional test's
    flush deletes every table, so open the gate once the test is done."""
    yield
    from django.db import transaction

    from coachdossier.audit.models import AccessLogEntry, PruneGate

    with transaction.atomic():
        PruneGate.objects.filter(pk=1).update(open=True)
        AccessLogEntry.objects.all().delete()


def test_coach_writes_client_signs_coach_sends_and_the_link_works_once(live_server, open_prune_gate_after):
    """PR-6, GC-6.1: the whole way of a report, in the browser."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    now = timezone.now()
    coach = make_user("alice@example.com", "Alice Coach", Role.COACH)
    management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
    carla = make_user("carla@example.com", "Carla de Vries", Role.CLIENT)
    employer = client_actions.create_principal(actor=management, name="Bakkerij Broodnodig BV",
                                               kind=PrincipalKind.EMPLOYER, contact_email="hr@example.com")
    client = make_client(actor=management, coach=coach, principal=employer, user=carla, now=now)
    trajectory = client.current_trajectory
    trajectory.vulnerable = True  # GC-1.6: the client must sign
    trajectory.save(update_fields=["vulnerable"])
    base = live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        # The coach writes the report and marks it ready.
        page = browser.new_context().new_page()
        browser_log_in(page, base, "alice@example.com", staff=True)
        page.goto(f"{base}/reports/{client.public_id}/new/")
        page.select_option("select[name=kind]", "progress")
        page.select_option("select[name=addressee]", "principal")
        page.click("form.card button[type=submit]")
        page.wait_for_selector("textarea[name=section_0_text]")
        page.fill("textarea[name=section_0_text]", "Carla werkt twee ochtenden per week bij de bakkerij.")
        page.check("input[name=include_trajectory]")
        page.click("form.card button[type=submit]")
        page.wait_for_selector("text=Ready: send the client a copy")
        page.click("text=Ready: send the client a copy")
        page.wait_for_selector("text=Client copy sent")
        page.screenshot(path=str(OUT / "reports-1-coach-client-copy-sent.png"), full_page=True)
        review_url = re.search(r"(/reports/review/[0-9a-f-]+/)", mail.outbox[-1].body).group(1)

        # The client reads and signs in the portal.
        portal = browser.new_context().new_page()
        browser_log_in(portal, base, "carla@example.com", staff=False)
        portal.goto(base + review_url)
        portal.wait_for_selector("text=Carla werkt twee ochtenden per week bij de bakkerij.")
        portal.check("input[name=confirm]")
        portal.click("#sign")
        portal.wait_for_selector("text=You signed it")  # her own report, said to her
        portal.screenshot(path=str(OUT / "reports-2-client-signed.png"), full_page=True)

        # The coach sends: link by mail, code in a second mail.
        page.reload()
        page.click("a:has-text('Send')")
        page.wait_for_selector("input[name=recipient_email]")
        page.click("form.card button[type=submit]")
        page.wait_for_selector("text=Deliveries")
        page.screenshot(path=str(OUT / "reports-3-coach-sent.png"), full_page=True)
        link, code_mail = [m for m in mail.outbox if "hr@example.com" in m.to]
        path = re.search(r"(/reports/d/[^/\s]+/)", link.body).group(1)
        code = re.search(r"\b(\d{6})\b", code_mail.body).group(1)

        # The recipient downloads once; the second time is refused.
        recipient = browser.new_context(accept_downloads=True).new_page()
        recipient.goto(base + path)
        recipient.fill("input[name=code]", code)
        recipient.screenshot(path=str(OUT / "reports-4-recipient-code.png"), full_page=True)
        with recipient.expect_download() as download:
            recipient.click("form.card button[type=submit]")
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")
        response = recipient.goto(base + path)
        assert response.status == 410
        assert "already been used" in recipient.content()
        recipient.screenshot(path=str(OUT / "reports-5-link-used.png"), full_page=True)
        browser.close()

    client.refresh_from_db()
    report = client.reports.get()
    assert report.state == "sent" and report.signed_sha256 and report.deliveries.get().downloaded_at
