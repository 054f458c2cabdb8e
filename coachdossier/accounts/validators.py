"""Password rules beyond Django's own (OWASP ASVS 5.0 level 2, chapter 6)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Words that anyone attacking this practice would try first (ASVS 6.2.11: context words).
CONTEXT_WORDS = ("coachdossier", "coaching", "coach", "dossier", "werkbrug", "uwv", "reintegratie", "re-integratie")


class MaximumLengthValidator:
    """Allow long passphrases (64+) but refuse absurd input that would only cost hashing time."""

    max_length = 128

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(_("A password may be at most %(n)d characters.") % {"n": self.max_length},
                                  code="password_too_long")

    def get_help_text(self):
        return _("At most %(n)d characters; a long passphrase is welcome.") % {"n": self.max_length}


class ContextWordsValidator:
    def validate(self, password, user=None):
        lowered = password.lower()
        for word in CONTEXT_WORDS:
            # Refuse a password that is essentially a context word with a few extra characters.
            if word in lowered and len(lowered) - len(word) < 8:
                raise ValidationError(_("This password is too close to the name of the practice or the system."),
                                      code="password_context_word")

    def get_help_text(self):
        return _("Do not build your password around the name of the practice or of this system.")
