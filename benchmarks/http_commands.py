"""Slash commands over real HTTP on loopback, as ratios to a bare endpoint of the same stack (SPEC §7).

    uv run python -m benchmarks.http_commands [--duration 4] [--levels 1,8,32,64] [--profile DIR]

Processes: this one runs the Mattermost stand-in (tests/standin) and orchestrates; the bot is
`amtsbote serve` (`python -m bot.cli serve`) against the stand-in and a fresh SQLite file; the
bare endpoint is `benchmarks/bare.py` under identical uvicorn settings; every measurement is a
separate `benchmarks/loadgen.py` process. The server is pinned to one core, the generator to
the other. Before the servers, the generator is measured against a trivial non-framework
server, which says how far the generator itself can go.

The world: `tests/live.py` `seed_world` plus more staff (20 people in one channel), commands
registered with `bot.register.register`, a rotation set up by slash commands (`einrichten
A,B woche min 2`, `aufteilen`) and a roster setting (`/anwesenheit zeit 07:45`). Requests are
built by the stand-in's own `MattermostClient._slash`, i.e. byte for byte the form POST and
headers Mattermost sends, one pre-encoded request per person, sent round-robin.

Scenarios: `roster` = `/anwesenheit` (no text); `plan` = `/homeoffice plan`; `duty` = `/dienst plan`
(the week's duty plan of two duties, "Telefondienst" anywhere and "Postdienst" on site); `write` =
`/homeoffice büro morgen` and `/homeoffice zurücksetzen morgen` alternating (the next working
day if tomorrow is none), so the database does not grow.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import (
    CLIENT_CPU,
    SERVER_CPU,
    WORKDIR,
    bot_env,
    cpu_seconds,
    free_port,
    memory_mb,
    next_working_day,
    pin,
    spawn,
    stop,
    table,
    wait_ready,
)

EXTRA_STAFF = [("gabi.wagner", "Gabi", "Wagner"), ("hans.becker", "Hans", "Becker"), ("ines.schulz", "Ines", "Schulz"),
               ("jonas.koch", "Jonas", "Koch"), ("karin.richter", "Karin", "Richter"), ("lars.klein", "Lars", "Klein"),
               ("mira.wolf", "Mira", "Wolf"), ("nils.neumann", "Nils", "Neumann"), ("olga.schwarz", "Olga", "Schwarz"),
               ("paul.zimmer", "Paul", "Zimmer"), ("rita.braun", "Rita", "Braun"), ("sven.krueger", "Sven", "Krüger"),
               ("tina.hofmann", "Tina", "Hofmann")]


def raw_request(outgoing: Any, port: int) -> str:
    """The request as Go's net/http client writes it (Host, User-Agent, Content-Length, the
    headers Mattermost sets, Accept-Encoding), as a latin-1 string for the generator."""
    path = "/" + outgoing.url.split("/", 3)[3]
    body = outgoing.content or b""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"User-Agent: {outgoing.headers['User-Agent']}",
             f"Content-Length: {len(body)}", f"Accept: {outgoing.headers['Accept']}",
             f"Authorization: {outgoing.headers['Authorization']}",
             f"Content-Type: {outgoing.headers['Content-Type']}", "Accept-Encoding: gzip"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1").decode("latin-1") + body.decode("latin-1")


class World:
    """The stand-in, the seeded team and the bot's database."""

    def __init__(self) -> None:
        from bot.register import register
        from config.settings import Settings
        from storage.migrate import upgrade
        from tests.live import seed_world
        from tests.standin import MattermostStandin

        self.standin = MattermostStandin(http="httptools").start()
        self.world = seed_world(self.standin)
        for username, first, last in EXTRA_STAFF:
            user = self.standin.add_user(username, first_name=first, last_name=last)
            self.standin.add_member(self.world["channel"], user)
            self.world["users"][username] = user
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{WORKDIR / 'http.db'}"
        upgrade(self.database_url)
        # The load sends thousands of commands per person and minute: the per-person quota
        # (COMMANDS_PER_MINUTE, default 30) would answer nearly all of them with "too many", so it is raised.
        self.env = bot_env(standin_url=self.standin.url, token=self.world["token"], port=self.port,
                           database_url=self.database_url, COMMANDS_PER_MINUTE="100000000")
        asyncio.run(register(Settings.from_env(self.env, env_file=None)))

    def slash(self, text: str, *, user: str = "anna.schmidt", command: str = "/homeoffice") -> Any:
        return self.standin.slash(self.url, user=self.world["users"][user], channel=self.world["channel"],
                                  command=command, text=text)

    def requests(self, command: str, texts: list[str]) -> list[str]:
        """One pre-encoded request per person and text, persons interleaved."""
        out = []
        for user in self.world["users"].values():
            for text in texts:
                outgoing = self.standin.client._slash(self.url, user, self.world["channel"], command, text, None,
                                                      None, "")
                out.append(raw_request(outgoing, self.port))
        return out


def load(port: int, requests: list[str], *, concurrency: int, warmup: float, duration: float,
         name: str, server_pid: int | None = None) -> dict[str, Any]:
    """One measurement in a fresh generator process; with `server_pid`, also the share of one core
    the server used over the whole cell (warm-up included)."""
    path = WORKDIR / f"requests-{name}.json"
    path.write_text(json.dumps(requests))
    proc = spawn(["-m", "benchmarks.loadgen", "--port", str(port), "--requests", str(path), "--concurrency",
                  str(concurrency), "--warmup", str(warmup), "--duration", str(duration)], cpu=CLIENT_CPU,
                 stdout=subprocess.PIPE)
    cpu0, t0 = (cpu_seconds(server_pid), time.perf_counter()) if server_pid else (0.0, 0.0)
    out, _ = proc.communicate(timeout=warmup + duration + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    if server_pid:
        result["cpu"] = (cpu_seconds(server_pid) - cpu0) / (time.perf_counter() - t0)
    return result


def row(name: str, r: dict[str, Any]) -> list[Any]:
    errors = ", ".join(f"{k}×{v}" for k, v in r["errors"].items()) or "-"
    cpu = f"{100 * r['cpu']:.0f} %" if "cpu" in r else "-"
    return [name, r["concurrency"], r["rps"], r["p50"], r["p99"], r["p999"], r["completed"], cpu, errors]


def metrics_outcomes(url: str) -> dict[str, float]:
    text = httpx.get(url + "/metrics", timeout=5).text
    return {m[0]: float(m[1]) for m in re.findall(r'^amtsbote_commands_total\{([^}]*)\} (\S+)$', text, re.M)}


def _count_rows(database_url: str, table_name: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table_name}")).scalar_one()
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="slash-command throughput and latency vs. a bare endpoint")
    parser.add_argument("--duration", type=float, default=4.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--levels", default="1,8,32,64", help="concurrent requests")
    parser.add_argument("--profile", metavar="DIR", help="py-spy the bot at 32 concurrent (needs py-spy on PATH)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    pin(CLIENT_CPU)
    started = time.perf_counter()
    print(f"cores: server on {SERVER_CPU}, load generator on {CLIENT_CPU}; {args.warmup:g} s warm-up + "
          f"{args.duration:g} s per cell")

    world = World()
    today = date.today()
    tomorrow = today + timedelta(days=1)
    day_word = "morgen" if next_working_day(today) == tomorrow else next_working_day(today).strftime("%d.%m.%Y")
    roster = world.requests("/anwesenheit", [""])
    plan = world.requests("/homeoffice", ["plan"])
    duty = world.requests("/dienst", ["plan"])
    write = world.requests("/homeoffice", [f"büro {day_word}", f"zurücksetzen {day_word}"])
    results: list[list[Any]] = []
    summary: dict[str, dict[int, dict[str, Any]]] = {}

    def measure(name: str, port: int, requests: list[str], level: int, server_pid: int | None = None,
                pid: int | None = None) -> dict[str, Any]:
        spy = None
        if pid and args.profile and level == 32 and shutil.which("py-spy"):
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            spy = subprocess.Popen(["py-spy", "record", "--idle", "-p", str(pid), "-r", "250", "-d",
                                    str(int(args.warmup + args.duration)), "--format", "raw", "-o",
                                    str(Path(args.profile) / f"{name}.txt")], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            time.sleep(0.5)
        r = load(port, requests, concurrency=level, warmup=args.warmup, duration=args.duration, name=name,
                 server_pid=server_pid)
        if spy is not None:
            spy.wait(60)
        results.append(row(name, r))
        summary.setdefault(name, {})[level] = r
        return r

    # 1. how far the generator goes: a trivial server without any framework
    trivial_port = free_port()
    trivial = spawn(["-m", "benchmarks.loadgen", "--serve-trivial", str(trivial_port)], cpu=SERVER_CPU,
                    stdout=subprocess.PIPE)
    assert trivial.stdout is not None and trivial.stdout.readline().strip() == "ready"
    for level in (32, 64):
        measure("trivial", trivial_port, roster, level, server_pid=trivial.pid)
    stop(trivial)

    # 2. the bare endpoint and the bot, both up (an idle server costs nothing); at each level the
    #    ceiling is measured right before the bot's scenarios, so every ratio is taken within seconds
    bare_port = free_port()
    bare_requests = [r.replace(f":{world.port}", f":{bare_port}", 1) for r in roster]
    bare = spawn(["-m", "benchmarks.bare", str(bare_port)], cpu=SERVER_CPU)
    bot = spawn(["-m", "bot.cli", "serve"], env=world.env, cpu=SERVER_CPU)
    try:
        wait_ready(f"http://127.0.0.1:{bare_port}", bare)
        wait_ready(world.url, bot)
        for text, command in (("einrichten A,B woche min 2", "/homeoffice"), ("aufteilen", "/homeoffice"),
                              ("zeit 07:45", "/anwesenheit"),
                              ('anlegen "Telefondienst" überall nummer 0391 540-2000', "/dienst"),
                              ('anlegen "Postdienst" vor-ort', "/dienst")):
            reply = world.slash(text, command=command)
            print(f"setup {command} {text}: {reply.status} {reply.text.splitlines()[0][:70] if reply.text else ''}")
        commands = {"roster": "/anwesenheit", "duty": "/dienst"}
        for name, text in (("roster", ""), ("plan", "plan"), ("duty", "plan"), ("write", f"büro {day_word}")):
            sample = world.slash(text, user="bernd.mueller", command=commands.get(name, "/homeoffice"))
            print(f"sample {name}: {sample.status} {sample.elapsed * 1000:.1f} ms, "
                  f"{sample.text.splitlines()[0][:70] if sample.text else sample.body[:70]}")
        world.slash(f"zurücksetzen {day_word}", user="bernd.mueller")
        for level in levels:
            measure("bare", bare_port, bare_requests, level, server_pid=bare.pid)
            for name, requests in (("roster", roster), ("plan", plan), ("duty", duty), ("write", write)):
                measure(name, world.port, requests, level, server_pid=bot.pid, pid=bot.pid)
        outcomes = metrics_outcomes(world.url)
        bot_memory = memory_mb(bot.pid)
        changes = _count_rows(world.database_url, "presence_change")
    finally:
        stop(bot)
        stop(bare)
        world.standin.stop()

    print()
    print(table(["scenario", "conc", "req/s", "p50 ms", "p99 ms", "p99.9 ms", "requests", "server CPU", "non-200"],
                results))
    print()
    print(f"presence_change rows after the write runs: {changes} (at most one per person: the database did not grow)")
    print(f"bot process memory after the load: RSS {bot_memory['VmRSS']:.0f} MB, peak {bot_memory['VmHWM']:.0f} MB")
    print("bot command outcomes (from /metrics):",
          ", ".join(f"{k.replace('kind=', '').replace('outcome=', '')}: {v:.0f}" for k, v in outcomes.items()))
    bare32, gen = summary["bare"].get(32), summary["trivial"][32]
    if bare32:
        print(f"generator ceiling at 32: {gen['rps']:,.0f} req/s = {gen['rps'] / bare32['rps']:.1f}× the bare endpoint")
        print("ratios at 32 concurrent (SPEC §7 bars: read/bare rps >= 0.5, read/bare p99 <= 2, write/bare rps >= 0.1):")
        for name in ("roster", "plan", "duty"):
            r32 = summary[name][32]
            print(f"  {name:6s} read/bare rps {r32['rps'] / bare32['rps']:.3f}   "
                  f"read/bare p99 {r32['p99'] / bare32['p99']:.1f}")
        print(f"  write  write/bare rps {summary['write'][32]['rps'] / bare32['rps']:.3f}")
    print("ratios per level (rps to bare): " + "; ".join(
        f"{lv}: roster {summary['roster'][lv]['rps'] / summary['bare'][lv]['rps']:.3f}, "
        f"plan {summary['plan'][lv]['rps'] / summary['bare'][lv]['rps']:.3f}, "
        f"duty {summary['duty'][lv]['rps'] / summary['bare'][lv]['rps']:.3f}, "
        f"write {summary['write'][lv]['rps'] / summary['bare'][lv]['rps']:.3f}" for lv in levels))
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
