"""The morning fan-out: every channel's roster computed and delivered to the stand-in (SPEC §7).

    uv run python -m benchmarks.fanout [--channels 2000] [--limited-channels 300 | --full] [--duties 2]

Two runs, each on a freshly seeded world (N channels of 10 people and, by default, two duties each,
in the stand-in and in the bot's SQLite database, written in bulk; see `benchmarks/common.py`):

1. no rate limit (the stand-in's limiter off, the bot's own cap OUTBOX_MAX_RATE/BURST raised to
   1e6): wall time and posts/s;
2. the stand-in's limiter at 10/s with burst 100 (Mattermost's GCRA) and the bot's cap set to
   match (OUTBOX_MAX_RATE=10, OUTBOX_BURST=100): the ratio of the wall time to the minimum the
   limit allows for N posts, (N - burst) / rate. With 2,000 channels that minimum is 190 s, so
   this run uses 300 channels unless `--full`.

The serving process is the bot as `amtsbote serve` builds it - `Runtime(settings)` with its
Starlette app under uvicorn with the same settings, outbox loop, websocket and scheduler - started
as `python -m benchmarks.fanout --worker DAY`, which, once serving, runs the morning job for DAY
(the next working day) exactly as a tick or `amtsbote post-rosters` does:
`post_rosters(services, day=DAY, ignore_time=True)` then `outbox.drain()`. Today's ledger is
pre-filled with "skipped" rows so the process's own first tick has nothing to do. Afterwards the
stand-in is searched for roster posts: exactly one per channel, none lost, none duplicated. The
worker also reports its peak resident memory (VmHWM) after the fan-out and how many SQL
statements the job ran; this process counts the Mattermost requests by endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.common import (
    CLIENT_CPU,
    SERVER_CPU,
    WORKDIR,
    bot_env,
    free_port,
    memory_mb,
    next_working_day,
    pin,
    seed_db_bulk,
    seed_standin_bulk,
    spawn,
    stop,
    table,
)

PEOPLE_PER_CHANNEL = 10
_ID = re.compile(r"/[a-z0-9]{26}(?=/|$)")


# -- the serving process ---------------------------------------------------------------------------


def _emit(event: str, **data: Any) -> None:
    print(json.dumps({"event": event, **data}), flush=True)


def worker(day: date) -> None:
    """`amtsbote serve`, plus the morning job for `day` once serving (on a line "go" on stdin)."""
    import uvicorn

    from bot.cli import SERVE_REQUIRES
    from bot.logs import setup_logging
    from bot.runtime import Runtime
    from config.settings import Settings
    from storage.migrate import upgrade

    settings = Settings.from_env(require=SERVE_REQUIRES)
    setup_logging(settings.log_level)
    upgrade(settings.database_url)
    runtime = Runtime(settings)
    host, port = settings.bot_listen
    config = uvicorn.Config(runtime.app(), host=host, port=port, log_config=None, access_log=False,
                            timeout_graceful_shutdown=10)  # as bot/cli.py cmd_serve passes to uvicorn.run
    server = uvicorn.Server(config)
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(_serve_and_fan_out(server, runtime, day))


async def _serve_and_fan_out(server: Any, runtime: Any, day: date) -> None:
    from sqlalchemy import event

    from commands.anwesenheit.morning import post_rosters

    loop = asyncio.get_running_loop()
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            raise RuntimeError("the server did not start")
        await asyncio.sleep(0.01)
    await asyncio.gather(*(t for t in runtime._tasks if t.get_name() == "first-tick"))
    statements = Counter[str]()

    @event.listens_for(runtime.db.engine, "before_cursor_execute")
    def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements[statement.split(None, 1)[0].upper()] += 1

    _emit("ready", memory=memory_mb())
    await loop.run_in_executor(None, sys.stdin.readline)
    started = time.perf_counter()
    queued = await post_rosters(runtime.services, day=day, ignore_time=True)
    composed = time.perf_counter()
    drained = await runtime.outbox.drain(timeout=3600)
    done = time.perf_counter()
    with runtime.db.read() as session:
        import sqlalchemy as sa

        outbox = dict(session.execute(sa.text("SELECT status, count(*) FROM outbox GROUP BY status")).all())
    _emit("done", queued=queued, drained=drained, compose_s=composed - started, deliver_s=done - composed,
          total_s=done - started, statements=dict(statements), outbox=outbox, memory=memory_mb())
    await loop.run_in_executor(None, sys.stdin.readline)
    server.should_exit = True
    await serving


# -- the orchestrator ---------------------------------------------------------------------------------


def run_fanout(channels: int, *, rate_limited: bool, ceiling: bool = False, profile: str | None = None,
               duties: int = 2) -> dict[str, Any]:
    """Seed a world of `channels` channels, run the morning job in a serving process, check the posts."""
    from storage.migrate import upgrade
    from tests.standin import MattermostStandin

    seed_started = time.perf_counter()
    standin = MattermostStandin(http="httptools").start()
    try:
        world = seed_standin_bulk(standin, channels=channels, per_channel=PEOPLE_PER_CHANNEL)
        db_path = WORKDIR / f"fanout-{channels}-{'limited' if rate_limited else 'free'}.db"
        database_url = f"sqlite:///{db_path}"
        upgrade(database_url)
        today = datetime.now(ZoneInfo("Europe/Berlin")).date()
        day = next_working_day(today)
        seed_db_bulk(database_url, world, day=day, skip_today=today, duties=duties)
        seed_s = time.perf_counter() - seed_started
        rate = {"OUTBOX_MAX_RATE": "10", "OUTBOX_BURST": "100"} if rate_limited else \
            {"OUTBOX_MAX_RATE": "1000000", "OUTBOX_BURST": "1000000"}
        port = free_port()
        env = bot_env(standin_url=standin.url, token=world["token"], port=port, database_url=database_url,
                      **{**rate, "LOG_LEVEL": "ERROR"})  # a 429 per retried post would flood the output
        spawned = time.perf_counter()
        proc = spawn(["-m", "benchmarks.fanout", "--worker", day.isoformat()], env=env, cpu=SERVER_CPU,
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            ready = _read_event(proc, "ready")
            start_s = time.perf_counter() - spawned
            if rate_limited:
                standin.rate_limit(per_sec=10, burst=100)  # a fresh limiter: the full burst is available
            first_request = len(standin._requests)
            spy = None
            if profile:
                spy = subprocess.Popen(["py-spy", "record", "--idle", "-p", str(proc.pid), "-r", "100", "--format",
                                        "raw", "-o", profile], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            go = time.perf_counter()
            proc.stdin.write("go\n")
            proc.stdin.flush()
            done = _read_event(proc, "done")
            if spy is not None:
                spy.send_signal(2)  # SIGINT: py-spy writes what it has
                spy.wait(60)
            wall = time.perf_counter() - go
            standin.rate_limit(None)
            requests = _requests_by_endpoint(standin, first_request)
            counts, untitled, median_size = _roster_posts(standin, day)
            duty_sections = _with_duties(standin, day)
            post_ceiling = _standin_ceiling(standin, world, channels) if ceiling else None
            memory = memory_mb(proc.pid)
            proc.stdin.write("stop\n")
            proc.stdin.flush()
            proc.wait(30)
        finally:
            stop(proc)
    finally:
        standin.stop()
    lost = sum(1 for cid in world["channels"] if counts.get(cid, 0) == 0)
    duplicated = sum(1 for n in counts.values() if n > 1)
    with_duties = sum(1 for cid in world["channels"] if counts.get(cid) and cid in duty_sections)
    return {"channels": channels, "people": channels * PEOPLE_PER_CHANNEL, "rate_limited": rate_limited,
            "duties": duties, "with_duties": with_duties,
            "day": day.isoformat(), "seed_s": seed_s, "start_s": start_s, "wall_s": wall,
            "posts": sum(counts.values()), "lost": lost, "duplicated": duplicated, "untitled": untitled, "median_size": median_size,
            "requests": requests,
            "ready_memory": ready["memory"], "memory": memory, "standin_posts_per_s": post_ceiling, **done}


def _read_event(proc: subprocess.Popen[str], name: str) -> dict[str, Any]:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("{"):
            data = json.loads(line)
            if data.get("event") == name:
                return data
    raise RuntimeError(f"the serving process ended before '{name}' (exit {proc.wait()})")


def _requests_by_endpoint(standin: Any, first: int) -> dict[str, int]:
    with standin._lock:
        records = standin._requests[first:]
    out = Counter(f"{r.method} {_ID.sub('/{id}', r.path)}" + (" → 429" if r.outcome == "rate_limited" else "")
                  for r in records)
    return dict(out.most_common())


def _roster_posts(standin: Any, day: date) -> tuple[Counter[str], int, int]:
    """channel id -> number of roster posts for `day` (recognised by the outbox key in the props),
    how many of them do not name their channel (the roster's title lost), and the median post size."""
    suffix = f":{day.isoformat()}"
    with standin._lock:
        posts = [p for p in standin._posts.values() if str((p.props or {}).get("amtsbote_key", "")).startswith("roster:")
                 and str(p.props["amtsbote_key"]).endswith(suffix)]
        untitled = sum(1 for p in posts if standin._channels[p.channel_id].display_name
                       not in p.message + json.dumps(p.props, ensure_ascii=False))
        sizes = sorted(len(p.message) + len(json.dumps(p.props, ensure_ascii=False)) for p in posts)
    return Counter(p.channel_id for p in posts), untitled, (sizes[len(sizes) // 2] if sizes else 0)


def _with_duties(standin: Any, day: date) -> set[str]:
    """Channels whose roster post of `day` has the "Dienste" section."""
    suffix = f":{day.isoformat()}"
    with standin._lock:
        return {p.channel_id for p in standin._posts.values()
                if str((p.props or {}).get("amtsbote_key", "")).startswith("roster:")
                and str(p.props["amtsbote_key"]).endswith(suffix)
                and ("Dienste" in json.dumps(p.props, ensure_ascii=False)
                     or "Duties" in json.dumps(p.props, ensure_ascii=False))}


def _standin_ceiling(standin: Any, world: dict[str, Any], channels: int) -> float:
    """Posts/s the stand-in takes from a plain client (16 concurrent, like the outbox), one per channel."""
    import httpx

    async def post_all() -> float:
        semaphore = asyncio.Semaphore(16)
        headers = {"Authorization": f"Bearer {world['token']}"}
        async with httpx.AsyncClient(base_url=standin.url, headers=headers, timeout=30) as client:
            async def one(cid: str) -> None:
                async with semaphore:
                    r = await client.post("/api/v4/posts", json={"channel_id": cid, "message": "ceiling probe"})
                    r.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(one(cid) for cid in list(world["channels"])[:channels]))
            return channels / (time.perf_counter() - started)

    return asyncio.run(post_all())


def report(r: dict[str, Any]) -> None:
    kind = "rate limit 10/s burst 100" if r["rate_limited"] else "no rate limit"
    print(f"\n== fan-out, {kind}: {r['channels']:,} channels, {r['people']:,} people, {r['duties']} duties per "
          f"channel, roster day {r['day']}")
    print(f"seeding {r['seed_s']:.1f} s; serving process ready after {r['start_s']:.1f} s")
    rows = [["wall time, go → all delivered", f"{r['wall_s']:.1f} s"],
            ["  compose + queue (post_rosters)", f"{r['compose_s']:.1f} s"],
            ["  deliver (outbox.drain)", f"{r['deliver_s']:.1f} s"],
            ["roster posts found / channels", f"{r['posts']:,} / {r['channels']:,}"],
            ["lost / duplicated", f"{r['lost']} / {r['duplicated']}"],
            ["rosters with the duties section", f"{r['with_duties']:,}"],
            ["rosters without their channel's name", f"{r['untitled']}"],
            ["median roster post size (message + props)", f"{r['median_size']:,} characters"],
            ["posts/s over the whole job", f"{r['posts'] / r['wall_s']:.1f}"],
            ["outbox rows by status", json.dumps(r["outbox"])],
            ["SQL statements in the job", json.dumps(r["statements"])],
            ["peak RSS of the serving process (VmHWM)", f"{r['memory']['VmHWM']:.0f} MB "
                                                         f"(at ready {r['ready_memory']['VmHWM']:.0f} MB)"]]
    if r["standin_posts_per_s"]:
        rows.append(["stand-in ceiling, plain client, 16 concurrent", f"{r['standin_posts_per_s']:.0f} posts/s"])
    if r["rate_limited"]:
        minimum = (r["channels"] - 100) / 10
        rows.append(["minimum the limit allows, (N - 100) / 10", f"{minimum:.1f} s"])
        rows.append(["ratio wall / minimum (bar: <= 1.05)", f"{r['wall_s'] / minimum:.2f}"])
    print(table(["figure", "value"], rows))
    print("Mattermost requests during the job:", ", ".join(f"{k} ×{v}" for k, v in r["requests"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description="morning fan-out against the Mattermost stand-in")
    parser.add_argument("--channels", type=int, default=2000, help="channels in the unlimited run")
    parser.add_argument("--limited-channels", type=int, default=300, help="channels in the rate-limited run")
    parser.add_argument("--full", action="store_true", help="rate-limited run with 2,000 channels (>= 190 s)")
    parser.add_argument("--skip-limited", action="store_true")
    parser.add_argument("--skip-free", action="store_true")
    parser.add_argument("--duties", type=int, default=2, choices=(0, 1, 2), help="duties per channel")
    parser.add_argument("--profile", metavar="FILE", help="py-spy the serving process during the job (raw stacks)")
    parser.add_argument("--worker", metavar="DAY", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(date.fromisoformat(args.worker))
        return
    pin(CLIENT_CPU)
    print(f"cores: serving process on {SERVER_CPU}, stand-in and this process on {CLIENT_CPU}")
    if not args.skip_free:
        report(run_fanout(args.channels, rate_limited=False, ceiling=True, profile=args.profile, duties=args.duties))
    if not args.skip_limited:
        report(run_fanout(2000 if args.full else args.limited_channels, rate_limited=True, duties=args.duties))


if __name__ == "__main__":
    main()
