"""deduce in a web process: built in the background, never inside a request.

`ensure_warming()` starts one daemon thread per process that runs `deidentify.warm_up()`;
`is_ready()` says whether it finished. Pages that de-identify call `ensure_warming()` and,
while it is not ready, answer 503 with "try again in a minute". Deploy scripts may call
`warm_up()` (or `manage.py shell -c`) at start so the first visitor never waits."""

import logging
import threading

from django.conf import settings

from . import deidentify

log = logging.getLogger("coachdossier.privacy")

_ready = threading.Event()
_started = threading.Lock()
_thread: threading.Thread | None = None


def _warm():
    try:
        deidentify.warm_up()
    except Exception:  # reported, and the next request tries again
        log.exception("deduce warm-up failed")
        global _thread
        _thread = None
        return
    _ready.set()


def ensure_warming() -> None:
    global _thread
    if _ready.is_set():
        return
    if settings.TESTING:  # the suite builds deduce once, explicitly (warm_up_now), not in a racing thread
        return
    with _started:
        if _thread is None:
            _thread = threading.Thread(target=_warm, name="deduce-warm-up", daemon=True)
            _thread.start()


def is_ready() -> bool:
    return _ready.is_set()


def warm_up_now() -> None:
    """Build it in this thread (commands and tests; never a request)."""
    deidentify.warm_up()
    _ready.set()


def forget() -> None:
    """Tests: behave like a freshly started process (deduce not warmed up in it yet)."""
    _ready.clear()
