"""The one name/text validator: limits in characters and bytes, no control characters,
NUL or lone surrogates, and a message that names the field."""

from __future__ import annotations

import pytest

from geodata.validation import (
    DESCRIPTION,
    NAME,
    TextError,
    check_text,
    decode_text,
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a\x00b", "NUL character (U+0000) at character 2"),
        ("tab\there", "control character (U+0009"),
        ("bell\x07", "control character (U+0007"),
        ("line\nbreak", "control character (U+000A"),
        ("c1\x85", "control character (U+0085"),
        ("del\x7f", "control character (U+007F"),
        ("half \ud83d pair", "lone surrogate (U+D83D) at character 6"),
        ("x" * 201, "is 201 characters long; at most 200"),
        ("   ", "is empty"),
        (12, "must be text, got int"),
    ],
)
def test_bad_names_are_refused_naming_the_field(value: object, message: str) -> None:
    with pytest.raises(TextError) as raised:
        check_text(value, "the scenario's name", NAME)
    assert str(raised.value).startswith("the scenario's name ")
    assert message in str(raised.value)


def test_bytes_limit_is_separate_from_characters() -> None:
    emoji = "\U0001f600" * 200  # 200 characters, 800 bytes: exactly at both limits
    assert check_text(emoji, "n", NAME) == emoji
    rule = type(NAME)(max_chars=10, max_bytes=12)
    assert check_text("ééééé", "n", rule) == "ééééé"  # 5 characters, 10 bytes
    with pytest.raises(TextError, match="14 bytes in UTF-8; at most 12"):
        check_text("ééééééé", "n", rule)  # 7 characters, 14 bytes


def test_descriptions_take_line_breaks_but_not_other_controls() -> None:
    assert check_text("one\nтwo\tthree\r\n", "d", DESCRIPTION) == "one\nтwo\tthree"
    with pytest.raises(TextError, match="U\\+001B"):
        check_text("colour \x1b[31m", "d", DESCRIPTION)
    assert check_text(None, "d", DESCRIPTION, required=False) == ""


def test_binary_and_non_utf8_files_are_refused() -> None:
    assert decode_text("\ufeffE01000001,E54000001\n".encode(), "b.csv") == "E01000001,E54000001\n"
    with pytest.raises(TextError, match="b.csv holds NUL bytes"):
        decode_text(b"PK\x03\x04\x00\x00binary", "b.csv")
    with pytest.raises(TextError, match="byte 11 cannot be decoded"):
        decode_text(b"E01000001,\xff\xfe", "b.csv")
