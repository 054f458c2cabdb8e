"""KR-3.3e: the register's history kept what a step decided as text in the language of whoever
took the step ("Gedeeltelijk gegrond" on an English page). The texts the code wrote until now,
in Dutch and in English, become codes in `params` (rendered in the reader's language by
ComplaintEvent.summary); what followed them (a call note, a closing note, the note of an
extension told by phone) stays the sealed note. Any other text stays as it was.

The notes are sealed, so this opens and seals them with `complaints.sealing` (the client's data
key, or the complaint's own key). A note that cannot be opened (its client was destroyed) is
left alone."""

import re

from cryptography.exceptions import InvalidTag
from django.db import migrations

# Exactly as actions.py wrote them, in English and in Dutch (locale/nl, December 2026).
# Two-text tuples: (English, Dutch).
PHONE_OFFER = ("Offered by phone to register it as a complaint; accepted (KR-2.2).",
               "Telefonisch aangeboden dit als klacht te registreren; aanvaard (KR-2.2).")
RULINGS = {"Founded": "founded", "Partly founded": "partly", "Unfounded": "unfounded",
           "Gegrond": "founded", "Gedeeltelijk gegrond": "partly", "Ongegrond": "unfounded"}
TOLD_VIA = {"In writing": "letter", "By phone": "phone", "Schriftelijk": "letter", "Telefonisch": "phone"}
EXTENDED = re.compile(r"(\d{4}-\d{2}-\d{2}) \((" + "|".join(map(re.escape, TOLD_VIA)) + r")\)(?:: (.*))?\Z", re.S)
ONE_LETTER = ("Letter with the ruling to the complainant; the complaint names no coach.",
              "Brief met de uitspraak aan de klager; de klacht noemt geen coach.")
COACH_LETTERS = re.compile(r"(Letters with the ruling to the complainant and to the coach"
                           r"|Brieven met de uitspraak aan de klager en aan de coach) .+\.\Z", re.S)
CALLS = {"reached, satisfied": {"reached": True, "satisfied": True},
         "reached, not satisfied": {"reached": True, "satisfied": False},
         "not reached": {"reached": False, "satisfied": None},
         "bereikt, tevreden": {"reached": True, "satisfied": True},
         "bereikt, niet tevreden": {"reached": True, "satisfied": False},
         "niet bereikt": {"reached": False, "satisfied": None}}
OUTCOMES = {
    "Settled to the complainant's satisfaction": "satisfied",
    "Taken as settled (complainant not reached, KR-3.4b)": "assumed_satisfied",
    "Settled through mediation": "mediation",
    "Not admitted": "not_admitted",
    "Withdrawn by the complainant": "withdrawn",
    "Afgehandeld tot tevredenheid van de klager": "satisfied",
    "Als afgehandeld beschouwd (klager niet bereikt, KR-3.4b)": "assumed_satisfied",
    "Afgehandeld via mediation": "mediation",
    "Niet in behandeling genomen": "not_admitted",
    "Ingetrokken door de klager": "withdrawn",
}
KINDS = ("lodged", "ruling", "ruling_communicated", "extended", "aftercare", "closed")


def _labelled(note: str, labels: dict) -> tuple[dict, str] | None:
    """`note` as "<label>." or "<label>. <rest>" (how calls and closings were written)."""
    for label, value in labels.items():
        if note == f"{label}." or note.startswith(f"{label}. "):
            return value, note[len(label) + 1:].strip()
    return None


def parse(kind: str, note: str) -> tuple[dict, str] | None:
    """(params, the note that remains) for a text the code wrote for a step of `kind`, or None."""
    if kind == "lodged" and note in PHONE_OFFER:
        return {"phone_offer": True}, ""
    if kind == "ruling" and note in RULINGS:
        return {"ruling": RULINGS[note]}, ""
    if kind == "ruling_communicated" and (note in ONE_LETTER or COACH_LETTERS.match(note)):
        return {"coach_letter": note not in ONE_LETTER}, ""
    if kind == "extended" and (found := EXTENDED.match(note)):
        return {"new_date": found[1], "told_via": TOLD_VIA[found[2]]}, (found[3] or "").strip()
    if kind == "aftercare":
        return _labelled(note, CALLS)
    if kind == "closed" and (found := _labelled(note, OUTCOMES)):
        return {"outcome": found[0]}, found[1]
    return None


def to_codes(apps, schema_editor):
    from coachdossier.clients.crypto import KeyDestroyed
    from coachdossier.complaints import sealing

    Event = apps.get_model("complaints", "ComplaintEvent")
    events = (Event.objects.filter(kind__in=KINDS, complaint__content_removed_at__isnull=True)
              .exclude(sealed_note=b"").select_related("complaint__client"))
    for event in events.iterator(chunk_size=500):
        complaint, aad = event.complaint, f"complaint-event:{event.public_id}"
        try:
            note = sealing.open_json(complaint, event.sealed_note, aad).get("note", "")
        except (KeyDestroyed, InvalidTag, ValueError):
            continue
        found = parse(event.kind, note)
        if found is None:
            continue
        event.params, rest = found
        event.sealed_note = sealing.seal_json(complaint, {"note": rest}, aad) if rest else b""
        event.save(update_fields=["params", "sealed_note"])


def _dutch(labels: dict, value) -> str:
    """The Dutch text for a code (in each table the Dutch entries come after the English)."""
    return [label for label, code in labels.items() if code == value][-1]


def to_text(apps, schema_editor):
    """Back: the codes become the Dutch text (the practice's language) the code wrote before."""
    from coachdossier.complaints import sealing

    Event = apps.get_model("complaints", "ComplaintEvent")
    events = (Event.objects.filter(kind__in=KINDS, complaint__content_removed_at__isnull=True).exclude(params={})
              .select_related("complaint__client", "complaint__coach"))
    for event in events.iterator(chunk_size=500):
        complaint, aad, p = event.complaint, f"complaint-event:{event.public_id}", event.params
        rest = sealing.open_json(complaint, event.sealed_note, aad).get("note", "") if event.sealed_note else ""
        if event.kind == "lodged":
            text = PHONE_OFFER[1]
        elif event.kind == "ruling":
            text = _dutch(RULINGS, p["ruling"])
        elif event.kind == "ruling_communicated":
            text = (f"Brieven met de uitspraak aan de klager en aan de coach {complaint.coach.full_name}."
                    if p["coach_letter"] else ONE_LETTER[1])
        elif event.kind == "extended":
            text = f"{p['new_date']} ({_dutch(TOLD_VIA, p['told_via'])})" + (f": {rest}" if rest else "")
        elif event.kind == "aftercare":
            text = f"{_dutch(CALLS, {'reached': p['reached'], 'satisfied': p['satisfied']})}. {rest}".strip()
        else:
            text = f"{_dutch(OUTCOMES, p['outcome'])}. {rest}".strip()
        event.sealed_note = sealing.seal_json(complaint, {"note": text}, aad)
        event.params = {}
        event.save(update_fields=["params", "sealed_note"])


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0005_event_params"),
        ("clients", "0001_initial"),
    ]

    operations = [migrations.RunPython(to_codes, to_text)]
