"""Vintage declarations: the shipped ones parse; a new one needs a file, not code."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic import VINTAGE_TOML

from geodata.config import available_vintages, get_vintage, parse_vintage
from geodata.errors import ConfigError, UnknownNameError


def test_shipped_vintages_declare_every_layer() -> None:
    vintages = available_vintages()
    assert {"2022", "2024"} <= set(vintages)
    for config in vintages.values():
        assert set(config.layers) >= {"ltla", "utla", "icb", "sicbl"}
        assert config.population_source


def test_a_new_vintage_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "icb2026.toml").write_text(VINTAGE_TOML.replace('"tiny"', '"2026"'))
    monkeypatch.setenv("BOUNDARY_LAB_VINTAGES", str(tmp_path))
    assert "2026" in available_vintages()
    assert get_vintage("2026").title == "Tiny synthetic vintage"


def test_unknown_vintage_lists_valid_names() -> None:
    with pytest.raises(UnknownNameError, match=r"unknown vintage '1999'; valid: .*2022, 2024"):
        get_vintage("1999")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace('name = "tiny"', ""), "needs 'name'"),
        (lambda t: t.replace('on = "ltla"', 'on = "ward"'), "'ward'; valid: lsoa, ltla"),
        (lambda t: t.replace("layers.utla", "layers.county"), "layers.county is not a layer"),
        (lambda t: t.replace('value = "All Ages"', "value = 3"), "must be a non-empty string"),
        (lambda t: t.replace("[population]", "[people]"), "needs a [population] table"),
        (lambda t: t + "[[lookups]]\nfile='x.csv'\non='region'\nkey='R'\n"
                       "layers.icb={code='a', name='b'}\n", "which no earlier lookup provides"),
        (lambda t: t + "[[lookups]]\nfile='x.csv'\non='ltla'\nkey='R'\n"
                       "layers.icb={code='a', name='b'}\n", "'icb' is declared twice"),
        (lambda t: t.replace("[blocks]", "[blocks"), "not valid TOML"),
    ],
)
def test_bad_declarations_are_refused(tmp_path: Path, edit, message: str) -> None:  # noqa: ANN001
    path = tmp_path / "bad.toml"
    path.write_text(edit(VINTAGE_TOML))
    with pytest.raises(ConfigError) as caught:
        parse_vintage(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
