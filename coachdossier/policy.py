"""The practice's terms and identity, in one place.

The source documents fix the terms (see ../shared/spec/rules.md); they are the defaults
here. A practice with other terms (for example the Wkkgz's 6 + 4 weeks for complaints)
writes them in a TOML file named by COACHDOSSIER_POLICY_FILE: configuration, not code.
Every deadline calculation reads its term from `current()`.
"""

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import timedelta


@dataclass(frozen=True)
class Policy:
    # Records and retention
    retention_years: int = 5  # PR-8: closed dossiers are kept at most 5 years
    access_log_retention_years: int = 5  # NEN 7513's minimum; run_daily prunes older entries (LAW-30)
    destruction_weeks: int = 4  # GC-5.4: destroyed at the latest 4 weeks after receipt
    retention_notice_days: int = 30  # management is told this long before automatic destruction
    # Data subject requests (AVG art. 12(3))
    request_months: int = 1
    # Portal
    invitation_days: int = 7
    # Reports (PR-6)
    report_review_working_days: int = 5
    report_link_days: int = 14
    # Complaints (KR-3.x, GC-8.2)
    complaint_register_working_days: int = 5  # KR-3.2
    complaint_acknowledge_weeks: int = 2  # KR-3.3a
    complaint_non_admission_weeks: int = 4  # KR-3.3c
    complaint_settle_weeks: int = 6  # KR-3.3d
    complaint_aftercare_working_days: int = 5  # KR-3.4a
    complaint_aftercare_attempts: int = 3  # KR-3.4b: "several attempts"
    complaint_ruling_months: int = 1  # GC-8.2
    # Data breaches (LAW-33): AVG art. 33(1), notify the Autoriteit Persoonsgegevens "not later than
    # 72 hours after having become aware of it"; the decision, also "not required", is due by then.
    breach_notify_hours: int = 72
    # Working days: "algemene-termijnenwet" or "holidays-nl" (see lib/workdays.py)
    holiday_policy: str = "algemene-termijnenwet"
    closure_days: tuple = field(default_factory=tuple)
    # Accounts
    inactive_account_days: int = 90
    # The practice, as it appears on letters and reports
    practice_name: str = "Praktijk De Werkbrug (demo)"
    practice_address: tuple = ("Stationsplein 1", "3511 ED Utrecht")
    practice_phone: str = "030 123 45 67"
    practice_email: str = "info@werkbrug.example"
    complaints_contact: str = "A. de Klachtenfunctionaris, 030 123 45 67"

    @property
    def destruction_term(self) -> timedelta:
        return timedelta(weeks=self.destruction_weeks)


# What letters, reports, mails and the complaints procedure say about the practice.
IDENTITY = ("practice_name", "practice_address", "practice_phone", "practice_email", "complaints_contact")


def demo_identity(p: Policy) -> list[str]:
    """The identity keys that still hold the fictional demo practice's values (the defaults)."""
    default = Policy()
    return [name for name in IDENTITY if getattr(p, name) == getattr(default, name)]


def load(path: str | None) -> Policy:
    """Read a policy file; unknown keys are an error, so a typo never passes silently."""
    if not path:
        return Policy()
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    known = {f.name for f in fields(Policy)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{path}: unknown policy keys: {', '.join(unknown)}")
    for key in ("closure_days", "practice_address"):
        if key in data:
            data[key] = tuple(data[key])
    return Policy(**data)


PRACTICE_POLICY = load(os.getenv("COACHDOSSIER_POLICY_FILE"))


def current() -> Policy:
    """The policy in force. Tests may swap it with `override(...)`."""
    return PRACTICE_POLICY


def override(**changes) -> Policy:
    global PRACTICE_POLICY
    PRACTICE_POLICY = replace(PRACTICE_POLICY, **changes)
    return PRACTICE_POLICY
