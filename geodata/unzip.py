"""The one way an uploaded zip is unpacked: streamed and counted.

Sizes a zip declares are never trusted. Members are inflated here (zlib, bounded output per
step), in small chunks, while the compressed bytes read and the bytes actually produced are
counted, so a zip that lies about its members, or a small zip that
inflates to gigabytes, is stopped as soon as it passes a limit, with memory bounded by
the chunk size. Names in the archive are never used as paths: the caller says where each
member goes.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

CHUNK = 64 * 1024
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class UnzipError(ValueError):
    """The archive is unusable or over a limit; the message says which and why."""


@dataclass(frozen=True)
class ZipLimits:
    members: int = 100  # entries listed in the archive
    total_bytes: int = 150 * 1024 * 1024  # bytes actually produced, all members
    ratio: float = 100.0  # bytes produced per compressed byte read
    ratio_from_bytes: int = 8 * 1024 * 1024  # small outputs may compress well


def list_members(archive: Path, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """The archive's file entries, refused when there are too many or it is no zip."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            infos = zipped.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise UnzipError(f"the file is not a valid zip archive ({exc})") from None
    if len(infos) > limits.members:
        raise UnzipError(f"the zip lists {len(infos):,} entries; at most {limits.members}")
    return [i for i in infos if not i.is_dir()]


@dataclass
class _Count:
    produced: int = 0
    consumed: int = 0


def extract(
    archive: Path,
    members: dict[str, Path],
    limits: ZipLimits,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Copy each named member (archive name -> target path), inflating it here chunk by
    chunk and counting compressed bytes read and bytes produced against ``limits``; a
    member that then differs from its declared size or checksum is refused. ``progress``
    sees the running total produced (tests measure that it stops early)."""
    count = _Count()
    try:
        with zipfile.ZipFile(archive) as zipped:
            infos = {name: zipped.getinfo(name) for name in members}
        with archive.open("rb") as handle:
            for name, target in members.items():
                with target.open("wb") as out:
                    _copy(handle, infos[name], out, count, limits, progress)
    except (zipfile.BadZipFile, zlib.error, KeyError, struct.error) as exc:
        raise UnzipError(f"the zip is damaged ({exc})") from None


def _copy(
    handle: BinaryIO,
    info: zipfile.ZipInfo,
    out: BinaryIO,
    count: _Count,
    limits: ZipLimits,
    progress: Callable[[int], None] | None,
) -> None:
    shown = PurePosixPath(info.filename).name
    if info.compress_type not in METHODS:
        # Never handed to Python's bzip2/LZMA readers: they inflate without an output bound.
        raise UnzipError(f"{shown} is compressed with method {info.compress_type}; only "
                         "stored or deflated zips are accepted")  # fmt: skip
    if info.flag_bits & 0x1:
        raise UnzipError(f"{shown} is encrypted")
    handle.seek(info.header_offset)
    header = handle.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise UnzipError(f"the zip is damaged: no local header for {shown}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, produced, crc = info.compress_size, 0, 0
    while True:
        if inflater is not None and inflater.unconsumed_tail:
            raw = inflater.unconsumed_tail
        elif left > 0:
            raw = handle.read(min(CHUNK, left))
            if not raw:
                raise UnzipError(f"the zip is damaged: {shown} is cut short")
            left -= len(raw)
            count.consumed += len(raw)
        else:
            break
        data = inflater.decompress(raw, CHUNK) if inflater is not None else raw
        produced += len(data)
        count.produced += len(data)
        if progress is not None:
            progress(count.produced)
        _check(count, limits)
        crc = zlib.crc32(data, crc)
        out.write(data)
        if inflater is not None and inflater.eof:
            break
    if inflater is not None and not inflater.eof:
        raise UnzipError(f"the zip is damaged: {shown} is cut short")
    if produced != info.file_size or crc != info.CRC:
        raise UnzipError(f"the zip is damaged or lies: {shown} declares {info.file_size:,} "
                         f"bytes and holds {produced:,}, or fails its checksum")  # fmt: skip


def _check(count: _Count, limits: ZipLimits) -> None:
    produced, consumed = count.produced, count.consumed
    if produced > limits.total_bytes:
        raise UnzipError(f"the zip unpacks to more than {limits.total_bytes // 2**20} MB")
    if produced > limits.ratio_from_bytes and produced > limits.ratio * consumed:
        raise UnzipError(
            f"the zip inflates more than {limits.ratio:g} times ({produced:,} bytes from "
            f"{consumed:,} compressed); a zip bomb is refused"
        )
