"""Roles, lowest to highest: each role can do everything the ones before it can.

viewer reads; analyst also writes (scenarios, places); reviewer also signs off reviews;
admin also manages tokens and reads the audit log.
"""

ROLES: tuple[str, ...] = ("viewer", "analyst", "reviewer", "admin")


def rank(role: str) -> int:
    return ROLES.index(role)


def at_least(role: str, required: str) -> bool:
    return rank(role) >= rank(required)
