"""Probe every API operation whose only path parameter is a client id with the other clients'
ids (script/fuzz-api): the answer must be 403 or 404 and carry none of their data.

Usage: fuzz_api_probe.py BASE_URL ROLE_JSON COUNTER_FILE
"""

import json
import sys
import urllib.error
import urllib.request

base, role_file, counter_file = sys.argv[1:4]
role = json.load(open(role_file))
schema = json.load(urllib.request.urlopen(f"{base}/api/openapi.json"))
forbidden = [s.lower() for s in role["ids"] + role["markers"]]
failures = 0
probes = 0
with open(counter_file, "a") as counter:
    for path, operations in schema["paths"].items():
        if "{client_id}" not in path or path.count("{") != 1 or "get" not in operations:
            continue
        for client_id in role["ids"][:5]:
            url = base + path.replace("{client_id}", client_id)
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {role['token']}"})
            try:
                response = urllib.request.urlopen(request)
                status, body = response.status, response.read().decode()
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
            probes += 1
            counter.write(f"GET {path} {status}\n")
            leaked = [s for s in forbidden if s != client_id.lower() and s in body.lower()]
            if status not in (403, 404) or leaked:
                failures += 1
                print(f"PROBE FAIL GET {url}: {status} leaked={leaked[:3]}")
print(f"probes with other clients' ids: {probes}, failures: {failures}")
sys.exit(1 if failures else 0)
