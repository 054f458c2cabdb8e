"""Schemathesis checks for script/fuzz-api, loaded through SCHEMATHESIS_HOOKS.

FUZZ_FORBIDDEN names a JSON file: {"ids": [...], "references": [...], "markers": [...]}, the
other clients' public ids and references and dossier text markers this role must never see.
FUZZ_COUNTER names a file that receives one line per checked response.
"""

import json
import os

import schemathesis

with open(os.environ["FUZZ_FORBIDDEN"]) as f:
    FORBIDDEN = json.load(f)
SUBSTRINGS = [s.lower() for s in FORBIDDEN["ids"] + FORBIDDEN["markers"]]
EXACT = set(FORBIDDEN["references"])
COUNTER = open(os.environ["FUZZ_COUNTER"], "a", buffering=1)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@schemathesis.check
def no_other_clients_data(ctx, response, case):
    """No response carries another client's id, reference or dossier text."""
    COUNTER.write(f"{case.method} {case.operation.path} {response.status_code}\n")
    try:
        text = response.text or ""
    except UnicodeDecodeError:  # a PDF or zip: its plain runs (metadata, ids) still count
        text = response.content.decode("latin-1")
    lowered = text.lower()
    leaked = [s for s in SUBSTRINGS if s in lowered]
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    leaked += [s for s in strings(body) if s in EXACT]
    if leaked:
        raise AssertionError(f"response reveals another client's data: {sorted(set(leaked))[:5]}")
    return None
