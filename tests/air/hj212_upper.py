"""A minimal upper platform for the forwarding tests and bench: an asyncio TCP server that
reads HJ 212 packets, records every data packet it gets (duplicates too) and answers CN=9014 —
except those its `drop` rule refuses to answer, and late (after `late_seconds`) those its `late`
rule picks. `stop()` is an outage (the server and every connection closed); `start()` again on
the same port ends it."""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable

from gridgov.air.hj212 import codec

Key = tuple[str, str, str]  # (MN, CN, DataTime)


class Upper:
    def __init__(
        self,
        *,
        drop: Callable[[codec.Packet, int], bool] | None = None,
        late: Callable[[codec.Packet, int], bool] | None = None,
        late_seconds: float = 0.3,
    ) -> None:
        self.drop = drop
        self.late = late
        self.late_seconds = late_seconds
        self.port = 0
        self.packets: list[codec.Packet] = []
        self.counts: collections.Counter[Key] = collections.Counter()
        self.data: dict[Key, dict[str, str]] = {}  # the latest data area of each interval
        self.tries: collections.Counter[tuple[str, str]] = collections.Counter()  # (MN, QN)
        self.answers = 0
        self.pws: set[str] = set()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, port: int | None = None) -> None:
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port if port is None else port
        )
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    def received(self) -> set[Key]:
        return set(self.counts)

    def duplicates(self) -> dict[Key, int]:
        return {k: n for k, n in self.counts.items() if n > 1}

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        frames = codec.FrameReader()
        try:
            while data := await reader.read(65536):
                for segment in frames.feed(data):
                    if isinstance(segment, codec.FrameError):
                        continue
                    packet = codec.parse_segment(segment)
                    self._handle(packet, writer)
        except (OSError, ConnectionError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    def _handle(self, packet: codec.Packet, writer: asyncio.StreamWriter) -> None:
        if packet.cn not in ("2051", "2061"):
            return
        items = packet.items()
        key = (packet.mn, packet.cn, items["DataTime"])
        self.packets.append(packet)
        self.counts[key] += 1
        self.data[key] = items
        self.pws.add(packet.pw)
        self.tries[(packet.mn, packet.qn)] += 1
        n = self.tries[(packet.mn, packet.qn)]
        if self.drop is not None and self.drop(packet, n):
            return
        answer = codec.answer_9014(packet)
        if self.late is not None and self.late(packet, n):
            asyncio.get_running_loop().call_later(self.late_seconds, self._write, writer, answer)
        else:
            self._write(writer, answer)

    def _write(self, writer: asyncio.StreamWriter, answer: bytes) -> None:
        if not writer.is_closing():
            writer.write(answer)
            self.answers += 1
