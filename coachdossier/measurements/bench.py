"""Workloads for `coachdossier bench` (which times them)."""

from functools import cache

import numpy as np

from . import hrv

BEATS_24H = 100_000


@cache
def synthetic_rr(n: int = BEATS_24H, seed: int = 24) -> bytes:
    """A plain-text RR file of `n` beats (~24 h at ~70 bpm): respiratory (0.25 Hz) and
    slower (0.1 Hz) oscillation, noise, and a few artefacts for the cleaner to remove."""
    rng = np.random.default_rng(seed)
    rr = np.empty(n)
    t = 0.0
    for i in range(n):
        value = 850 + 40 * np.sin(2 * np.pi * 0.25 * t) + 30 * np.sin(2 * np.pi * 0.1 * t) + rng.normal(0, 15)
        rr[i] = value
        t += value / 1000
    rr[rng.choice(n, size=n // 500, replace=False)] = 3000  # dropouts, 0.2%
    return "\n".join(f"{v:.0f}" for v in rr).encode()


def analyse_24h() -> dict:
    """Parse and analyse a synthetic 24-hour recording, as an RR upload does."""
    series = hrv.parse_rr(synthetic_rr(), "bench-24h.txt")
    result = hrv.analyse(series)
    hrv.tachogram_points(series)
    hrv.power_spectrum(series)
    return result.to_dict()
