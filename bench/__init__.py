"""`make bench`: speed figures as ratios against a floor measured in the same run.

Absolute timings depend on the machine and its load; a ratio of our code path to the bare SQL
query that fetches the same rows, both measured seconds apart, holds on a noisy 2-core box.
Each area contributes a module with `run(report)`; SECTIONS lists them in order.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

SECTIONS: list[str] = ["okrs", "kanban", "funding", "rollups", "overview"]


def measure(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of `fn` in seconds over `repeat` runs, after `warmup` unmeasured runs."""
    for _ in range(warmup):
        fn()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


@dataclass
class Report:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)

    def ratio(self, figure: str, *, seconds: float, floor_seconds: float, floor: str) -> None:
        """One line: our time, the floor's time, and their ratio (the figure that matters)."""
        ratio = seconds / floor_seconds if floor_seconds else float("inf")
        self.rows.append(
            (figure, f"{seconds * 1000:.1f} ms", f"{floor_seconds * 1000:.1f} ms ({floor})", f"{ratio:.1f}x")
        )

    def value(self, figure: str, value: str) -> None:
        self.rows.append((figure, value, "", ""))

    def print(self) -> None:
        headers = ("figure", "ours", "floor", "ratio")
        widths = [max(len(str(row[i])) for row in [headers, *self.rows]) for i in range(4)]
        line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
        print(line)
        print("-" * len(line))
        for row in self.rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
