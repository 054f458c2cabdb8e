"""Which key seals a complaint's content (see models.py's docstring).

A complaint about a client's case uses the client's data key, so it is shredded with the
client. A complaint from someone who is no client gets a key of its own, made and wrapped
with `clients.crypto`'s primitives and kept in `ComplaintKey`.
"""

import json

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from coachdossier.clients import crypto


def ref_for(complaint):
    return complaint.client.public_id if complaint.client_id else complaint.public_id


def _key(complaint) -> bytes:
    if complaint.client_id:
        return crypto.KeyRing.get(complaint.client.public_id)
    from .models import ComplaintKey

    ref = str(complaint.public_id)
    row = ComplaintKey.objects.filter(complaint_ref=complaint.public_id).first()
    if row is None:
        dek = AESGCM.generate_key(bit_length=256)
        key_id, wrapped = crypto.wrap(dek, f"complaint:{ref}")
        ComplaintKey.objects.create(complaint_ref=complaint.public_id, master_key_id=key_id, wrapped=wrapped)
        return dek
    return crypto.unwrap(row.master_key_id, bytes(row.wrapped), f"complaint:{ref}")


def seal_bytes(complaint, data: bytes, aad: str) -> bytes:
    return crypto.cipher.seal(_key(complaint), data, aad.encode())


def open_bytes(complaint, blob, aad: str) -> bytes:
    if not blob:
        return b""
    return crypto.cipher.open(_key(complaint), bytes(blob), aad.encode())


def seal_json(complaint, data: dict, aad: str) -> bytes:
    return seal_bytes(complaint, json.dumps(data, ensure_ascii=False, default=str).encode(), aad)


def open_json(complaint, blob, aad: str) -> dict:
    raw = open_bytes(complaint, blob, aad)
    return json.loads(raw) if raw else {}


def shred(complaint):
    """Forget a non-client complaint's key (its ciphertext becomes unreadable)."""
    from .models import ComplaintKey

    ComplaintKey.objects.filter(complaint_ref=complaint.public_id).delete()
