"""What-if ICB redraws: scenarios, their resolution to LSOAs, evaluation and comparison.

A scenario is immutable data (a base vintage plus changes); resolving it gives one ICB
per LSOA; every metric is a pure function of that assignment and the block table.
"""

from .model import Move, Scenario
from .resolve import Assignment, baseline, resolve

__all__ = ["Assignment", "Move", "Scenario", "baseline", "resolve"]
