"""The one check for names and free text a user gives (API JSON, web forms, uploads, CLI).

Limits are counted in characters *and* UTF-8 bytes, so SQLite (which counts nothing) and
PostgreSQL (which counts characters and refuses NUL) store exactly the same things. Control
characters, NUL and lone surrogates are refused: they break XLSX files, terminals, logs and
PostgreSQL text columns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import BoundaryLabError

#: The database's name columns are 200 characters.
NAME_CHARS = 200
DESCRIPTION_CHARS = 5_000
#: Codes (ONS, ODS, place codes) and small identifiers such as a property name.
CODE_CHARS = 100
#: A new ICB's name as moves and uploads give it.
ICB_NAME_CHARS = 150


class TextError(BoundaryLabError):
    """A name or free text is unusable; the message names the field."""


@dataclass(frozen=True)
class TextRule:
    max_chars: int
    max_bytes: int
    multiline: bool = False  # line breaks and tabs allowed (descriptions, notes)


NAME = TextRule(NAME_CHARS, 4 * NAME_CHARS)
DESCRIPTION = TextRule(DESCRIPTION_CHARS, 4 * DESCRIPTION_CHARS, multiline=True)
CODE = TextRule(CODE_CHARS, CODE_CHARS * 4)
ICB_NAME = TextRule(ICB_NAME_CHARS, 4 * ICB_NAME_CHARS)
#: An uploaded file's name (the uploads table's column is 300 characters).
FILE_NAME = TextRule(300, 1_200)
#: A whole uploaded text file (a blocks CSV): lines of printable text.
TEXT_FILE = TextRule(50_000_000, 50_000_000, multiline=True)

_ALLOWED_WHITESPACE = {"\n", "\t", "\r"}
# C0 and C1 controls, DEL, and the UTF-16 surrogate range (only lone ones reach a str).
_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _describe(char: str) -> str:
    point = f"U+{ord(char):04X}"
    if char == "\x00":
        return f"a NUL character ({point})"
    if 0xD800 <= ord(char) <= 0xDFFF:
        return f"a lone surrogate ({point})"
    name = unicodedata.name(char, "")
    return f"a control character ({point}{', ' + name if name else ''})"


def check_text(value: object, field: str, rule: TextRule = NAME, *, required: bool = True) -> str:
    """``value`` stripped of surrounding whitespace, or a TextError that names ``field``,
    says what is wrong, where, and what is allowed."""
    problem = text_problem(value, rule, required=required)
    if problem:
        raise TextError(f"{field} {problem}")
    return str(value or "").strip()


def text_problem(value: object, rule: TextRule = NAME, *, required: bool = True) -> str | None:
    """What is wrong with ``value`` as text under ``rule``, said of it without its name
    ("is 201 characters long; at most 200"), or None when it is fine. ``check_text`` and
    the API's request models put the field's name (or JSON path) in front."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return f"must be text, got {type(value).__name__}"
    # Count before stripping: a huge string of spaces is refused, not silently shortened.
    if len(value) > rule.max_chars:
        return f"is {len(value):,} characters long; at most {rule.max_chars:,}"
    for match in _BAD.finditer(value):
        char = match.group()
        if rule.multiline and char in _ALLOWED_WHITESPACE:
            continue
        allowed = "line breaks and tabs are the only control characters allowed" \
            if rule.multiline else "names are one line of printable text"  # fmt: skip
        return f"has {_describe(char)} at character {match.start() + 1}; {allowed}"
    size = len(value.encode("utf-8"))
    if size > rule.max_bytes:
        return f"is {size:,} bytes in UTF-8; at most {rule.max_bytes:,}"
    if required and not value.strip():
        return "is empty; give some text"
    return None


def check_name(value: object, field: str, *, required: bool = True) -> str:
    return check_text(value, field, NAME, required=required)


def check_description(value: object, field: str = "description") -> str:
    return check_text(value, field, DESCRIPTION, required=False)


def decode_text(content: bytes, source: str) -> str:
    """An uploaded text file as str: UTF-8 (a BOM is dropped), refused with the byte offset
    when it is binary or in another encoding."""
    if b"\x00" in content:
        raise TextError(f"{source} holds NUL bytes: it is a binary file, not a UTF-8 CSV")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextError(f"{source} is not UTF-8 text (byte {exc.start + 1:,} cannot be "
                        "decoded); save it as CSV UTF-8") from None  # fmt: skip
    return text
