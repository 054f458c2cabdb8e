"""Explicit extension points for apps that come after client records.

Dependencies point one way (clients <- complaints, ...), yet opening a trajectory must also
send the complaints procedure (KR-3.1). Later apps register a function here in their
AppConfig.ready(); it runs inside the same transaction as the action that calls it, so
the step is part of the same all-or-nothing change (unlike a signal, the list is explicit
and tested)."""

TRAJECTORY_OPENED: list = []
CLIENT_DESTROYED: list = []


def trajectory_opened(*, trajectory, actor, now):
    for fn in TRAJECTORY_OPENED:
        fn(trajectory=trajectory, actor=actor, now=now)
