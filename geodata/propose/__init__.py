"""Proposals: the smallest change to a base assignment of ICBs that meets chosen rules,
solved exactly as a mixed-integer programme (HiGHS); the answer is an ordinary scenario."""
