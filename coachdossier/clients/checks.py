"""System checks of `coachdossier check --deploy` beyond Django's own (the service runs it with
--fail-level WARNING before it starts, so a warning here stops a production start)."""

from django.conf import settings
from django.core.checks import Warning

from coachdossier import policy


def practice_identity(app_configs=None, **kwargs):
    """Without COACHDOSSIER_POLICY_FILE the practice is the fictional demo one: report PDFs to
    UWV, complaint letters, the complaints procedure (whom to call) and every mail named
    "Praktijk De Werkbrug (demo)" and its made-up phone number and complaints officer."""
    keys = policy.demo_identity(policy.current())
    if not keys:
        return []
    return [Warning(
        f"the practice's {', '.join(keys)} are the fictional demo practice's "
        f"({policy.current().practice_name!r}): letters, reports, mails and the complaints procedure would show them",
        hint="write them in a TOML file named by COACHDOSSIER_POLICY_FILE (see coachdossier/policy.py)",
        id="coachdossier.W001",
    )]


SEARCH_KEY_MIN_LENGTH = 32


def search_key_strength(app_configs=None, **kwargs):
    """The name-search index holds keyed hashes of name prefixes in the main database: with a
    short or guessable COACHDOSSIER_SEARCH_KEY, anyone holding a copy of that database (a
    backup) can hash common names and learn who the clients are, without any master key."""
    key = settings.SEARCH_INDEX_KEY
    if len(key) >= SEARCH_KEY_MIN_LENGTH and len(set(key)) >= 10:
        return []
    return [Warning(
        f"COACHDOSSIER_SEARCH_KEY is shorter than {SEARCH_KEY_MIN_LENGTH} characters or barely varied: client names "
        "could be recovered from the search index of a database copy",
        hint="set a random value (python -c \"import secrets; print(secrets.token_urlsafe(32))\") on every host, "
             "restart, and run `coachdossier rebuild_search_index` (docs/deploy.md, \"Keys\")",
        id="coachdossier.W002",
    )]
