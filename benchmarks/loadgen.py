"""A small closed-loop HTTP/1.1 load generator, run as a process of its own.

`python -m benchmarks.loadgen --port P --requests FILE --concurrency C --duration S [--warmup W]`
opens C keep-alive connections to 127.0.0.1:P; each sends one request, waits for the whole
answer, and sends the next (so C is the number of requests in flight). The requests are
pre-encoded bytes (a JSON list of latin-1 strings) taken round-robin. After `warmup` seconds
it measures for `duration` seconds (or until `--max-requests`), then prints one JSON line:
completed requests, requests/s, latency percentiles in ms, and non-200 answers.

It is written on asyncio protocols (uvloop when installed) and parses only the status line and
Content-Length, so it costs a fraction of what the servers under test spend per request.
`--serve-trivial PORT` runs the cheapest possible HTTP server instead (a fixed answer, no
framework) to find out how far the generator itself can go.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from array import array
from typing import Any

TRIVIAL_ANSWER = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n"
                  b'{"ok":true}')


def _content_length(head: bytes) -> int | None:
    """Content-Length from a lower-cased header block (without the final blank line)."""
    at = head.find(b"\r\ncontent-length:")
    if at < 0:
        return None
    end = head.find(b"\r\n", at + 2)
    return int(head[at + 17 : end if end > 0 else None])


class Generator:
    def __init__(self, requests: list[bytes], *, warmup: float, duration: float, max_requests: int) -> None:
        self.requests = requests
        self.next = 0
        self.warmup_until = time.perf_counter() + warmup
        self.measure_from = self.warmup_until
        self.measure_until = self.warmup_until + duration
        self.max_requests = max_requests
        self.latencies = array("q")  # nanoseconds
        self.last_end = self.measure_from
        self.errors: dict[str, int] = {}
        self.stopped = asyncio.get_running_loop().create_future()
        self.open = 0

    def take(self) -> bytes | None:
        now = time.perf_counter()
        if now >= self.measure_until or len(self.latencies) >= self.max_requests:
            return None
        request = self.requests[self.next % len(self.requests)]
        self.next += 1
        return request

    def record(self, started: float, ended: float, status: int) -> None:
        if started < self.warmup_until or ended > self.measure_until:
            return
        self.latencies.append(int((ended - started) * 1e9))
        self.last_end = ended
        if status != 200:
            self.errors[str(status)] = self.errors.get(str(status), 0) + 1

    def closed(self) -> None:
        self.open -= 1
        if self.open == 0 and not self.stopped.done():
            self.stopped.set_result(None)


class Connection(asyncio.Protocol):
    def __init__(self, gen: Generator) -> None:
        self.gen = gen
        self.buf = bytearray()
        self.need = -1
        self.status = 0
        self.started = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        request = self.gen.take()
        assert self.transport is not None
        if request is None:
            self.transport.close()
            return
        self.buf.clear()
        self.need = -1
        self.started = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.need < 0:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).lower()
            self.status = int(head[9:12])
            length = _content_length(head)
            if length is None:
                raise RuntimeError("answer without Content-Length")
            self.need = end + 4 + length
        if len(self.buf) >= self.need:
            self.gen.record(self.started, time.perf_counter(), self.status)
            self.send()

    def connection_lost(self, exc: Exception | None) -> None:
        self.gen.closed()


async def run(port: int, requests: list[bytes], *, concurrency: int, warmup: float, duration: float,
              max_requests: int) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    gen = Generator(requests, warmup=warmup, duration=duration, max_requests=max_requests)
    gen.open = concurrency
    for _ in range(concurrency):
        await loop.create_connection(lambda: Connection(gen), "127.0.0.1", port)
    await gen.stopped
    elapsed = gen.last_end - gen.measure_from
    lat = sorted(gen.latencies)

    def pct(q: float) -> float:
        return lat[max(0, min(len(lat) - 1, int(round(q / 100 * len(lat) + 0.5)) - 1))] / 1e6 if lat else float("nan")

    return {"concurrency": concurrency, "completed": len(lat), "seconds": elapsed,
            "rps": len(lat) / elapsed if elapsed > 0 else 0.0, "p50": pct(50), "p99": pct(99), "p999": pct(99.9),
            "max": lat[-1] / 1e6 if lat else float("nan"), "errors": gen.errors}


class Trivial(asyncio.Protocol):
    """Answers every request with the same bytes; knows only GET and Content-Length bodies."""

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.buf = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buf[:end]).lower()
            length = _content_length(head) or 0
            if len(self.buf) < end + 4 + length:
                return
            del self.buf[: end + 4 + length]
            self.transport.write(TRIVIAL_ANSWER)


async def serve_trivial(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Trivial, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int)
    parser.add_argument("--requests", help="JSON file: a list of raw HTTP requests (latin-1 strings)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument("--serve-trivial", type=int, metavar="PORT")
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=_new_loop) as runner:
        if args.serve_trivial:
            runner.run(serve_trivial(args.serve_trivial))
            return
        with open(args.requests, encoding="utf-8") as f:
            requests = [r.encode("latin-1") for r in json.load(f)]
        result = runner.run(run(args.port, requests, concurrency=args.concurrency, warmup=args.warmup,
                                duration=args.duration, max_requests=args.max_requests))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
