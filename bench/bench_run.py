"""What every script in bench/ shares: its command line with a smoke size, and a Redis of its
own for the run.

A benchmark's `--smoke` (or BENCH_SMOKE=1 in the environment) runs it at a tiny size: a few
hundred entries, one round, a short clock. Its arguments still win over the smoke size. The
test suite runs every bench/ script so (tests/test_bench_smoke.py), so none can rot unseen;
its figures then mean nothing, only that it ran and its check held.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

SMOKE_ENV = "BENCH_SMOKE"


def parse_args(parser: argparse.ArgumentParser, *, smoke: dict[str, Any]) -> argparse.Namespace:
    """The parsed command line, where `--smoke` (or BENCH_SMOKE=1) replaces the defaults by
    `smoke` (a value given on the command line still wins). A SIGTERM ends the script through
    its `finally` blocks, so its database and processes are cleaned up."""
    parser.add_argument(
        "--smoke",
        action="store_true",
        default=os.environ.get(SMOKE_ENV, "") not in ("", "0"),
        help=f"run at a tiny size, to see it work (also {SMOKE_ENV}=1)",
    )
    unknown = set(smoke) - {action.dest for action in parser._actions}
    if unknown:
        raise ValueError(f"smoke sizes for arguments the parser lacks: {sorted(unknown)}")
    args = parser.parse_args()
    if args.smoke:
        parser.set_defaults(**smoke)
        args = parser.parse_args()
        args.smoke = True
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the bench process dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    """A Redis URL for this run: BENCH_REDIS_URL when set (used as it is), else a
    `redis-server` of the run's own on a free port, without persistence, stopped at the end."""
    given = os.environ.get("BENCH_REDIS_URL")
    if given:
        yield given
        return
    import redis

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as directory:
        try:
            server = subprocess.Popen(
                [
                    "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    directory,
                    "--loglevel",
                    "warning",
                ],
                stdout=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,  # before any thread of this run starts
            )
        except FileNotFoundError:
            raise SystemExit(
                "redis-server is not installed: install Redis (apt-get install redis-server) "
                "or set BENCH_REDIS_URL to a Redis database this benchmark may use"
            ) from None
        url = f"redis://127.0.0.1:{port}/0"
        try:
            client = redis.Redis.from_url(url)
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the benchmark's redis-server did not start") from None
                    time.sleep(0.05)
            client.close()
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
