"""The practice's Ed25519 signing key: it signs access-log checkpoints and backup manifests.

Production sets COACHDOSSIER_SIGNING_KEY (base64 of a 32-byte Ed25519 private key seed), and
settings refuse to start without it or with a malformed one; development generates a key file
next to the master key (var/signing.key), like settings._development_master_keys. The public
key is what an auditor pins."""

import base64
import hashlib
import os
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _seed() -> bytes:
    value = os.getenv("COACHDOSSIER_SIGNING_KEY", "")
    if not value:
        if not (settings.DEBUG or settings.TESTING):  # the test runner turns DEBUG off
            raise ImproperlyConfigured("the environment variable COACHDOSSIER_SIGNING_KEY is required when DEBUG=false")
        path = settings.LOCAL_STATE_DIR / "signing.key"
        if not path.exists():
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
            path.chmod(0o600)
        value = path.read_text().strip()
    seed = base64.b64decode(value)
    if len(seed) != 32:
        raise ImproperlyConfigured("COACHDOSSIER_SIGNING_KEY must be base64 of 32 random bytes")
    return seed


@lru_cache(maxsize=1)
def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_seed())


def public_key_bytes() -> bytes:
    return private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_hex() -> str:
    return public_key_bytes().hex()


def key_id(public: bytes | None = None) -> str:
    return hashlib.sha256(public or public_key_bytes()).hexdigest()[:16]


def sign(data: bytes) -> str:
    return private_key().sign(data).hex()


def verify(data: bytes, signature_hex: str, public: bytes | None = None) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public or public_key_bytes()).verify(bytes.fromhex(signature_hex), data)
    except (InvalidSignature, ValueError):
        return False
    return True
