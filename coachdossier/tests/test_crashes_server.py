"""SIGKILL a real gunicorn in the middle of saving an entry, sending a report and a
destruction, and kill a running backup (script/crashtest-server, see docs/reliability.md).
Each case seeds a scratch practice and restarts the server after every kill, a minute or
more per case, so it is opt-in:

    COACHDOSSIER_SERVER_CRASH_KILLS=3 python -m pytest coachdossier/tests/test_crashes_server.py

It runs on SQLite and, when PostgreSQL answers on 127.0.0.1:5432, on scratch PostgreSQL
databases as well (`script/crashtest-server --database postgres`).
"""

import os
import sys

import pytest

from coachdossier.test import load_script

KILLS = int(os.getenv("COACHDOSSIER_SERVER_CRASH_KILLS", "0"))


@pytest.mark.skipif(not KILLS, reason="opt-in: set COACHDOSSIER_SERVER_CRASH_KILLS (script/crashtest-server runs 10)")
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_killed_server_leaves_nothing_half_done_and_every_interrupted_request_completes_when_re_run(database):
    crashtest_server = load_script("crashtest_server")
    if database == "postgres" and not crashtest_server.loadtest.postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    summary = crashtest_server.run(list(crashtest_server.CASES), KILLS, sys.executable, seed=KILLS,
                                   database=database, out=lambda *a: None)
    assert summary["database"] == database
    for name, case in summary["cases"].items():
        assert case["kills"] == case["integrity ok"] == KILLS, name
        assert case["problems"] == [] and case["errors"] == [], name
    assert summary["orphaned files"] == summary["rows without file"] == []
    assert summary["entries without version"] == [] and summary["orphaned keys"] == []
    assert summary["access log verifies"] and summary["integrity at the end"]
    assert summary["passed"]
