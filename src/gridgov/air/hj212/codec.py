"""HJ 212-2017 framing and data segments: what both ends of a device connection read and write.

A packet is ``##`` + 4-digit length + data segment + 4-hex-digit CRC + ``\\r\\n``. The CRC is the
standard's own (register 0xFFFF, polynomial 0xA001 reflected, each step on the register's high
byte), not the Modbus CRC. The data segment is ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]
CP=&&…&&``. Nothing here touches the database: the receiver and the device simulator share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from gridgov.air.models import CST

HEADER = b"##"
TAIL = b"\r\n"
MAX_SEGMENT = 1024  # bytes of the data segment (the standard's limit)
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


def frame(segment: str) -> bytes:
    """A whole packet around a data segment."""
    data = segment.encode("ascii")
    if len(data) > 9999:
        raise ValueError("data segment longer than 9999 bytes")
    return HEADER + b"%04d" % len(data) + data + b"%04X" % crc16(data) + TAIL


class FrameError(ValueError):
    """A packet that cannot be read; `reason` is the counter it is counted under."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class FrameReader:
    """Cuts a byte stream into data segments. Garbage before a header is skipped (counted as
    `garbage`); a bad length, an over-long segment, a missing tail or a wrong CRC yields a
    FrameError for that packet and reading resumes at the next ``##``."""

    def __init__(self, max_segment: int = MAX_SEGMENT) -> None:
        self.buffer = bytearray()
        self.max_segment = max_segment

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
                yield FrameError("length", repr(digits))
                del buf[:1]
                continue
            length = int(digits)
            if length > self.max_segment:
                yield FrameError("too_long", f"{length} bytes")
                del buf[:1]
                continue
            end = 6 + length + 4 + 2
            if len(buf) < end:
                return  # wait for the rest (a packet cut short shows as a missing tail)
            segment = bytes(buf[6 : 6 + length])
            crc_text = bytes(buf[6 + length : 10 + length])
            tail = bytes(buf[10 + length : end])
            if tail != TAIL:
                yield FrameError("length", "no CR LF where the length says the packet ends")
                del buf[:1]
                continue
            try:
                given = int(crc_text, 16)
            except ValueError:
                given = -1
            if given != crc16(segment):
                yield FrameError("crc", crc_text.decode("ascii", "replace"))
                del buf[:end]
                continue
            del buf[:end]
            yield segment


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


REQUIRED = ("QN", "ST", "CN", "MN", "Flag")
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
        flag = int(fields["Flag"])
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
    qn = fields["QN"]
    if not qn.isdigit() or not 14 <= len(qn) <= 20:
        raise FrameError("malformed", "QN is not YYYYMMDDhhmmsszzz")
    return Packet(
        qn=fields["QN"],
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
    qn: str,
    st: str,
    cn: str,
    pw: str,
    mn: str,
    flag: int,
    cp: str,
    pnum: int | None = None,
    pno: int | None = None,
) -> str:
    split = f"PNUM={pnum};PNO={pno};" if pnum is not None else ""
    return f"QN={qn};ST={st};CN={cn};PW={pw};MN={mn};Flag={flag};{split}CP=&&{cp}&&"


def answer_9014(packet: Packet) -> bytes:
    """The data answer (数据应答) to an upload: same QN, ST=91, CN=9014."""
    return frame(
        segment_text(
            qn=packet.qn, st="91", cn="9014", pw=packet.pw, mn=packet.mn, flag=FLAG_V2017, cp=""
        )
    )


def history_request(
    mn: str, pw: str, begin: dt.datetime, end: dt.datetime, st: str = "22", cn: str = "2051"
) -> bytes:
    """Ask a device for its minute data between two times (CN=2051, BeginTime/EndTime; an
    hourly station's hours with cn="2061")."""
    cp = f"BeginTime={stamp(begin)};EndTime={stamp(end)}"
    return frame(
        segment_text(qn=qn_now(), st=st, cn=cn, pw=pw, mn=mn, flag=FLAG_V2017 | FLAG_ANSWER, cp=cp)
    )


def stamp(moment: dt.datetime) -> str:
    """YYYYMMDDhhmmss in China Standard Time."""
    return moment.astimezone(CST).strftime("%Y%m%d%H%M%S")


def qn_now(moment: dt.datetime | None = None) -> str:
    moment = (moment or dt.datetime.now(CST)).astimezone(CST)
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def parse_stamp(text: str) -> dt.datetime:
    """YYYYMMDDhhmmss (China Standard Time) → aware datetime; FrameError if impossible."""
    if len(text) != 14 or not text.isdigit():
        raise FrameError("data_area", f"DataTime {text[:20]!r} is not YYYYMMDDhhmmss")
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=CST)
    except ValueError as exc:
        raise FrameError("data_area", f"DataTime {text!r} is not a calendar time") from exc
