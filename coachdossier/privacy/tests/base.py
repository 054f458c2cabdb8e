from django.conf import settings
from django.utils import translation

from coachdossier.test import BaseTestCase


class PrivacyTestCase(BaseTestCase):
    """The UI in English: the assertions read the English msgids, so they keep passing once
    the Dutch translations are compiled (Dutch is the default language). Emails are always
    rendered in Dutch, so tests check their recipients and links, not their wording."""

    def setUp(self):
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
