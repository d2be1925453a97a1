"""The kinds of building unit a proposal can move whole (no pandas here: the command
line's parser lists them)."""

UNIT_KINDS = ("ltla", "utla", "sicbl", "sa")
UNIT_LABELS = {
    "ltla": "districts",
    "utla": "upper-tier councils",
    "sicbl": "sub-ICB locations",
    "sa": "strategic authorities and the districts outside them",
}
