"""Dates a person reads are written the way the page's language writes them (its SHORT_DATE_FORMAT:
5-11-2026 in Dutch, 5 Nov 2026 in English), never a hard-coded "%d-%m-%Y" that gave 05-11-2026
in both. The pages' own dates use the `date` filter; these are the ones Python writes."""

import datetime
import uuid
from types import SimpleNamespace

from django.test import SimpleTestCase
from django.utils import translation

from coachdossier.portal.forms import LetterRequestForm, ReleaseCopyForm
from coachdossier.privacy.forms import HandoverForm

DAY = datetime.date(2026, 11, 5)
EXPECTED = {"nl": "5-11-2026", "en": "5 Nov 2026"}


def entry():
    return SimpleNamespace(public_id=uuid.uuid4(), occurred_on=DAY, get_kind_display=lambda: "Feit",
                           current=SimpleNamespace(content={"title": "Werkgever"}))


class EntryChoicesTests(SimpleTestCase):
    def test_the_entries_a_coach_withholds_or_a_client_corrects_are_dated_in_the_pages_language(self):
        for language, day in EXPECTED.items():
            with self.subTest(language), translation.override(language):
                withhold = ReleaseCopyForm(entries=[entry()]).fields["redact"].choices
                correct = LetterRequestForm(facts=[entry()]).fields["entry"].choices
                self.assertEqual(withhold[0][1], f"{day} · Werkgever")
                self.assertEqual(correct[1][1], f"{day} · Werkgever")

    def test_the_uwv_trajectories_to_hand_over_are_dated_in_the_pages_language(self):
        trajectory = SimpleNamespace(public_id=uuid.uuid4(), uwv_order_number="UWV-1", opened_on=DAY,
                                     closed_on=DAY + datetime.timedelta(days=30))
        for language, expected in (("nl", "UWV-1 · 5-11-2026 – 5-12-2026"), ("en", "UWV-1 · 5 Nov 2026 – 5 Dec 2026")):
            with self.subTest(language), translation.override(language):
                self.assertEqual(HandoverForm(trajectories=[trajectory]).fields["trajectory"].choices[0][1], expected)
