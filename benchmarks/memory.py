"""Start-up time to ready, and resident memory, of `amtsbote serve`.

    uv run python -m benchmarks.memory [--channels 2000] [--repeat 3]

Time from starting the process (`python -m bot.cli serve`, i.e. `amtsbote serve`, against the
stand-in) until `GET /readyz` answers 200 - migrations checked, database and Mattermost
reachable - for a small world (one channel) and a large one (N channels, 10 people each, as
in the fan-out benchmark). The floors: starting the interpreter alone, and importing the
modules `serve` needs. Resident memory (VmRSS, VmHWM) is read at ready. The peak after the
morning fan-out is printed by `benchmarks/fanout.py` (its serving process); the peak after the
HTTP load by `benchmarks/http_commands.py`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from datetime import date

from benchmarks.common import (
    SERVER_CPU,
    WORKDIR,
    bot_env,
    free_port,
    memory_mb,
    next_working_day,
    seed_db_bulk,
    seed_standin_bulk,
    spawn,
    stop,
    table,
    wait_ready,
)

IMPORTS = "import bot.cli, bot.runtime, commands, storage.migrate, uvicorn"


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    spawn(args, cpu=SERVER_CPU).wait(60)
    return time.perf_counter() - started


def start_to_ready(env: dict[str, str], url: str) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    proc = spawn(["-m", "bot.cli", "serve"], env=env, cpu=SERVER_CPU, stdout=subprocess.DEVNULL)
    try:
        wait_ready(url, proc, timeout=120)
        elapsed = time.perf_counter() - started
        return elapsed, memory_mb(proc.pid)
    finally:
        stop(proc)


def main() -> None:
    from storage.migrate import upgrade
    from tests.standin import MattermostStandin

    parser = argparse.ArgumentParser(description="start-up time to ready and memory of amtsbote serve")
    parser.add_argument("--channels", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    interp = statistics.median(timed(["-c", "pass"]) for _ in range(args.repeat))
    imports = statistics.median(timed(["-c", IMPORTS]) for _ in range(args.repeat))
    rows.append(["python -c pass (floor)", interp, "-", "-"])
    rows.append(["import what serve needs", imports, "-", "-"])
    for channels in (1, args.channels):
        standin = MattermostStandin(http="httptools").start()
        try:
            world = seed_standin_bulk(standin, channels=channels, per_channel=10)
            database_url = f"sqlite:///{WORKDIR / f'startup-{channels}.db'}"
            upgrade(database_url)
            today = date.today()
            seed_db_bulk(database_url, world, day=next_working_day(today))
            port = free_port()
            env = bot_env(standin_url=standin.url, token=world["token"], port=port, database_url=database_url)
            runs = [start_to_ready(env, f"http://127.0.0.1:{port}") for _ in range(args.repeat)]
        finally:
            standin.stop()
        seconds = statistics.median(r[0] for r in runs)
        mem = runs[-1][1]
        rows.append([f"serve → /readyz 200, {channels:,} channel(s)", seconds, f"{mem['VmRSS']:.0f}",
                     f"{mem['VmHWM']:.0f}"])
    print(f"median of {args.repeat}; the process pinned to core {SERVER_CPU}")
    print(table(["what", "seconds", "RSS MB", "peak MB"], rows))
    print(f"ratio serve-to-ready (1 channel) / import floor: {rows[2][1] / imports:.2f}")


if __name__ == "__main__":
    main()
