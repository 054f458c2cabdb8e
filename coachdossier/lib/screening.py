"""Fast screening of free text when it is saved (PR-4 special categories, GC-5.2 other
persons). Implemented in coachdossier.privacy.deidentify; re-exported here so that the
client records (which come first) do not depend on the privacy app."""


def find_special_categories(text):
    from coachdossier.privacy.deidentify import find_special_categories as impl

    return impl(text)


def find_person_mentions(text, *, known_identifiers=(), others=()):
    """`others`: names of other people the system holds (staff, the principal's contact)."""
    from coachdossier.privacy.deidentify import KnownNames
    from coachdossier.privacy.deidentify import find_person_mentions as impl

    return impl(text, known_identifiers=known_identifiers, known_names=KnownNames.of(contacts=others))
