"""HJ 212-2017 framing and data segments: what both ends of a device connection read and write.

A packet is ``##`` + 4-digit length + data segment + 4-hex-digit CRC + ``\\r\\n``. The CRC is the
standard's own (register 0xFFFF, polynomial 0xA001 reflected, each step on the register's high
byte), not the Modbus CRC. The data segment is ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]
CP=&&…&&``. Nothing here touches the database: the receiver and the device simulator share it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from gridgov.air.models import CST

HEADER = b"##"
TAIL = b"\r\n"
MAX_SEGMENT = 9999  # bytes of the data segment (the 4 length digits' limit)
CST_OFFSET = 8 * 3600  # China Standard Time, seconds east of UTC
RAW_KEEP = 2048  # bytes of a refused packet kept for the device's fault record
# Flag bits of the packet (not of a value).
FLAG_ANSWER = 1  # A: the device wants an answer
FLAG_SPLIT = 2  # D: split packet, PNUM/PNO follow
FLAG_V2017 = 4  # protocol version 1 (2017) in bits 2–7


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        register = byte
        for _ in range(8):
            lsb = register & 1
            register >>= 1
            if lsb:
                register ^= 0xA001
        table.append(register)
    return table


_TABLE = _crc_table()


def crc16(data: bytes) -> int:
    """The HJ 212 CRC of a data segment: for each byte, register = (register >> 8) ^ b, then
    eight reflected shifts with 0xA001 — which the table holds for each value of that byte
    (the register's high byte is zero after the first shift)."""
    register = 0xFFFF
    table = _TABLE
    for b in data:
        register = table[(register >> 8) ^ b]
    return register


def crc_modbus(data: bytes) -> int:
    """The Modbus CRC-16 (register ^= byte, then eight reflected shifts with 0xA001), which
    some loggers send instead of the standard's."""
    register = 0xFFFF
    table = _TABLE
    for b in data:
        register = (register >> 8) ^ table[(register ^ b) & 0xFF]
    return register


def swap16(value: int) -> int:
    return ((value & 0xFF) << 8) | (value >> 8)


# CRC variants a station may be configured for (Station.crc_variant): the standard's, the Modbus
# CRC, or the standard's with its two bytes swapped.
CRC_STANDARD = "hj212"
CRC_MODBUS = "modbus"
CRC_SWAPPED = "swapped"
CRC_VARIANTS = (CRC_STANDARD, CRC_MODBUS, CRC_SWAPPED)
# Length conventions: the length field counts the data segment (the standard), or also the CRC
# and CR LF (6 more bytes; some loggers).
LENGTH_STANDARD = "data"
LENGTH_WITH_CRC = "with_crc"
LENGTH_EXTRA = 6


def crc_of(data: bytes, variant: str = CRC_STANDARD) -> int:
    if variant == CRC_MODBUS:
        return crc_modbus(data)
    if variant == CRC_SWAPPED:
        return swap16(crc16(data))
    return crc16(data)


def crc_variant(data: bytes, given: int) -> str | None:
    """Which CRC variant `given` is of `data` (the standard's first), or None."""
    for variant in CRC_VARIANTS:
        if crc_of(data, variant) == given:
            return variant
    return None


def reframe(segment: bytes, crc: str = CRC_STANDARD, length: str = LENGTH_STANDARD) -> bytes:
    """The packet a segment came in, as the frame reader read it (for a device's fault record)."""
    n = len(segment) + (LENGTH_EXTRA if length == LENGTH_WITH_CRC else 0)
    return HEADER + b"%04d" % n + segment + b"%04X" % crc_of(segment, crc) + TAIL


def frame(segment: str, *, crc: str = CRC_STANDARD, length: str = LENGTH_STANDARD) -> bytes:
    """A whole packet around a data segment (a device's variant: `crc`, `length`)."""
    data = segment.encode("ascii")
    n = len(data) + (LENGTH_EXTRA if length == LENGTH_WITH_CRC else 0)
    if n > 9999:
        raise ValueError("data segment longer than 9999 bytes")
    return HEADER + b"%04d" % n + data + b"%04X" % crc_of(data, crc) + TAIL


class FrameError(ValueError):
    """A packet that cannot be read; `reason` is the counter it is counted under, `raw` the
    packet's bytes as far as they could be cut out (bounded; for the device's fault record)."""

    def __init__(self, reason: str, detail: str = "", raw: bytes = b"") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.raw = raw


class FrameReader:
    """Cuts a byte stream into data segments. Garbage before a header is skipped (counted as
    `garbage`); a bad length, an over-long segment, a missing tail or a wrong CRC yields a
    FrameError for that packet (with its raw bytes) and reading resumes at the next ``##``.

    Tolerant in what it accepts: the length field may count the data segment (the standard) or
    also the CRC and CR LF (decided by which one yields a valid CRC), and the CRC may be the
    standard's, the Modbus one or the standard's byte-swapped. After each segment it yields,
    `crc` and `length` say which were used (the receiver refuses a variant the device's station
    is not configured for, and counts each).

    With `keep_frames`, `frame` holds the exact bytes of the packet just yielded (``##``, length,
    segment, CRC, CR LF, as received; for a FrameError its raw bytes, a CRC failure's whole),
    for the raw packet archive; parsing is the same either way."""

    def __init__(self, max_segment: int = MAX_SEGMENT, keep_frames: bool = False) -> None:
        self.buffer = bytearray()
        self.max_segment = max_segment
        self.crc = CRC_STANDARD
        self.length = LENGTH_STANDARD
        self.keep_frames = keep_frames
        self.frame = b""

    def feed(self, data: bytes) -> Iterator[bytes | FrameError]:
        self.buffer += data
        buf = self.buffer
        while True:
            start = buf.find(HEADER)
            if start < 0:
                if len(buf) > 1:
                    keep = buf[-1:] if buf[-1:] == b"#" else b""
                    if len(buf) > len(keep):
                        yield FrameError("garbage", f"{len(buf) - len(keep)} bytes")
                    buf[:] = keep
                return
            if start > 0:
                yield FrameError("garbage", f"{start} bytes")
                del buf[:start]
            if len(buf) < 6:
                return
            if buf[2] == 0x23:  # "###": the header starts one byte later
                yield FrameError("garbage", "1 byte")
                del buf[:1]
                continue
            digits = bytes(buf[2:6])
            if not digits.isdigit():
                yield self._error("length", repr(digits), _raw(buf))
                del buf[:1]
                continue
            length = int(digits)
            end = 6 + length + 4 + 2
            if len(buf) >= end and buf[end - 2 : end] == TAIL:
                segment = bytes(buf[6 : 6 + length])
                crc_text = bytes(buf[6 + length : 10 + length])
                if _hex(crc_text) == crc16(segment) and length <= self.max_segment:
                    if self.keep_frames:
                        self.frame = bytes(buf[:end])
                    del buf[:end]
                    self.crc = CRC_STANDARD
                    self.length = LENGTH_STANDARD
                    yield segment
                    continue
            # Not a standard packet (yet): the other length convention, the CRC variants.
            alt = self._other_convention(buf, length)
            if alt is not None:
                segment, variant = alt
                if self.keep_frames:
                    self.frame = bytes(buf[: length + 6])
                del buf[: length + 6]
                self.crc = variant
                self.length = LENGTH_WITH_CRC
                yield segment
                continue
            if length > self.max_segment + LENGTH_EXTRA or (
                length > self.max_segment and len(buf) >= end
            ):
                yield self._error("too_long", f"{length} bytes", _raw(buf))
                del buf[:1]
                continue
            if len(buf) < end:
                return  # wait for the rest (a packet cut short shows as a missing tail)
            if buf[end - 2 : end] != TAIL:
                yield self._error(
                    "length", "no CR LF where the length says the packet ends", _raw(buf)
                )
                del buf[:1]
                continue
            segment = bytes(buf[6 : 6 + length])
            crc_text = bytes(buf[6 + length : 10 + length])
            found = crc_variant(segment, _hex(crc_text))
            if found is None:
                if self.keep_frames:
                    self.frame = bytes(buf[:end])
                yield FrameError(
                    "crc", crc_text.decode("ascii", "replace"), bytes(buf[: min(end, RAW_KEEP)])
                )
                del buf[:end]
                continue
            if self.keep_frames:
                self.frame = bytes(buf[:end])
            del buf[:end]
            self.crc = found
            self.length = LENGTH_STANDARD
            yield segment

    def _error(self, reason: str, detail: str, raw: bytes) -> FrameError:
        if self.keep_frames:
            self.frame = raw
        return FrameError(reason, detail, raw)

    def _other_convention(self, buf: bytearray, length: int) -> tuple[bytes, str] | None:
        """A packet whose length counts its CRC and CR LF too: (segment, CRC variant), or None
        when the bytes there do not make one with a valid CRC."""
        n = length - LENGTH_EXTRA
        end = length + 6
        if n < 0 or n > self.max_segment or len(buf) < end or buf[end - 2 : end] != TAIL:
            return None
        segment = bytes(buf[6 : 6 + n])
        variant = crc_variant(segment, _hex(bytes(buf[6 + n : 10 + n])))
        return None if variant is None else (segment, variant)


def _hex(text: bytes) -> int:
    try:
        return int(text, 16) if len(text) == 4 else -1
    except ValueError:
        return -1


def _raw(buf: bytearray) -> bytes:
    """The bytes of the packet at the buffer's start, up to the next header (bounded)."""
    nxt = buf.find(HEADER, 2, RAW_KEEP + 2)
    return bytes(buf[: nxt if nxt > 0 else RAW_KEEP])


@dataclass
class Packet:
    """A parsed data segment. `groups` are the CP data area's `;`-separated groups, each a dict
    of its `,`-separated `key=value` items (DataTime and the like are groups of one item)."""

    qn: str
    st: str
    cn: str
    pw: str
    mn: str
    flag: int
    pnum: int | None = None
    pno: int | None = None
    cp: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def wants_answer(self) -> bool:
        return bool(self.flag & FLAG_ANSWER)

    @property
    def v2005(self) -> bool:
        """An HJ/T 212-2005 header: no QN, or no Flag, or a Flag without the 2017 version."""
        return not self.qn or "Flag" not in self.fields or not self.flag & ~3

    @property
    def is_split(self) -> bool:
        return bool(self.flag & FLAG_SPLIT) and self.pnum is not None and self.pno is not None

    def items(self) -> dict[str, str]:
        """The data area as one dict (`a34004-Avg` → "35.0", `DataTime` → "2026…")."""
        return parse_cp(self.cp)


def parse_cp(cp: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for group in cp.split(";"):
        for item in group.split(","):
            item = item.strip()
            if not item:
                continue
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise FrameError("data_area", f"item {item[:40]!r} has no '='")
            out[key.strip()] = value.strip()
    return out


REQUIRED = ("ST", "CN", "MN")  # QN and Flag are optional (HJ/T 212-2005 headers)
# Longest value accepted for each header field (the standard's: QN 20, ST 5, CN 7, PW 9; PW
# gets some room for vendors that use longer ones).
FIELD_LIMITS = {"QN": 20, "ST": 5, "CN": 7, "PW": 32, "Flag": 3, "PNUM": 4, "PNO": 4}


def parse_segment(segment: bytes) -> Packet:
    """A data segment → Packet, or FrameError("malformed", …)."""
    try:
        text = segment.decode("ascii")
    except UnicodeDecodeError as exc:
        raise FrameError("malformed", "not ASCII") from exc
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise FrameError("malformed", "control character")
    head, sep, rest = text.partition("CP=&&")
    if not sep:
        raise FrameError("malformed", "no CP=&&")
    if not rest.endswith("&&"):
        raise FrameError("malformed", "data area not closed with &&")
    cp = rest[:-2]
    fields: dict[str, str] = {}
    for part in head.split(";"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq:
            raise FrameError("malformed", f"field {part[:40]!r} has no '='")
        fields[key] = value
    missing = [k for k in REQUIRED if k not in fields]
    if missing:
        raise FrameError("malformed", "missing " + ",".join(missing))
    try:
        # No Flag (a 2005 header): treated as wanting an answer, so the device stops re-sending.
        flag = int(fields["Flag"]) if "Flag" in fields else FLAG_ANSWER
        pnum = int(fields["PNUM"]) if "PNUM" in fields else None
        pno = int(fields["PNO"]) if "PNO" in fields else None
    except ValueError as exc:
        raise FrameError("malformed", "Flag/PNUM/PNO not a number") from exc
    if not 0 <= flag <= 255 or (pnum is not None and not 1 <= pnum <= 9999):
        raise FrameError("malformed", "Flag/PNUM out of range")
    if pno is not None and (pnum is None or not 1 <= pno <= pnum):
        raise FrameError("malformed", "PNO out of range")
    mn = fields["MN"]
    if not mn or len(mn) > 24:
        raise FrameError("malformed", "MN empty or longer than 24")
    for key, limit in FIELD_LIMITS.items():
        if len(fields.get(key, "")) > limit:
            raise FrameError("malformed", f"{key} longer than {limit}")
    qn = fields.get("QN", "")
    if qn and (not qn.isdigit() or not 14 <= len(qn) <= 20):
        raise FrameError("malformed", "QN is not YYYYMMDDhhmmsszzz")
    return Packet(
        qn=qn,
        st=fields["ST"],
        cn=fields["CN"],
        pw=fields.get("PW", ""),
        mn=mn,
        flag=flag,
        pnum=pnum,
        pno=pno,
        cp=cp,
        fields=fields,
    )


def segment_text(
    *,
    qn: str | None,
    st: str,
    cn: str,
    pw: str,
    mn: str,
    flag: int | None,
    cp: str,
    pnum: int | None = None,
    pno: int | None = None,
) -> str:
    """A data segment; `qn` or `flag` None leaves the field out (a 2005-era header)."""
    split = f"PNUM={pnum};PNO={pno};" if pnum is not None else ""
    head = f"QN={qn};" if qn is not None else ""
    tail = f"Flag={flag};" if flag is not None else ""
    return f"{head}ST={st};CN={cn};PW={pw};MN={mn};{tail}{split}CP=&&{cp}&&"


def answer_9014(packet: Packet, cn: str = "9014") -> bytes:
    """The data answer (数据应答, or with cn="9013" the notice answer 通知应答) to a packet: same
    QN, ST=91. A packet without QN (HJ/T 212-2005) gets the 2005 form: no QN field and Flag=0
    (version 0, no answer wanted)."""
    if not packet.qn:
        return frame(
            segment_text(qn=None, st="91", cn=cn, pw=packet.pw, mn=packet.mn, flag=0, cp="")
        )
    return frame(
        segment_text(
            qn=packet.qn, st="91", cn=cn, pw=packet.pw, mn=packet.mn, flag=FLAG_V2017, cp=""
        )
    )


def history_request(
    mn: str,
    pw: str,
    begin: dt.datetime,
    end: dt.datetime,
    st: str = "22",
    cn: str = "2051",
    qn: str | None = None,
) -> bytes:
    """Ask a device for its minute data between two times (CN=2051, BeginTime/EndTime; an
    hourly station's hours with cn="2061")."""
    cp = f"BeginTime={stamp(begin)};EndTime={stamp(end)}"
    return request(mn, pw, cn, cp, st=st, qn=qn)


def request(mn: str, pw: str, cn: str, cp: str, st: str = "22", qn: str | None = None) -> bytes:
    """A platform's request to a device (Flag=5: 2017, answer wanted), e.g. CN=1012 with
    ``SystemTime=…`` (set the device's clock) or CN=1061 (its real-time data interval)."""
    return frame(
        segment_text(
            qn=qn or qn_now(), st=st, cn=cn, pw=pw, mn=mn, flag=FLAG_V2017 | FLAG_ANSWER, cp=cp
        )
    )


def stamp(moment: dt.datetime) -> str:
    """YYYYMMDDhhmmss in China Standard Time."""
    return moment.astimezone(CST).strftime("%Y%m%d%H%M%S")


def qn_now(moment: dt.datetime | None = None) -> str:
    moment = (moment or dt.datetime.now(CST)).astimezone(CST)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def qn_time(qn: str) -> float | None:
    """The moment a QN names (epoch seconds; a QN is the sender's clock when it made the
    packet), or None when it names none. (Read by hand: it runs for every data packet.)"""
    if len(qn) < 14 or not qn.isdigit():
        return None
    year, month, day = int(qn[0:4]), int(qn[4:6]), int(qn[6:8])
    hour, minute, second = int(qn[8:10]), int(qn[10:12]), int(qn[12:14])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60):
        return None
    millis = qn[14:17]
    utc = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - CST_OFFSET
    return utc + int(millis) / 10 ** len(millis) if millis else float(utc)


def parse_stamp(text: str) -> dt.datetime:
    """YYYYMMDDhhmmss (China Standard Time) → aware datetime; FrameError if impossible."""
    if len(text) != 14 or not text.isdigit():
        raise FrameError("data_area", f"DataTime {text[:20]!r} is not YYYYMMDDhhmmss")
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=CST)
    except ValueError as exc:
        raise FrameError("data_area", f"DataTime {text!r} is not a calendar time") from exc
