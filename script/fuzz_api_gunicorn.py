"""gunicorn settings for script/fuzz-api only: it sends thousands of calls a minute with one
token per role, far past the API's rate limit (coachdossier/api/throttling.py), which would
turn most of the run into 429s. Each worker raises the limits once it has loaded the app,
as the `api_limits_raised` fixture does in the test suite; production has no such switch."""


def post_worker_init(worker):
    from coachdossier.api.throttling import THROTTLES

    for throttle in THROTTLES:
        throttle.num_requests = 1_000_000
