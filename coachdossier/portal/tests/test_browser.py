"""One real browser (Debian's Chromium through Playwright) on a phone-sized screen: a
client logs in, downloads the PDF copy, files a correction request and withdraws a
consent. A screenshot goes to test-output/portal-client.png."""

import os
from pathlib import Path

import pytest

from coachdossier.accounts.models import Role
from coachdossier.audit.models import AccessLogEntry, PruneGate
from coachdossier.clients import actions as client_actions
from coachdossier.clients.crypto import KeyRing
from coachdossier.clients.models import Consent, EntryKind
from coachdossier.portal.models import ClientRequest, RequestKind
from coachdossier.test import NOW, PASSWORD, make_client, make_user

from .base import CLIENT_GRANT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
OUTPUT = Path(__file__).resolve().parents[3] / "test-output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def append_only_log_flushable():
    """The access log refuses DELETE (LAW-NEN7513); a transactional test's flush must be let
    through the prune gate, as `prune_access_log` would be."""
    yield
    PruneGate.objects.filter(pk=1).update(open=True)
    AccessLogEntry.objects.all().delete()


def carla_with_her_coach(**personal):
    """Carla's portal account and record, with her coach, at an employer; `personal` as make_client takes it."""
    from coachdossier.clients.models import PrincipalKind

    KeyRing.clear()
    management = make_user("mia@example.com", "Mia Directie", Role.MANAGEMENT)
    coach = make_user("alice@example.com", "Alice Coach", Role.COACH)
    user = make_user("carla@example.com", "Carla de Vries", Role.CLIENT)
    employer = client_actions.create_principal(actor=management, name="Bakkerij", kind=PrincipalKind.EMPLOYER)
    return coach, user, make_client(actor=management, coach=coach, principal=employer, user=user, **personal)


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_pr_3_a_client_downloads_a_copy_files_a_correction_and_withdraws_a_consent(live_server,
                                                                                   append_only_log_flushable):
    """PR-3, GC-5.1, GC-5.3, GC-1.3 in a browser on a 390 px wide screen."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    coach, user, client = carla_with_her_coach()
    client_actions.add_entry(actor=coach, client=client, kind=EntryKind.FACT, occurred_on=NOW.date(),
                             title="Werkuren", text="Werkt 32 uur per week.", now=NOW)
    consent = client_actions.record_consent(actor=user, client=client, kind="disclosure", recipient="Bedrijfsarts",
                                            purpose="Afstemming", data_scope="Uren", given_via="portal",
                                            valid_from=NOW.date(), now=NOW, grant=CLIENT_GRANT)
    OUTPUT.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/?next=/portal/")
        page.fill("input[name=login]", "carla@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url("**/portal/")

        # The copy: one click, then the PDF.
        page.goto(f"{live_server.url}/portal/copy/")
        page.click("form[action$='/portal/copy/request/'] button")
        page.wait_for_selector("a[href$='/pdf/']")
        with page.expect_download() as download_info:
            page.click("a[href$='/pdf/']")
        pdf_path = download_info.value.path()
        assert Path(pdf_path).read_bytes().startswith(b"%PDF")

        # A correction of a fact.
        page.goto(f"{live_server.url}/portal/dossier/")
        page.click("a[href*='/portal/requests/correction/?entry=']")
        page.fill("textarea[name=proposed]", "Werkt 24 uur per week.")
        page.fill("textarea[name=reason]", "Sinds oktober werk ik minder uren.")
        page.click("main form.form button[type=submit]")
        page.wait_for_url("**/portal/requests/")

        # Withdraw the consent.
        page.goto(f"{live_server.url}/portal/consents/")
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        with page.expect_navigation():
            page.click("form[action*='/withdraw/'] button")
        assert asked == ["Withdraw this consent? It ends access at once."]
        page.screenshot(path=str(OUTPUT / "portal-client.png"), full_page=True)
        browser.close()

    assert ClientRequest.objects.filter(client=client, kind=RequestKind.COPY, status="done").exists()
    correction = ClientRequest.objects.get(client=client, kind=RequestKind.CORRECTION)
    assert correction.details["proposed"] == "Werkt 24 uur per week."
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "keys"])
def test_gc_5_1_the_dossier_fits_a_320_px_screen_with_a_long_email_address(live_server, append_only_log_flushable):
    """GC-5.1 on the narrowest phone (WCAG 1.4.10 reflow at 320 CSS px): a long email address
    wraps instead of making the whole page scroll sideways."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    carla_with_her_coach(first="Maximiliaan-Alexandra", street="Burgemeester van Haarenlaan", house_number="1234",
                         postcode="8168 ZH", city="Kolhorn")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 320, "height": 640}).new_page()
        page.goto(f"{live_server.url}/accounts/login/?next=/portal/dossier/")
        page.fill("input[name=login]", "carla@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url("**/portal/dossier/")
        assert page.get_by_text("maximiliaan-alexandra@example.com").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert width <= 320
