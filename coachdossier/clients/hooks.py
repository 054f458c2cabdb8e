"""Explicit extension points for apps that come after client records.

Dependencies point one way (clients <- complaints, ...), yet opening a trajectory must also
send the complaints procedure (KR-3.1). Later apps register a function here in their
AppConfig.ready(); it runs inside the same transaction as the action that calls it, so
the step is part of the same all-or-nothing change (unlike a signal, the list is explicit
and tested)."""

TRAJECTORY_OPENED: list = []  # fn(*, trajectory, actor, now)
# fn(*, client, today) -> str | None: a reason the client's data must be kept (an open
# complaint, a legal hold, a pending UWV hand-over). Destruction waits while any says so.
DESTRUCTION_BLOCKERS: list = []
# fn(*, client, actor, now): delete the app's own rows for this client (questionnaire
# answers, measurements, reports, messages...). Runs inside the destruction's transaction.
CLIENT_DESTROYED: list = []
# fn(*, coach, today) -> str | None: why this coach may not be given a new client today (the
# coach registry: registration, fee, insurance; GC-0.3, GC-4.4). The first reason refuses.
ASSIGNMENT_REFUSALS: list = []


def trajectory_opened(*, trajectory, actor, now):
    for fn in TRAJECTORY_OPENED:
        fn(trajectory=trajectory, actor=actor, now=now)


def assignment_refusal(*, coach, today) -> str | None:
    return next((reason for fn in ASSIGNMENT_REFUSALS if (reason := fn(coach=coach, today=today))), None)


def destruction_blockers(*, client, today) -> list[str]:
    return [reason for fn in DESTRUCTION_BLOCKERS if (reason := fn(client=client, today=today))]
