"""PR-R1/R2: the confidentiality statement every staff account accepts before first access."""

import hashlib

from django.utils.translation import gettext_lazy as _

CURRENT_VERSION = "2026-1"

TEXT = {
    "nl": (
        "Geheimhoudingsverklaring\n\n"
        "Ik verklaar dat ik alles wat mij in het kader van mijn werk voor de praktijk bekend wordt over "
        "cliënten, hun dossiers, klachten en rapportages geheimhoud, tijdens en na afloop van mijn "
        "werkzaamheden. Ik raadpleeg alleen gegevens die ik voor mijn taak nodig heb, ik deel niets met "
        "derden zonder toestemming van de cliënt of een wettelijke plicht, en ik meld een (vermoedelijk) "
        "datalek onmiddellijk bij de directie. Ik weet dat iedere inzage in een dossier wordt vastgelegd "
        "en dat de cliënt dit kan zien."
    ),
    "en": (
        "Confidentiality statement\n\n"
        "I declare that I will keep secret everything I learn through my work for the practice about "
        "clients, their dossiers, complaints and reports, during and after my work. I only consult data "
        "I need for my task, I share nothing with third parties without the client's consent or a legal "
        "duty, and I report a (suspected) data breach to management at once. I know that every access to "
        "a dossier is logged and that the client can see it."
    ),
}

LABEL = _("Confidentiality statement")


def text_for(language: str) -> str:
    return TEXT.get(language[:2], TEXT["nl"])


def text_sha256() -> str:
    """Both language versions are one statement; the hash covers both."""
    return hashlib.sha256((TEXT["nl"] + "\n" + TEXT["en"]).encode()).hexdigest()
