"""Signed checkpoints of the access log (the certificate-transparency model, RFC 6962/9162).

The access log is a hash chain: entry N's hash covers entry N's fields and entry N-1's
hash, so it commits to the whole log up to N. A checkpoint is the signed statement
(size N, head hash H, time). An outsider (the umbrella auditor) keeps the checkpoints they
download. Later, `verify_checkpoints` shows that today's log *extends* every checkpoint:
the chain verifies from its anchor, and for each checkpoint the entry at seq N still has
hash H. Rewriting any entry up to N would change H, and the practice cannot re-sign old
checkpoints the auditor already holds without the mismatch showing."""

import datetime
import json
from dataclasses import dataclass

from django.db import transaction

from coachdossier.audit.log import verify as verify_chain
from coachdossier.audit.models import AccessLogEntry, ChainHead

from . import signing
from .models import Checkpoint, checkpoint_statement


@transaction.atomic
def sign_checkpoint(*, now) -> Checkpoint | None:
    """Sign the log's current head; nothing new when the head has not moved (idempotent)."""
    head = ChainHead.objects.get(pk=1)
    last = Checkpoint.objects.order_by("-size", "-at").first()
    if last is not None and last.size == head.seq and last.head_hash == head.hash:
        return None
    checkpoint = Checkpoint(size=head.seq, head_hash=head.hash, at=now, key_id=signing.key_id())
    checkpoint.signature = signing.sign(checkpoint.statement())
    checkpoint.save()
    return checkpoint


def as_json(checkpoints) -> dict:
    return {
        "public_key": signing.public_key_hex(),
        "key_id": signing.key_id(),
        "statement_format": "coachdossier access log checkpoint v1\\nsize {size}\\nhead {head}\\nat {at}\\n",
        "checkpoints": [{"size": c.size, "head_hash": c.head_hash,
                         "at": c.at.astimezone().isoformat(), "signature": c.signature} for c in checkpoints],
    }


@dataclass
class Problem:
    size: int | None  # the checkpoint's size; None for a break in the chain itself
    message: str


def verify_checkpoints(checkpoints: list[dict] | None = None, public_key_hex: str | None = None) -> list[Problem]:
    """Check every checkpoint (from the database, or as an auditor's downloaded JSON) against
    today's log. An empty list means: all signatures hold and the log extends each one."""
    public = bytes.fromhex(public_key_hex) if public_key_hex else None
    if checkpoints is None:
        checkpoints = [{"size": c.size, "head_hash": c.head_hash, "at": c.at, "signature": c.signature}
                       for c in Checkpoint.objects.order_by("size", "at")]
    problems = []
    chain = verify_chain()
    if not chain.ok:
        problems.append(Problem(None, f"the access log itself does not verify at entry #{chain.first_bad_seq}: "
                                      f"{chain.problem}"))
    head = ChainHead.objects.get(pk=1)
    previous = None
    for cp in sorted(checkpoints, key=lambda c: c["size"]):
        at = cp["at"] if isinstance(cp["at"], datetime.datetime) else datetime.datetime.fromisoformat(cp["at"])
        size, head_hash = int(cp["size"]), cp["head_hash"]
        if not signing.verify(checkpoint_statement(size, head_hash, at), cp["signature"], public):
            problems.append(Problem(size, "the signature does not match (not signed by this practice's key, "
                                          "or the checkpoint was altered)"))
            continue
        if previous and at < previous:
            problems.append(Problem(size, "a later checkpoint carries an earlier time"))
        previous = at
        if size == 0:
            continue
        if size > head.seq:
            problems.append(Problem(size, f"the log now ends at #{head.seq}: entries the checkpoint covered are gone"))
            continue
        if size <= head.base_seq:
            if size == head.base_seq and head.base_hash != head_hash:
                problems.append(Problem(size, "the pruning anchor does not match the checkpoint"))
            continue  # pruned after its retention term (NEN 7513): covered by the anchor
        entry_hash = AccessLogEntry.objects.filter(seq=size).values_list("hash", flat=True).first()
        if entry_hash != head_hash:
            problems.append(Problem(size, f"entry #{size} no longer has the checkpoint's hash: history was rewritten"))
    return problems


def load_file(path) -> tuple[list[dict], str]:
    """The auditor's checkpoints.json; ValueError with a plain message when it is not one."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise ValueError(f"cannot read the file ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("not a checkpoints.json as downloaded from /privacy/checkpoints/ (not JSON)") from None
    try:
        checkpoints, public_key = data["checkpoints"], data["public_key"]
        bytes.fromhex(public_key)
        for cp in checkpoints:
            int(cp["size"]), str(cp["head_hash"]), str(cp["signature"])
            datetime.datetime.fromisoformat(cp["at"])
    except (TypeError, KeyError, ValueError):
        raise ValueError("not a checkpoints.json as downloaded from /privacy/checkpoints/ (a field is missing "
                         "or malformed)") from None
    return checkpoints, public_key
