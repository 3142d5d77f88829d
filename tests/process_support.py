"""What the test suite's helper processes share: a free port, a stop that ends one politely
and then firmly, and the `with` form (start on the way in, stop on the way out)."""

from __future__ import annotations

import socket
import subprocess
from types import TracebackType
from typing import Self


def free_port() -> int:
    """A loopback TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def end_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if `process` has not exited within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


class StartsAndStops:
    """`with Helper(...) as h:` starts the helper and stops it whatever happens inside."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class OneProcess(StartsAndStops):
    """A helper that runs one process (`start` sets `process`); `stop` ends it, once."""

    process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        if self.process is None:
            return
        end_process(self.process)
        self.process = None
