"""Named members of an untrusted zip archive, read with running byte caps instead of the sizes the zip declares.

A zip's central directory declares each member's size, and `ZipFile.read` inflates a member in one call: a
2 kB bzip2 member that declares a small size can still inflate to gigabytes. Here only stored and deflated
members are read (what Keras and every zip tool write), never encrypted ones, in chunks, counting the bytes that
actually come out against a cap per member, a cap for all of them and a cap on how much a member may grow.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

CHUNK = 64 * 1024
# The records that say how many members there are (APPNOTE 4.3.16, 4.3.15, 4.3.14): read before anything else.
END_RECORD = struct.Struct("<4s4H2LH")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_RECORD = struct.Struct("<4sQ2H2L2Q2Q")
ENCRYPTED = 0x1  # general purpose flag bit 0
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class ZipRefused(ValueError):
    """The archive breaks one of the caps: a plain reason for the visitor."""


class ZipDamaged(ZipRefused):
    """The archive cannot be read as a zip, or a part of it is broken."""


@dataclass(frozen=True)
class ZipCaps:
    """What one archive may hold: how many members, how many bytes once inflated, and how much a member may grow."""

    entries: int = 64
    total_bytes: int = 40 * 1024 * 1024
    growth: int = 100  # inflated bytes per stored byte, checked once a member has inflated past `growth_from`
    growth_from: int = 1024 * 1024


def read_members(data: bytes, wanted: dict[str, int], caps: ZipCaps = ZipCaps()) -> dict[str, bytes]:
    """The members named in `wanted` (name -> its own byte cap), each read in full; ZipRefused for anything else.

    Members not wanted are never inflated; a wanted member that is missing is simply left out of the result.
    """
    declared = _declared_entries(data)  # before zipfile reads the whole central directory
    if declared is not None and declared > caps.entries:
        raise ZipRefused(f"it holds {declared:,} files; a model holds a handful")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise ZipDamaged("not a readable zip archive") from error
    with archive:
        infos = archive.infolist()
        if len(infos) > caps.entries:
            raise ZipRefused(f"it holds {len(infos):,} files; a model holds a handful")
        found = {info.filename: info for info in infos if info.filename in wanted}
        total = 0
        members = {}
        for name, info in found.items():
            members[name] = _read_member(archive, info, min(wanted[name], caps.total_bytes - total), caps)
            total += len(members[name])
    return members


def _declared_entries(data: bytes) -> int | None:
    """How many members the end-of-central-directory record declares (zip64's when it defers to it), or None."""
    tail_start = max(0, len(data) - END_RECORD.size - 0xFFFF)  # the record, then a comment of up to 64 kB
    at = data.rfind(b"PK\x05\x06", tail_start)
    if at < 0 or at + END_RECORD.size > len(data):
        return None
    entries = END_RECORD.unpack_from(data, at)[4]
    locator = at - ZIP64_LOCATOR.size
    if entries == 0xFFFF and locator >= 0 and data.startswith(b"PK\x06\x07", locator):
        offset = ZIP64_LOCATOR.unpack_from(data, locator)[2]
        if 0 <= offset <= len(data) - ZIP64_RECORD.size and data.startswith(b"PK\x06\x06", offset):
            entries = ZIP64_RECORD.unpack_from(data, offset)[7]
    return entries


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, caps: ZipCaps) -> bytes:
    """One member inflated chunk by chunk, refused as soon as it passes `cap` or grows too much."""
    if info.flag_bits & ENCRYPTED:
        raise ZipRefused(f"its part {info.filename} is encrypted")
    if info.compress_type not in METHODS:
        raise ZipRefused(f"its part {info.filename} is packed in a way model files never are")
    out = bytearray()
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                out += chunk
                if len(out) > cap:
                    raise ZipRefused(f"its part {info.filename} is far larger than a model of this playground")
                if len(out) > caps.growth_from and len(out) > caps.growth * max(info.compress_size, 1):
                    raise ZipRefused(f"its part {info.filename} inflates far more than real model files do")
    except ZipRefused:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as error:
        raise ZipDamaged(f"its part {info.filename} is damaged") from error
    return bytes(out)
