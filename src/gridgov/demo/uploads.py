"""Hourly uploads (小时数据, CN=2061) of the demo's emission devices (ST=31) fed through the HJ
212 receiver, in process: a `Receiver` on 127.0.0.1, port 0, and one TCP connection per device,
as each data logger keeps its own. Each upload is a packet the codec builds (`-Avg` and `-Flag=N`
per factor, a QN of the moment it is made, an answer wanted) and waits for its answer (CN=9014)
before the next, as a logger with one packet in flight does. Then the receiver is flushed (the
device status written) and stopped (its threads ended, their database connections closed),
and the hook worker drained: whatever the uploads found (the sources' monitors' findings and
orders) exists when `feed` returns.

The receiver's threads must see the devices' stations: the caller runs outside a transaction.
Nothing here touches the database itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from gridgov.air import factor_hooks
from gridgov.air.hj212 import codec
from gridgov.air.hj212.receiver import EMISSION_ST, Receiver
from gridgov.air.models import CST

ANSWER_SECONDS = 10.0  # an upload unanswered this long is given up (counted, never raised)
log = logging.getLogger("gridgov.demo")


@dataclass(frozen=True)
class Upload:
    mn: str
    hour: dt.datetime
    values: dict[str, float]


@dataclass
class Fed:
    sent: int = 0
    answered: int = 0


class _Clock:
    """QNs: the moment a packet is made, to the millisecond, never the same twice."""

    def __init__(self) -> None:
        self.last_ms = 0

    def qn(self) -> str:
        ms = max(int(dt.datetime.now(CST).timestamp() * 1000), self.last_ms + 1)
        self.last_ms = ms
        return codec.qn_now(dt.datetime.fromtimestamp(ms / 1000, CST))


def packet(upload: Upload, pw: str, qn: str) -> bytes:
    """The upload as an HJ 212-2017 hourly packet of an emission device."""
    groups = [f"{code}-Avg={value},{code}-Flag=N" for code, value in upload.values.items()]
    cp = ";".join([f"DataTime={codec.stamp(upload.hour)}", *groups])
    flag = codec.FLAG_V2017 | codec.FLAG_ANSWER
    return codec.frame(
        codec.segment_text(qn=qn, st=EMISSION_ST, cn="2061", pw=pw, mn=upload.mn, flag=flag, cp=cp)
    )


async def _answer(reader: asyncio.StreamReader, frames: codec.FrameReader, qn: str) -> bool:
    """Read until the platform answers `qn` (CN=9014); anything else it sends is passed over."""
    while True:
        data = await reader.read(4096)
        if not data:
            return False
        for segment in frames.feed(data):
            if isinstance(segment, codec.FrameError):
                continue
            try:
                got = codec.parse_segment(segment)
            except codec.FrameError:
                continue
            if got.cn == "9014" and got.qn == qn:
                return True


async def _device(port: int, uploads: list[Upload], pw: str, fed: Fed) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    frames, clock = codec.FrameReader(), _Clock()
    try:
        for upload in uploads:
            qn = clock.qn()
            writer.write(packet(upload, pw, qn))
            await writer.drain()
            fed.sent += 1
            try:
                answered = await asyncio.wait_for(_answer(reader, frames, qn), ANSWER_SECONDS)
            except TimeoutError:
                continue
            fed.answered += answered  # after the await: the devices run interleaved
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """The receiver's log (listening, stopping) kept off the demo's progress bar."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def feed(uploads: list[Upload], pw: str) -> Fed:
    """Send `uploads` (each device's in the order given) through a receiver of this process's
    own; what was sent and answered."""
    by_device: dict[str, list[Upload]] = {}
    for upload in uploads:
        by_device.setdefault(upload.mn, []).append(upload)
    fed = Fed()

    async def main() -> None:
        receiver = Receiver("127.0.0.1", 0)
        await receiver.start()
        try:
            await asyncio.gather(
                *(_device(receiver.port, ups, pw, fed) for ups in by_device.values())
            )
            await receiver.flush()
        finally:
            await receiver.stop()

    with _quiet("gridgov.hj212"):
        asyncio.run(main())
    factor_hooks.drain()
    if fed.answered < fed.sent:
        log.warning("HJ 212 receiver answered %d of %d demo uploads", fed.answered, fed.sent)
    return fed
