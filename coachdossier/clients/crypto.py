"""Encryption at rest (GC-2.3, GC-6.6, LAW-32).

Every client has a random 256-bit data key. Personal fields, entry content and attachments
are sealed with AES-256-GCM under that key; the data key itself is wrapped (AES-GCM) by the
current master key from the environment and stored in the separate key store database
("keys"). Destroying a client's data key makes every copy of their ciphertext unreadable,
including copies in backups of the main database (crypto-shredding, GC-5.4).

Associated data binds each ciphertext to its row and field, so a ciphertext moved to another
row or field fails to decrypt instead of showing the wrong client's data.
"""

import functools
import hashlib
import hmac
import os
import threading
import unicodedata

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models
from django.utils import timezone

from coachdossier.lib import masterkeys

NONCE_BYTES = 12
VERSION = b"\x01"


class KeyDestroyed(Exception):
    """The client's data key was destroyed: their content is gone for good."""


def _master_keys() -> dict[str, bytes]:
    return _parse_master_keys(settings.MASTER_KEYS)


@functools.lru_cache(maxsize=4)
def _parse_master_keys(value: str) -> dict[str, bytes]:
    """Parsed once per value (a list page unwraps 50 data keys; tests change the setting)."""
    return masterkeys.parse(value)


def configured_master_key_ids() -> set[str]:
    return set(_master_keys())


def current_master_key_id() -> str:
    return settings.MASTER_KEYS.split(",")[0].split(":")[0].strip()


class Cipher:
    """AES-256-GCM with a version byte and a random nonce: VERSION || nonce || ciphertext+tag."""

    def seal(self, key: bytes, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)

    def open(self, key: bytes, blob: bytes, aad: bytes) -> bytes:
        blob = bytes(blob)
        if blob[:1] != VERSION:
            raise ValueError("unknown ciphertext version")
        return AESGCM(key).decrypt(blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:], aad)


class NoopCipher(Cipher):
    """Only for `coachdossier bench`, to measure what encryption costs. Never used otherwise."""

    def seal(self, key, plaintext, aad):
        return VERSION + plaintext

    def open(self, key, blob, aad):
        return bytes(blob)[1:]


cipher: Cipher = Cipher()


def wrap(dek: bytes, client_ref: str) -> tuple[str, bytes]:
    key_id = current_master_key_id()
    return key_id, Cipher().seal(_master_keys()[key_id], dek, f"dek:{client_ref}".encode())


def unwrap(key_id: str, wrapped: bytes, client_ref: str) -> bytes:
    return Cipher().open(_master_keys()[key_id], wrapped, f"dek:{client_ref}".encode())


class ClientKey(models.Model):
    """A client's wrapped data key. Lives in the "keys" database (see KeyStoreRouter)."""

    client_ref = models.UUIDField(primary_key=True)
    master_key_id = models.CharField(max_length=32)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    rewrapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "clients"
        db_table = "keystore_clientkey"


class KeyStoreRouter:
    """ClientKey rows live in the "keys" database and nowhere else."""

    def _is_key(self, model):
        return model._meta.app_label == "clients" and model._meta.model_name == "clientkey"

    def db_for_read(self, model, **hints):
        return "keys" if self._is_key(model) else None

    db_for_write = db_for_read

    def allow_relation(self, a, b, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label == "clients" and model_name == "clientkey":
            return db == "keys"
        return db == "default"


class KeyRing:
    """Unwrapped data keys for the duration of one request or job: one key-store query per
    batch of clients, no unwrapped key kept beyond it."""

    _local = threading.local()

    @classmethod
    def _cache(cls) -> dict:
        if not hasattr(cls._local, "keys"):
            cls._local.keys = {}
        return cls._local.keys

    @classmethod
    def clear(cls):
        cls._local.keys = {}

    @classmethod
    def create(cls, client_ref) -> bytes:
        dek = AESGCM.generate_key(bit_length=256)
        key_id, wrapped = wrap(dek, str(client_ref))
        ClientKey.objects.create(client_ref=client_ref, master_key_id=key_id, wrapped=wrapped)
        cls._cache()[str(client_ref)] = dek
        return dek

    @classmethod
    def load(cls, client_refs) -> None:
        cache = cls._cache()
        missing = [str(r) for r in client_refs if str(r) not in cache]
        if not missing:
            return
        for client_ref, key_id, wrapped in ClientKey.objects.filter(client_ref__in=missing).values_list(
                "client_ref", "master_key_id", "wrapped"):
            ref = str(client_ref)
            cache[ref] = unwrap(key_id, wrapped, ref)

    @classmethod
    def get(cls, client_ref) -> bytes:
        ref = str(client_ref)
        cache = cls._cache()
        if ref in cache:  # every decrypt asks; most find the key already loaded
            return cache[ref]
        cls.load([ref])
        try:
            return cls._cache()[ref]
        except KeyError:
            raise KeyDestroyed(ref) from None

    @classmethod
    def destroy(cls, client_ref) -> None:
        ClientKey.objects.filter(client_ref=client_ref).delete()
        cls._cache().pop(str(client_ref), None)


class KeyRingMiddleware:
    """Forget every unwrapped key at the end of each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            KeyRing.clear()


def seal(client_ref, plaintext: bytes, aad: str) -> bytes:
    return cipher.seal(KeyRing.get(client_ref), plaintext, aad.encode())


def open_sealed(client_ref, blob: bytes, aad: str) -> bytes:
    return cipher.open(KeyRing.get(client_ref), blob, aad.encode())


def rewrap_all(batch: int = 500) -> int:
    """Key rotation: re-wrap every data key under the current master key. The old master key
    can be removed from the environment once this has run."""
    current = current_master_key_id()
    done = 0
    for key in ClientKey.objects.exclude(master_key_id=current).iterator(chunk_size=batch):
        dek = unwrap(key.master_key_id, key.wrapped, str(key.client_ref))
        key.master_key_id, key.wrapped = wrap(dek, str(key.client_ref))
        key.rewrapped_at = timezone.now()
        key.save(update_fields=["master_key_id", "wrapped", "rewrapped_at"])
        done += 1
    return done


def normalise_for_search(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if c.isalnum() or c == " ").strip()


def search_tokens(*texts: str) -> set[str]:
    """Keyed hashes of each name word and its prefixes (from 2 letters), so the coach can
    search "jan", "jans" or "jansen" without any plaintext name in the database."""
    tokens = set()
    for text in texts:
        for word in normalise_for_search(text or "").split():
            for end in range(2, len(word) + 1):
                tokens.add(search_token(word[:end]))
    return tokens


def search_token(term: str) -> str:
    key = settings.SEARCH_INDEX_KEY.encode()
    return hmac.new(key, normalise_for_search(term).encode(), hashlib.sha256).hexdigest()[:32]
