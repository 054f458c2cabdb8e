"""The files in deploy/ do what docs/deploy.md says, as the machine reads them."""

import re
import subprocess
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def assignments(path: Path) -> dict[str, str]:
    """NAME=value lines as systemd's EnvironmentFile reads them (surrounding quotes removed)."""
    found = {}
    for line in path.read_text().splitlines():
        if match := re.fullmatch(r"([A-Z_][A-Z0-9_]*)=(.*)", line.strip()):
            name, value = match.groups()
            found[name] = value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'" else value
    return found


def test_the_environment_file_means_the_same_to_cron_as_to_systemd():
    """docs/deploy.md runs the jobs from cron as `set -a; . /etc/coachdossier/env; set +a; ...`.
    `DEFAULT_FROM_EMAIL=Praktijk <dossier@example.nl>` is a syntax error in /bin/sh, so with the
    file as shipped the cron lines for run_daily, send_queued_mail and backup never ran."""
    env_file = DEPLOY / "env.example"
    expected = assignments(env_file)
    assert "DEFAULT_FROM_EMAIL" in expected
    script = "set -a; . \"$1\"; set +a; " + "; ".join(
        f"printf '%s\\0' \"${{{name}}}\"" for name in expected)
    done = subprocess.run(["/bin/sh", "-c", script, "sh", str(env_file)], capture_output=True, timeout=10,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr.decode()
    assert dict(zip(expected, done.stdout.decode().split("\0"))) == expected
