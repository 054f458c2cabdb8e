"""COACHDOSSIER_MASTER_KEYS (LAW-32): "id:base64key,id:base64key", the first one current.

Pure Python, so that settings.py refuses a malformed value at start-up (as it does a
malformed signing key) and clients/crypto.py reads it by the same rule."""

import base64
import binascii


def parse(value: str) -> dict[str, bytes]:
    """The keys by id, in the order given. Raises ValueError naming the entry by its
    position, never by its text: without the "id:" a value is all key, and the message
    would put it in the logs."""
    keys: dict[str, bytes] = {}
    for number, part in enumerate(value.split(","), start=1):
        key_id, colon, b64 = part.strip().partition(":")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raw = b""
        if not colon or not key_id or len(raw) != 32:
            raise ValueError(f"COACHDOSSIER_MASTER_KEYS, key {number}: expected id:base64 of 32 random bytes "
                             "(an id, a colon, then the key)")
        if key_id in keys:
            raise ValueError(f"COACHDOSSIER_MASTER_KEYS, key {number}: the id {key_id!r} is used twice")
        keys[key_id] = raw
    return keys
