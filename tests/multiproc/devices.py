"""HJ 212 devices for the multi-process tests: blocking sockets from a chosen loopback address
(the receivers limit connections per source address), minute packets, the answers read back."""

from __future__ import annotations

import datetime as dt
import re
import socket
import time

from gridgov.air.hj212 import codec
from gridgov.air.hj212.simulator import CODES, minute_values
from gridgov.air.models import CST
from tests.multiproc.scenario import PW

ANSWER = re.compile(rb"QN=(\d+);ST=91;CN=9014;")
HISTORY = re.compile(rb"CN=2051;PW=[^;]*;MN=([^;]+);Flag=\d+;CP=&&BeginTime=")


def minutes_back(n: int, hours_ago: float = 3) -> list[dt.datetime]:
    """`n` whole minutes from `hours_ago` hours ago (China time), oldest first."""
    start = dt.datetime.now(CST).replace(second=0, microsecond=0) - dt.timedelta(hours=hours_ago)
    return [start + dt.timedelta(minutes=k) for k in range(n)]


def minute_packet(mn: str, number: int, minute: dt.datetime, qn: str, pw: str = PW) -> bytes:
    values = minute_values(number, minute)
    groups = [f"{code}-Avg={values[code]},{code}-Flag=N" for code in CODES]
    cp = ";".join([f"DataTime={codec.stamp(minute)}", *groups])
    flag = codec.FLAG_V2017 | codec.FLAG_ANSWER
    return codec.frame(
        codec.segment_text(qn=qn, st="22", cn="2051", pw=pw, mn=mn, flag=flag, cp=cp)
    )


class Link:
    """One TCP connection of a device to a receiver."""

    def __init__(self, port: int, source: str, timeout: float = 10) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout, (source, 0))
        self.received = b""
        self.closed = False

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_for(self, seconds: float) -> bytes:
        """What arrives within `seconds` (b"" at once if the receiver closed the connection)."""
        end = time.monotonic() + seconds
        got = b""
        while (left := end - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                break
            except OSError:  # reset by the receiver
                self.closed = True
                break
            if not chunk:
                self.closed = True
                break
            got += chunk
        self.received += got
        return got

    def answered(self) -> set[str]:
        return {m.decode() for m in ANSWER.findall(self.received)}

    def wait_answers(self, qns: set[str], seconds: float = 30) -> set[str]:
        end = time.monotonic() + seconds
        while not qns <= self.answered() and time.monotonic() < end:
            self.read_for(0.2)
        return self.answered() & qns

    def is_open(self, seconds: float = 0.3) -> bool:
        """False once the receiver has closed the connection."""
        if not self.closed:
            self.read_for(seconds)
        return not self.closed

    def close(self) -> None:
        self.sock.close()
