"""File names are kept whole to the character (GC-6.6: what the dossier holds stays readable).
A name is stored sealed, cut to 255 bytes of UTF-8; a cut inside a character ("ş" is two
bytes) left a name that no longer decoded, and every page listing the file failed."""

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from coachdossier.clients.uploads import NAME_BYTES, shown_name, stored_name

LONG_TURKISH = "ş" * 200 + ".pdf"  # 404 bytes: a cut at 255 falls inside the 128th "ş"
# The same name through every upload page: tests/test_bad_uploads.py.


class StoredNameTestCase(SimpleTestCase):
    @given(st.text(max_size=400))
    def test_any_name_is_kept_in_255_bytes_that_decode_and_unchanged_when_it_fits(self, name):
        kept = stored_name(name)
        self.assertLessEqual(len(kept), NAME_BYTES)
        text = kept.decode("utf-8")  # strict: never half a character
        if len(name.encode()) <= NAME_BYTES:
            self.assertEqual(text, name)
        else:
            self.assertTrue(name.startswith(text.rsplit(".", 1)[0]))

    def test_a_long_name_keeps_its_extension_and_whole_characters(self):
        kept = stored_name(LONG_TURKISH).decode()
        self.assertEqual(kept, "ş" * 125 + ".pdf")
        self.assertEqual(stored_name("x" * 300), b"x" * 255)

    def test_a_name_stored_before_the_fix_is_shown_with_a_replacement_character_not_an_error(self):
        self.assertEqual(shown_name(LONG_TURKISH.encode()[:255]), "ş" * 127 + "\N{REPLACEMENT CHARACTER}")
