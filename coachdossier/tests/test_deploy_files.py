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


def test_no_request_log_keeps_the_query_string_where_the_client_search_puts_a_name():
    """GC-2.3: the client search is `GET /clients/?q=<name>`. nginx's default log format and
    gunicorn's access log (`--access-logfile -`, to the journal) kept the whole request line
    and the referrer, so a client's name stayed in logs that are copied and never shredded."""
    site = (DEPLOY / "coachdossier.nginx").read_text()
    [fmt] = re.findall(r"log_format coachdossier ((?:'[^']*'\s*)+);", site)
    for variable in ("$request ", "$request\"", "$request_uri", "$args", "$query_string", "$arg_", "$http_referer"):
        assert variable not in fmt, variable
    assert "$uri" in fmt and "$status" in fmt
    servers = site.split("server {")[1:]
    assert len(servers) == 2
    for server in servers:
        assert "access_log /var/log/nginx/coachdossier-access.log coachdossier;" in server
        assert "server_tokens off;" in server  # the http -> https answer named nginx's version
    service = (DEPLOY / "coachdossier.service").read_text()
    assert "--access-logfile" not in service and "--access-logformat" not in service


def documented_commands() -> set[str]:
    """`coachdossier NAME` and `manage.py NAME` in README.md and docs/, and the first column of
    docs/deploy.md's command table."""
    root = DEPLOY.parent
    names = set()
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        text = path.read_text()
        names |= set(re.findall(r"`(?:coachdossier|manage\.py) ([a-z_]+)", text))
        if path.name == "deploy.md":
            table = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
            names |= set(re.findall(r"^\| `([a-z_]+)", table, re.M))
    return names


def test_every_command_the_docs_name_exists_and_answers_help():
    """An operator types what docs/deploy.md says: every command it names must be there, and
    its --help must work (a wrong name in the docs is found here, not on the night it is needed)."""
    import contextlib
    import io

    from django.core.management import ManagementUtility, get_commands

    names = documented_commands()
    assert {"run_daily", "backup", "restore", "create_account", "disable_account", "verify_access_log"} <= names
    assert sorted(names - set(get_commands())) == []
    for name in sorted(names):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            ManagementUtility(["coachdossier", name, "--help"]).execute()
        assert f"usage: coachdossier {name}" in out.getvalue(), name


def test_the_example_policy_file_loads_and_names_a_practice_of_its_own():
    """deploy/policy.example.toml is what COACHDOSSIER_POLICY_FILE points at in env.example."""
    from coachdossier import policy

    example = policy.load(str(DEPLOY / "policy.example.toml"))
    assert policy.demo_identity(example) == []
    assert policy.demo_identity(policy.Policy()) == list(policy.IDENTITY)
    assert assignments(DEPLOY / "env.example")["COACHDOSSIER_POLICY_FILE"] == "/etc/coachdossier/policy.toml"
