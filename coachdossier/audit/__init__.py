"""The access log. Call `audit.record(...)` from the access policy and from actions."""


def record(**kwargs):
    from .log import record as _record

    return _record(**kwargs)


def record_many(**kwargs):
    from .log import record_many as _record_many

    return _record_many(**kwargs)
