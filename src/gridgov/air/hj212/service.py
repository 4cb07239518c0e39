"""An HJ 212 service (the receiver, the forwarder) in the foreground: on uvloop's loop where
uvloop is installed, until SIGINT or SIGTERM, then a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable


def run_until_signalled(
    start: Callable[[], Awaitable[None]],
    started: Callable[[asyncio.AbstractEventLoop], None],
    stop: Callable[[], Awaitable[None]],
) -> None:
    """`await start()`, `started(loop)` (the service says it is up), then wait for a signal and
    `await stop()` — also when waiting fails."""

    async def main() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stopping.set)
        await start()
        started(loop)
        try:
            await stopping.wait()
        finally:
            await stop()

    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
