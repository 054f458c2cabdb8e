"""De-identification of free text for the exports (GC-6.9 supervision/intervision, GC-6.8
research/education).

`deidentify()`: deduce plus the own annotators of clients.screening, the names the system
knows and the client's own values; every identifier becomes a tag such as `[PERSOON-1]`. The
result is *pseudonymised*, never anonymous: a reader who knows the case can still recognise
it, so exports carry `PSEUDONYMISED_LABEL`.

deduce is slow to start (about 10 s per process, ~95 s on the first run after an
install), so it is built once per process on first use by `get_deducer()`; call
`warm_up()` from bootstrap/deploy so that cost is never paid by a request.
"""

from __future__ import annotations

import datetime
import fcntl
import re
import tempfile
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, NamedTuple

from coachdossier.clients.screening import (
    BSN,
    DATUM,
    EMAIL,
    ID,
    INSTELLING,
    LEEFTIJD,
    LOCATIE,
    PERSOON,
    PRIORITY_DEDUCE,
    TELEFOON,
    URL,
    KnownNames,
    Span,
    known_spans,
    lexicons,
    merge_spans,
    own_spans,
)

PSEUDONYMISED_LABEL = {"nl": "Gepseudonimiseerd", "en": "Pseudonymised"}


# deduce's tags, after its own post-processing, mapped onto ours.
_DEDUCE_TAGS = {
    "persoon": PERSOON,
    "patient": PERSOON,
    "locatie": LOCATIE,
    "ziekenhuis": INSTELLING,
    "zorginstelling": INSTELLING,
    "datum": DATUM,
    "leeftijd": LEEFTIJD,
    "telefoonnummer": TELEFOON,
    "emailadres": EMAIL,
    "url": URL,
    "bsn": BSN,
    "id": ID,
}


class Annotation(NamedTuple):
    start: int
    end: int
    tag: str
    original: str


@dataclass(frozen=True)
class DeidResult:
    """A pseudonymised text and what was replaced (offsets refer to the input text)."""

    PSEUDONYMISED_LABEL: ClassVar[dict[str, str]] = PSEUDONYMISED_LABEL

    text: str
    annotations: list[Annotation] = field(default_factory=list)


# --------------------------------------------------------------------------- deduce

_deducer = None
_deducer_lock = threading.Lock()


def get_deducer():
    """The process-wide `deduce.Deduce` instance, built on first use (slow) and shared."""
    global _deducer
    if _deducer is None:
        with _deducer_lock, _one_process_at_a_time():
            if _deducer is None:
                import deduce  # imported here: importing is cheap, building is not

                stamp_cache_in_utc(deduce.lookup_structs)
                _deducer = deduce.Deduce()
    return _deducer


# The real clock, never a travelled one: tests travel to a fixed date (coachdossier.test), and
# conftest points this at time-machine's escape hatch.
real_time = time.time


class _CacheClock(datetime.datetime):
    """The clock deduce stamps its lookup cache with and reads its sources' times by: naive UTC.

    deduce stamps the cache with naive local time and rejects it when a source file's time,
    also read as naive local time, is later. Django puts its TIME_ZONE (Europe/Amsterdam) into
    the process's TZ; `warm_up()` run outside Django (bootstrap, deploy) does not. So a cache
    built by the warm-up on a UTC host within an hour of installing read as older than its
    sources in every Django process: each worker rebuilt it (about 100 s and 1.2 GB here) into
    a virtualenv it may not write to, and the warm-up was for nothing. Likewise a cache built
    inside a test that travels to 2026-11-23 was rejected by every later process."""

    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.fromtimestamp(real_time(), datetime.UTC).replace(tzinfo=None)

    @classmethod
    def fromtimestamp(cls, t, tz=None):
        return datetime.datetime.fromtimestamp(t, datetime.UTC).replace(tzinfo=None)


def stamp_cache_in_utc(lookup_structs) -> None:
    lookup_structs.datetime = _CacheClock  # the module's `from datetime import datetime`


DEDUCE_LOCK = Path(tempfile.gettempdir()) / "coachdossier-deduce.lock"


@contextmanager
def _one_process_at_a_time():
    """deduce writes its lookup cache with a plain open("wb") and reads it back without a
    check, so a process building while another writes reads half a file ("pickle data was
    truncated"): the workers of a server warming up after an upgrade, or `script/server`'s
    warm-up beside its first request. Building one process at a time, the others wait and
    then read a whole cache."""
    with open(DEDUCE_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def warm_up() -> None:
    """Build deduce's lookup structures and the lexicons now (install/bootstrap time)."""
    lexicons()
    get_deducer()


def _deduce_spans(text: str, *, patient: tuple[str, ...] = ()) -> list[Span]:
    # deduce's own merging joins neighbours across a full stop ("Peter. Linda" becomes one
    # person), and its redactor is replaced by ours: switch both off.
    metadata = None
    if len(patient) == 2 and all(patient):
        # The client as deduce's patient: its fuzzy matching also finds "Malgorzta" (GC-6.8, GC-6.9).
        from deduce.person import Person

        metadata = {"patient": Person(first_names=patient[0].split(), surname=patient[1])}
    doc = get_deducer().deidentify(text, metadata=metadata, disabled={"merge_adjacent_annotations", "redactor"})
    return [
        Span(a.start_char, a.end_char, _DEDUCE_TAGS.get(a.tag, PERSOON), PRIORITY_DEDUCE)
        for a in doc.annotations
        # A lone letter that is the client's initial ("E-mail", "plan A") is no name; "M." is.
        if not (a.tag == "patient" and a.end_char - a.start_char == 1 and text[a.end_char : a.end_char + 1] != ".")
    ]


def _trim(text: str, span: Span) -> Span:
    """No leading/trailing spaces or punctuation in a replaced span."""
    start, end = span.start, span.end
    while start < end and (text[start].isspace() or text[start] in ",;:("):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:)"):
        end -= 1
    return span._replace(start=start, end=end)


def _entity_key(span: Span, original: str) -> tuple[str, str]:
    if span.entity:  # "Małgorzata", "M. Wiśniewska" and "Małgorzata Wiśniewska": one person, one number
        return span.tag, "\0" + span.entity
    return span.tag, re.sub(r"[\s.-]+", " ", original.casefold()).strip()


def _redact(text: str, spans: list[Span]) -> DeidResult:
    numbers: dict[tuple[str, str], int] = {}
    per_tag: dict[str, int] = {}
    annotations: list[Annotation] = []
    out: list[str] = []
    cursor = 0
    for span in spans:
        original = text[span.start : span.end]
        key = _entity_key(span, original)
        if key not in numbers:
            per_tag[span.tag] = per_tag.get(span.tag, 0) + 1
            numbers[key] = per_tag[span.tag]
        out.append(text[cursor : span.start])
        out.append(f"[{span.tag}-{numbers[key]}]")
        cursor = span.end
        annotations.append(Annotation(span.start, span.end, span.tag, original))
    out.append(text[cursor:])
    return DeidResult(text="".join(out), annotations=annotations)


def deidentify(text: str, *, known_identifiers: Iterable[str] = (), known_names: KnownNames | None = None) -> DeidResult:
    """Replace every identifier in `text` by a numbered tag (GC-6.9, GC-6.8).

    Runs deduce (slow to start: see `warm_up`) and the project's own annotators, and always
    replaces the client's own `known_identifiers` (address, town, e-mail, phone, BSN) and
    the `known_names` the system holds (the client, staff, contacts, employers), also where
    deduce knows no such name. The same entity gets the same number within one text. The
    result is pseudonymised, not anonymous: label it with `PSEUDONYMISED_LABEL`.
    """
    if not text or not text.strip():
        return DeidResult(text=text or "", annotations=[])
    known_names = known_names or KnownNames()
    spans = (_deduce_spans(text, patient=known_names.client) + own_spans(text)
             + known_spans(text, known_identifiers) + known_names.spans(text))
    merged = [_trim(text, s) for s in merge_spans(spans)]
    return _redact(text, [s for s in merged if s.end > s.start and not _is_duration(text, s)])


def find_known(text: str, *, known_identifiers: Iterable[str] = (), known_names: KnownNames | None = None) -> list[str]:
    """The known identifiers and names that stand in `text`, as written there, each once;
    fast, without deduce (a reviewed summary must not get them back, GC-6.9)."""
    spans = known_spans(text, known_identifiers) + (known_names.spans(text) if known_names else [])
    return list(dict.fromkeys(text[s.start : s.end] for s in sorted(merge_spans(spans))))


# "40 jaar gewerkt", "12 jaar in dienst": a duration that deduce's age pattern also takes.
_DURATION_AFTER_RE = re.compile(
    r"\s+(?:jaar|jr\.?)\s+(?:gewerkt|in dienst|werkzaam|bij|geleden|lang|ervaring|getrouwd|samen)\b"
)


def _is_duration(text: str, span: Span) -> bool:
    return span.tag == LEEFTIJD and bool(_DURATION_AFTER_RE.match(text, span.end))
