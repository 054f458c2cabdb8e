"""End to end in Debian's Chromium: a new coach signs in with a password, enrols TOTP on
first login (LAW-32), accepts the confidentiality statement (PR-R1–R2), sees the dashboard
and switches to English. A screenshot goes to test-output/."""

import os
from pathlib import Path

import pytest

from coachdossier.accounts import actions as account_actions
from coachdossier.accounts.models import Role
from coachdossier.test import PASSWORD

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
@pytest.mark.django_db(transaction=True, databases=["default", "keys"])
def test_a_new_coach_enrols_mfa_accepts_the_statement_and_switches_to_english(live_server, settings):
    """LAW-32, PR-R1–R2"""
    settings.LANGUAGE_CODE = "nl"  # the production default (tests otherwise run in English)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from allauth.mfa.models import Authenticator
    from playwright.sync_api import sync_playwright

    user = account_actions.create_user(actor=None, email="nieuw@example.com", full_name="Nina Nieuw",
                                       roles=[Role.COACH], password=PASSWORD)
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        try:
            page = browser.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=login]", "nieuw@example.com")
            page.fill("input[name=password]", PASSWORD)
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()
            # Staff without MFA are sent to enrol, whatever they asked for; allauth first asks
            # for the password again (re-authentication before an MFA change).
            assert "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate" in page.url, page.url
            page.fill("input[name=password]", PASSWORD)
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()
            assert "/accounts/2fa/totp/activate" in page.url, page.url
            page.goto(f"{live_server.url}/clients/")
            assert "/accounts/2fa/totp/activate" in page.url, page.url
            secret = page.input_value("#authenticator_secret")
            assert page.locator("img[src^='data:image/svg+xml']").count() == 1  # the QR code
            page.fill("input[name=code]", "000000" if totp_code(secret) != "000000" else "111111")
            page.locator("main form button[type=submit]").last.click()
            page.wait_for_load_state()
            assert not Authenticator.objects.filter(user=user).exists()
            page.fill("input[name=code]", totp_code(secret))
            page.locator("main form button[type=submit]").last.click()
            page.wait_for_load_state()
            assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
            # Then the confidentiality statement, before anything else.
            page.goto(f"{live_server.url}/")
            assert "/accounts/confidentiality/" in page.url, page.url
            page.check("input[name=accept]")
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state()
            assert page.url.rstrip("/") == live_server.url, page.url
            assert page.locator("html").get_attribute("lang") == "nl"
            assert user.confidentiality_acceptances.exists()
            # Switch to English.
            page.select_option("#language-select", "en")
            page.locator("form.lang-switch button[type=submit]").click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == "en"
            assert page.locator("nav").get_by_text("My clients").count() == 1
            page.screenshot(path=str(OUTPUT / "coach-dashboard-en.png"), full_page=True)
        finally:
            browser.close()
