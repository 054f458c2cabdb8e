"""System checks of `coachdossier check --deploy` beyond Django's own (the service runs it with
--fail-level WARNING before it starts, so a warning here stops a production start)."""

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
