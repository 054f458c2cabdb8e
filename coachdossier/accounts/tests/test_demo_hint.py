"""The login page of the demo practice lists its accounts and their shared password."""

from django.test import TestCase, override_settings

from coachdossier.accounts import actions
from coachdossier.accounts.demo_accounts import PASSWORD
from coachdossier.accounts.models import Role


class DemoHintTestCase(TestCase):
    databases = {"default", "keys"}

    def setUp(self):
        actions.create_user(actor=None, email="auditor@demo.example", full_name="Demo Auditor",
                            roles=[Role.AUDITOR], password=PASSWORD, is_demo=True)

    @override_settings(DEMO_MODE=True)
    def test_the_demo_login_page_shows_the_demo_accounts_and_their_password(self):
        page = self.client.get("/accounts/login/")
        self.assertContains(page, "auditor@demo.example")
        self.assertContains(page, f"<code>{PASSWORD}</code>")

    @override_settings(DEMO_MODE=False)
    def test_without_the_demo_the_login_page_shows_neither(self):
        page = self.client.get("/accounts/login/")
        self.assertNotContains(page, "auditor@demo.example")
        self.assertNotContains(page, PASSWORD)
