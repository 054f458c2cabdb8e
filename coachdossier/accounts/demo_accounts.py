"""The demo practice's accounts (`coachdossier demo`, DEBUG only): the one password they share.

Here rather than in the demo command (clients) because accounts' login page shows it and
accounts imports no later app (coachdossier/tests/test_layering.py). Not `accounts/demo.py`:
the demo command calls `seed()` in every app's module of that name."""

PASSWORD = "demo-wachtwoord-2026"
