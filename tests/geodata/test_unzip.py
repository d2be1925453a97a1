"""Attack: a 2 MB zip that lies about its members' sizes took a worker to about 2 GB. The
one unzip streams and counts what members actually produce; these zips are refused
quickly, and the tests measure that it stops early with bounded memory."""

from __future__ import annotations

import bz2
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from geodata.scenarios.upload import UploadError, read_candidates
from geodata.unzip import UnzipError, ZipLimits, extract

MB = 2**20


def deflated_zeros(megabytes: int) -> bytes:
    """A raw deflate stream of ``megabytes`` MB of zeros, built without compressing them
    all: one fully flushed 1 MB block is self-contained, so it can be repeated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = packer.compress(bytes(MB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return piece * megabytes + b"\x03\x00"  # then an empty final block


def raw_zip(members: list[tuple[str, int, bytes, int]], crc: int = 0) -> bytes:
    """A zip written by hand: (name, method, compressed data, DECLARED size) per member,
    so the declared size can lie; every member declares checksum ``crc``."""
    body, central = b"", b""
    for name, method, data, declared in members:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data),
                            declared, len(encoded), 0) + encoded + data  # fmt: skip
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc,
                               len(data), declared, len(encoded), 0, 0, 0, 0, 0,
                               offset) + encoded  # fmt: skip
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                      len(body), 0)  # fmt: skip
    return body + central + end


@pytest.fixture(scope="module")
def two_gb() -> bytes:
    data = deflated_zeros(2048)
    assert len(data) < 2.5 * MB  # a 2 MB zip ...
    assert len(zlib.decompressobj(-15).decompress(data[: 64 * 1024], 64 * MB)) > 60 * MB
    return data  # ... of 2 GB


def _refuse(content: bytes) -> tuple[str, float, int]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(UploadError) as raised:
            read_candidates(content, "bomb.zip")
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(raised.value), seconds, peak


def test_a_2_mb_zip_of_2_gb_declared_small_is_refused_quickly(two_gb: bytes) -> None:
    bomb = raw_zip([("c.shp", zipfile.ZIP_DEFLATED, two_gb, 1000),
                    ("c.dbf", zipfile.ZIP_DEFLATED, two_gb, 1000)])  # fmt: skip
    message, seconds, peak = _refuse(bomb)
    assert "inflates more than 100 times" in message
    assert seconds < 5 and peak < 20 * MB, (seconds, peak)


def test_a_2_mb_zip_of_2_gb_stops_at_the_ratio_limit(two_gb: bytes, tmp_path: Path) -> None:
    """Declared sizes honest this time (or lying high): the bytes actually produced are
    counted, and extraction stops a few MB in, not at 2 GB."""
    for declared in (2048 * MB, 0xFFFFFFFF):
        archive = tmp_path / "bomb.zip"
        archive.write_bytes(raw_zip([("c.shp", zipfile.ZIP_DEFLATED, two_gb, declared)]))
        seen: list[int] = []
        with pytest.raises(UnzipError, match="inflates more than 100 times"):
            extract(archive, {"c.shp": tmp_path / "out.shp"}, ZipLimits(), seen.append)
        assert max(seen) <= ZipLimits().ratio_from_bytes + 64 * 1024  # stopped early
        assert (tmp_path / "out.shp").stat().st_size < 9 * MB
        message, seconds, peak = _refuse(archive.read_bytes())
        assert "inflates more than 100 times" in message
        assert seconds < 5 and peak < 20 * MB, (seconds, peak)


def test_the_total_is_counted_across_members(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    parts = [(f"c{i}.bin", zipfile.ZIP_DEFLATED, deflated_zeros(3), 10) for i in range(4)]
    archive.write_bytes(raw_zip(parts))
    targets = {name: tmp_path / name for name, *_ in parts}
    limits = ZipLimits(total_bytes=5 * MB, ratio=1e9)
    with pytest.raises(UnzipError, match="damaged"):  # declared 10 bytes: a checksum lie
        extract(archive, targets, limits)
    honest = raw_zip([(n, m, d, 3 * MB) for n, m, d, _ in parts], zlib.crc32(bytes(3 * MB)))
    archive.write_bytes(honest)
    extract(archive, dict(list(targets.items())[:1]), limits)  # one honest member is fine
    assert (tmp_path / "c0.bin").read_bytes() == bytes(3 * MB)
    with pytest.raises(UnzipError, match="unpacks to more than 5 MB"):
        extract(archive, targets, limits)


def test_bzip2_members_are_refused_before_inflating(tmp_path: Path) -> None:
    """Python inflates a bzip2 member in one unbounded step: 4 KB can become 256 MB."""
    data = bz2.compress(bytes(32 * MB), 9)
    assert len(data) < 1000
    bomb = raw_zip([("c.shp", zipfile.ZIP_BZIP2, data, 100)])
    message, seconds, peak = _refuse(bomb)
    assert "compressed with method 12; only stored or deflated" in message
    assert peak < 8 * MB, peak


def test_too_many_entries(tmp_path: Path) -> None:
    entries = [(f"f{i}.txt", zipfile.ZIP_STORED, b"x", 1) for i in range(101)]
    message, _, _ = _refuse(raw_zip(entries))
    assert message == "the zip lists 101 entries; at most 100"
