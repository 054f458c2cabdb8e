"""Production settings (DEBUG=false, from the environment) for the gunicorn that the browser
tests drive with COACHDOSSIER_BROWSER_SERVER=gunicorn (see production_server.py), changed in
two ways only, so that the same tests pass against it:

- the language the test process asks for (the suite asserts English source strings, and
  test_browser.py the Dutch default);
- MD5 added *after* the production hashers, so that users the test process created with the
  suite's fast hasher can log in (their hash is upgraded to Argon2 on the first login)."""

import os

from coachdossier.settings import *  # noqa: F401,F403
from coachdossier.settings import PASSWORD_HASHERS

LANGUAGE_CODE = os.environ["COACHDOSSIER_TEST_LANGUAGE"]
PASSWORD_HASHERS = [*PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
