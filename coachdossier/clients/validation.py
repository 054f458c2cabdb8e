"""Checks on client data that both the forms and the API use (GC-9.1, PR-4, GC-5.2)."""

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.nl import bsn as stdnum_bsn

HEALTH = "gezondheid"  # screening.SpecialCategory.HEALTH
# PR-4: what the author reads for each screening.SpecialCategory value (the values are codes).
CATEGORY_LABELS = {
    "religie": gettext_lazy("religion"),
    "afkomst": gettext_lazy("origin"),
    "politiek": gettext_lazy("political views"),
    "vakbond": gettext_lazy("trade union membership"),
    "seksuele_geaardheid": gettext_lazy("sexual orientation"),
    HEALTH: gettext_lazy("health"),
}
POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})\s*$")


def clean_bsn(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return stdnum_bsn.validate(value)
    except Exception:
        raise ValidationError(_("This is not a valid BSN: it fails the eleven-test."), code="bsn_invalid") from None


def clean_postcode(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    match = POSTCODE.match(value)
    if not match:
        raise ValidationError(_("Enter a Dutch postcode such as 1234 AB."), code="postcode_invalid")
    return f"{match.group(1)} {match.group(2).upper()}"


def clean_phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number, for example 06 12345678."), code="phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number, for example 06 12345678."), code="phone_invalid")
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 31 else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def length_errors(**fields: tuple[str | None, int]) -> dict[str, str]:
    """The page forms' `max_length` for every caller, the API included (it has no form): for
    each `name=(value, limit)` over its limit, Django's own message. Where a column holds the
    value, PostgreSQL would otherwise refuse the row with a 500."""
    errors = {}
    for name, (value, limit) in fields.items():
        try:
            MaxLengthValidator(limit)(value or "")
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    return errors


def email_errors(**fields: str | None) -> dict[str, str]:
    """The page forms' EmailField for every caller: {name: message} for each value given that
    is not an email address (mail would go nowhere)."""
    errors = {}
    for name, value in fields.items():
        if value := (value or "").strip():
            try:
                validate_email(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    return errors


def clean_birth_date(value, today: datetime.date):
    if value is None:
        return None
    if value > today:
        raise ValidationError(_("A date of birth cannot be in the future."), code="birth_date_future")
    if value < today.replace(year=today.year - 120):
        raise ValidationError(_("Check the date of birth: more than 120 years ago."), code="birth_date_past")
    return value


def check_uwv_only_fields(*, is_uwv: bool, bsn: str, background: str) -> dict[str, str]:
    """GC-9.1: BSN and a short background only for UWV clients. Returns field errors."""
    errors = {}
    if not is_uwv:
        if bsn:
            errors["bsn"] = _("A BSN may only be recorded for a client whose principal is UWV.")
        if background:
            errors["background"] = _("A background may only be recorded for a client whose principal is UWV.")
    return errors


def screen_text(text: str, *, known_identifiers=(), others=()) -> dict:
    """PR-4 and GC-5.2 on free text: special categories mentioned, other people named.
    `known_identifiers`: the client's own name; `others`: names of other people the system
    holds, which count as other persons wherever they stand."""
    from .screening import KnownNames, find_person_mentions, find_special_categories

    found = {str(f.category) for f in find_special_categories(text or "")}
    return {
        # Religion, origin, politics, union membership, sexual orientation: not registered
        # unless the trajectory needs it, and then with a written justification (PR-4).
        "special_categories": sorted(found - {HEALTH}),
        # Health information is normal in re-integration notes; it is treated as extra
        # confidential: the author is advised to mark the entry medical.
        "health": HEALTH in found,
        "other_persons": find_person_mentions(text or "", known_identifiers=known_identifiers,
                                              known_names=KnownNames.of(contacts=others)),
    }


def require_justification(text: str, justification: str, field: str = "text") -> dict:
    """PR-4: a text that mentions a special category needs a written justification."""
    found = screen_text(text)["special_categories"]
    if found and not (justification or "").strip():
        return {field: _("This text mentions a special category of personal data (%(cats)s). Remove it, or give "
                         "a justification why it is needed for the trajectory (rule PR-4).")
                % {"cats": ", ".join(str(CATEGORY_LABELS.get(c, c)) for c in found)}}
    return {}
