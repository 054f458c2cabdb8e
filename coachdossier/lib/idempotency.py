"""A request that may arrive twice (a double click, back and send again, an API retry with
its Idempotency-Key) makes one record: the record keeps the digest of its user and one-time
key, and the same key again finds it instead of making a second one. Used for dossier
entries, client statements, complaints and questionnaire submissions."""

import enum
import hashlib


class Once(enum.Enum):
    """What a request with a one-time key made."""

    CREATED = "created"  # the first time: a new record
    REPEATED = "repeated"  # the same request again: nothing added, the record it made
    CONFLICT = "conflict"  # the key again with other content: nothing of it saved, the record as it is


def key_digest(user_id: int, key: str) -> str:
    """A key names one user's request: the same key from another user is another request.
    Only this digest of a random value is stored, never anything of the content."""
    return hashlib.sha256(f"{user_id}:{key}".encode()).hexdigest()
