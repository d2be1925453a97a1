"""Downloadable report files (CSV, XLSX) of a split or typology, for reviewers.

A report has to stand on its own once it is emailed around: human column headers, the
numbers as numbers (shares stay fractions, formatted as percentages in Excel), and the
vintage, sources, method and attribution inside the file. openpyxl is imported only when
an XLSX is made, so importing this module stays cheap.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from . import __version__
from .layers import LAYERS
from .output import flat, plain
from .provenance import Provenance
from .splits import SplitResult
from .spreadsheet import neutralise, neutralise_frame, xlsx_value
from .typology import TypologyResult

Result = SplitResult | TypologyResult

#: Short labels for headers; ``LAYERS`` holds the long ones, used for any other layer.
LAYER_LABELS = {
    "utla": "Upper-tier LA",
    "ltla": "Lower-tier LA",
    "icb": "ICB",
    "sicbl": "Sub-ICB location",
    "region": "Region",
}

#: Cell formats by column kind: "int" is a population, "count" a small whole number.
NUMBER_FORMATS = {
    "percent": "0.0%",
    "int": "#,##0",
    "count": "0",
    "ratio": "0.000",
    "text": "General",
}


def _label(layer: str) -> str:
    return LAYER_LABELS.get(layer) or (LAYERS[layer].label if layer in LAYERS else layer)


def _lower(label: str) -> str:
    """'Upper-tier LA' -> 'upper-tier LA', but 'ICB' stays: for use inside a sentence."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def _single_unit(result: SplitResult) -> tuple[str, str] | None:
    """(code, name) when the split holds one ``by`` unit (one area), else None."""
    codes = result.frame["by_code"].unique()
    if len(codes) != 1:
        return None
    names = result.frame.get("by_name", result.frame["by_code"])
    return str(codes[0]), str(names.iloc[0])


def report_title(result: Result) -> str:
    if isinstance(result, TypologyResult):
        return f"Coterminosity typology of {_lower(_label(result.la_layer))}s and ICSs"
    across = _lower(_label(result.across))
    one = _single_unit(result)
    if one is not None:
        return f"Population of {one[1]} ({one[0]}) by {across}"
    return f"Population of each {_lower(_label(result.by))} by {across}"


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", part).strip(".-") or "x"


def report_filename(kind: str, result: Result, ext: str) -> str:
    """E.g. 'splits_utla_by_icb_E10000012_2022.csv': says what it holds, safe as a path."""
    if isinstance(result, TypologyResult):
        parts = [kind, result.la_layer]
    else:
        one = _single_unit(result)
        parts = [kind, result.by, "by", result.across, *([one[0]] if one else [])]
    parts.append(result.provenance.vintage)
    return "_".join(_safe(p) for p in parts) + "." + _safe(ext.lstrip(".").lower())


def _columns(result: Result) -> dict[str, tuple[str, str]]:
    """Frame column -> (header, kind), in report order."""
    if isinstance(result, SplitResult):
        by, across = _label(result.by), _label(result.across)
        return {
            "by_code": (f"{by} code", "text"),
            "by_name": (f"{by} name", "text"),
            "across_code": (f"{across} code", "text"),
            "across_name": (f"{across} name", "text"),
            "population": ("Population", "int"),
            "share": (f"Share of {_lower(by)} population", "percent"),
            "by_population": (f"{by} population", "int"),
            "split": (f"{by} split?", "text"),
        }
    la = _label(result.la_layer)
    return {
        "code": (f"{la} code", "text"),
        "name": (f"{la} name", "text"),
        "type": ("Type", "count"),
        "type_label": ("Type description", "text"),
        "main_icb_code": ("Main ICB code", "text"),
        "main_icb_name": ("Main ICB name", "text"),
        "main_share": (f"Share of {_lower(la)} in main ICB", "percent"),
        "share_of_icb": (f"{la} share of main ICB population", "percent"),
        "other_las": ("Other LAs served by main ICB", "count"),
        "other_la_names": ("Other LA names", "text"),
        "icb_count": ("Number of ICBs", "count"),
        "elsewhere": ("Shares in other ICBs", "text"),
        "population": ("Population", "int"),
        "notes": ("Notes", "text"),
    }


def report_table(result: Result) -> tuple[pd.DataFrame, dict[str, str]]:
    """The data sheet: human headers, lists joined with '; ', and header -> kind
    ("text", "int", "percent", "count"). Unknown columns are kept under their own name,
    so a column added to a result is not silently dropped from reports. A split gets a
    "split?" column: "yes" on every row of a unit in more than one ``across`` unit."""
    frame = result.frame
    if isinstance(result, SplitResult):
        parts = frame.groupby("by_code")["across_code"].transform("size")
        frame = frame.assign(split=(parts > 1).map({True: "yes", False: "no"}))
    known = _columns(result)
    order = [c for c in known if c in frame.columns] + [c for c in frame if c not in known]
    table, kinds = {}, {}
    for c in order:
        integer = pd.api.types.is_integer_dtype(frame[c])
        header, kind = known.get(c, (c, "count" if integer else "text"))
        # Object columns hold lists and dicts (typology); flatten them to one text cell.
        table[header] = (
            frame[c].map(lambda v: flat(plain(v))) if frame[c].dtype == object else frame[c]
        )
        kinds[header] = kind
    return pd.DataFrame(table), kinds


def _thresholds(result: Result) -> str | None:
    if not isinstance(result, TypologyResult):
        return None
    t = result.thresholds
    lines = [f"{k} = {v:g}" for k, v in asdict(t).items() if v is not None]
    return "\n".join([*lines, f"other LAs: {t.other_la_rule()}"])


def _about(result: Result, generated_at: datetime | None) -> list[tuple[str, str]]:
    """(label, text) rows that say what the report is, shared by CSV and XLSX.
    A naive ``generated_at`` is taken to be UTC already."""
    when = generated_at or datetime.now(UTC)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    p = result.provenance
    rows = [
        ("Title", report_title(result)),
        ("Vintage", p.vintage),
        ("Vintage description", p.title or None),
        ("Boundaries", p.boundaries),
        ("Population source", p.population_source),
        ("Method", p.method),
        ("Note", p.note or None),
        ("Thresholds", _thresholds(result)),
        ("Generated (UTC)", when.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("Generated by", f"Boundary Lab {__version__}"),
        ("Attribution", p.attribution),
    ]
    return [(label, text) for label, text in rows if text is not None]


def to_csv_bytes(result: Result, generated_at: datetime | None = None) -> bytes:
    """The table alone, headers in words, so it opens cleanly in any spreadsheet; what it
    is (vintage, sources, method) comes in its companion ``about_text_bytes``. UTF-8 with
    a BOM so Excel reads it as UTF-8."""
    table, _ = report_table(result)
    body = neutralise_frame(table).to_csv(index=False, lineterminator="\n")
    return body.encode("utf-8-sig")


def about_text(rows: list[tuple[str, str]]) -> bytes:
    """The companion of a CSV: its About rows as plain text, one 'label: text' a line."""
    lines = []
    for label, text in rows:
        first, *rest = str(text).splitlines() or [""]
        lines.append(f"{label}: {first}")
        lines += [f"    {line}" for line in rest]
    return ("\n".join(lines) + "\n").encode("utf-8")


def about_text_bytes(result: Result, generated_at: datetime | None = None) -> bytes:
    return about_text(_about(result, generated_at))


def split_summary(result: SplitResult) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per unit of ``by`` that is split: its population, how many ``across``
    units it lies in, its main one and share there, and the others with their people;
    largest share outside the main unit first. What a reviewer reads first."""
    frame = result.frame
    by, across = _label(result.by), _label(result.across)
    names = "across_name" if "across_name" in frame else "across_code"
    rows = []
    for code, group in frame.groupby("by_code", sort=False):
        if len(group) < 2:
            continue
        rows.append({
            f"{by} code": code,
            f"{by} name": group["by_name"].iloc[0] if "by_name" in group else code,
            f"{by} population": int(group["by_population"].iloc[0]),
            f"Number of {across}s": len(group),
            f"Main {across}": group[names].iloc[0],
            f"Share in main {across}": float(group["share"].iloc[0]),
            f"People outside main {across}": int(group["population"].iloc[1:].sum()),
            f"Other {across}s (people)": "; ".join(
                f"{n} ({int(p):,})" for n, p in zip(group[names].iloc[1:],
                                                    group["population"].iloc[1:], strict=True)),
        })  # fmt: skip
    summary = pd.DataFrame(rows, columns=[
        f"{by} code", f"{by} name", f"{by} population", f"Number of {across}s",
        f"Main {across}", f"Share in main {across}", f"People outside main {across}",
        f"Other {across}s (people)"])  # fmt: skip
    summary = summary.sort_values(f"Share in main {across}", kind="stable", ignore_index=True)
    kinds = dict.fromkeys(summary.columns, "text")
    kinds |= {f"{by} population": "int", f"Number of {across}s": "count",
              f"Share in main {across}": "percent",
              f"People outside main {across}": "int"}  # fmt: skip
    return summary, kinds


def _width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "percent":
        return 7
    return len(f"{value:,}" if kind == "int" else str(value))


def infer_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """Number formats for a frame without declared kinds: shares as percentages,
    counts of people and LSOAs with separators, other decimals to three places."""
    kinds = {}
    for column in frame.columns:
        name = str(column).lower()
        if "share" in name:
            kinds[column] = "percent"
        elif pd.api.types.is_float_dtype(frame[column]) and not any(
            word in name for word in ("population", "people", "change", "min", "max")
        ):
            kinds[column] = "ratio"
        elif pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
            frame[column]
        ):
            kinds[column] = "int"
        else:
            kinds[column] = "text"
    return kinds


def workbook_bytes(
    sheets: list[tuple[str, pd.DataFrame, dict[str, str]]],
    about: list[tuple[str, str]],
    title: str,
) -> bytes:
    """Data sheets (bold frozen header, filter, number formats), then an "About" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)
    for index, (name, table, kinds) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet(name)
        assert sheet is not None
        sheet.title = name
        sheet.append([xlsx_value(str(c)) for c in table.columns])
        for row in table.itertuples(index=False, name=None):
            sheet.append([xlsx_value(flat(plain(v))) for v in row])
        for cell in sheet[1]:
            cell.font = bold
        for i, header in enumerate(table.columns, start=1):
            kind = kinds.get(header, "text")
            widest = max([len(str(header)), *(_width(plain(v), kind) for v in table[header])])
            sheet.column_dimensions[get_column_letter(i)].width = min(widest + 2, 60)
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = NUMBER_FORMATS[kind]
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, never a formula
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions

    sheet = book.create_sheet("About")
    wrap = Alignment(wrap_text=True, vertical="top")
    for label, text in about:
        sheet.append([xlsx_value(label), xlsx_value(text)])
    for label_cell, text_cell in sheet.iter_rows():
        label_cell.font, label_cell.alignment, text_cell.alignment = bold, wrap, wrap
        for cell in (label_cell, text_cell):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 100
    book.properties.title = title
    book.properties.creator = f"Boundary Lab {__version__}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xlsx_bytes(result: Result, generated_at: datetime | None = None) -> bytes:
    """A data sheet (bold frozen header, filter, number formats) and an "About" sheet."""
    table, kinds = report_table(result)
    name = "Typology" if isinstance(result, TypologyResult) else "Splits"
    sheets = [(name, table, kinds)]
    if isinstance(result, SplitResult):
        summary, summary_kinds = split_summary(result)
        sheets.insert(0, ("Summary", summary, summary_kinds))
    return workbook_bytes(sheets, _about(result, generated_at), report_title(result))


#: Words kept in capitals when a code-style column name is put into words.
ACRONYMS = {"pcn": "PCN", "pcns": "PCNs", "icb": "ICB", "icbs": "ICBs", "lsoa": "LSOA",
            "lsoas": "LSOAs", "la": "LA", "las": "LAs", "utla": "UTLA", "ltla": "LTLA",
            "sicbl": "SICBL", "ods": "ODS", "gp": "GP", "id": "ID"}  # fmt: skip


def in_words(column: str) -> str:
    """'best_fit_lsoas' -> 'Best fit LSOAs': a header a reader can take in."""
    words = [ACRONYMS.get(w.lower(), w) for w in str(column).split("_") if w]
    if not words:
        return str(column)
    first = words[0]
    words[0] = first if first.isupper() or first in ACRONYMS.values() else first.capitalize()
    return " ".join(words)


def worded(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame with headers in words, and its number formats under them."""
    kinds = infer_kinds(frame)
    names = {c: in_words(c) for c in frame.columns}
    return frame.rename(columns=names), {names[c]: k for c, k in kinds.items()}


def _frame_about(title: str, provenance: Provenance) -> list[tuple[str, str]]:
    return [("Title", title), ("Vintage", provenance.vintage),
            ("Vintage description", provenance.title), ("Boundaries", provenance.boundaries),
            ("Population source", provenance.population_source),
            ("Method", provenance.method),
            *([("Note", provenance.note)] if provenance.note else []),
            ("Generated (UTC)", datetime.now(UTC).isoformat(timespec="seconds")),
            ("Generated by", f"Boundary Lab {__version__}"),
            ("Attribution", provenance.attribution)]  # fmt: skip


def frame_csv_bytes(title: str, frame: pd.DataFrame, provenance: Provenance) -> bytes:
    """Any result frame as CSV, the table alone (like to_csv_bytes); its About rows come
    from ``frame_about_bytes``."""
    out = io.StringIO()
    table, _ = worded(frame)
    cells = table.map(lambda v: neutralise(flat(plain(v))))
    cells.to_csv(out, index=False, lineterminator="\n")
    return out.getvalue().encode("utf-8-sig")


def frame_about_bytes(title: str, provenance: Provenance) -> bytes:
    return about_text(_frame_about(title, provenance))


def frame_xlsx_bytes(title: str, sheet: str, frame: pd.DataFrame, provenance: Provenance) -> bytes:
    return workbook_bytes([(sheet, *worded(frame))], _frame_about(title, provenance), title)
