"""What one slash command costs: SQL statements, transactions, fsyncs and Mattermost requests.

    uv run python -m benchmarks.queries

Runs the real bot in-process (`tests/live.py` `LiveBot`: `Runtime` under uvicorn, real
Mattermost client) against the stand-in with the same world as `benchmarks/http_commands.py`,
and counts, per command, the SQL statements the bot's engine executes (by verb), the Mattermost
requests the stand-in receives, and the time to answer - first call (cold caches) and the
average of the following calls (warm). These counts explain the figures of the HTTP benchmark.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event

from benchmarks.common import WORKDIR, next_working_day, table
from benchmarks.http_commands import EXTRA_STAFF

WARM_CALLS = 20


def main() -> None:
    from tests.live import LiveBot
    from tests.standin import MattermostStandin

    standin = MattermostStandin(http="httptools").start()
    live = LiveBot(standin, WORKDIR)
    for username, first, last in EXTRA_STAFF:
        user = standin.add_user(username, first_name=first, last_name=last)
        standin.add_member(live.world["channel"], user)
        live.world["users"][username] = user
    live.register()
    live.start()
    try:
        assert live.runtime is not None
        statements: Counter[str] = Counter()

        @event.listens_for(live.runtime.db.engine, "before_cursor_execute")
        def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements[statement.split(None, 1)[0].upper()] += 1

        @event.listens_for(live.runtime.db.engine, "commit")
        def _commit(conn: Any) -> None:
            statements["(commit)"] += 1

        handler_seconds: list[float] = []
        dispatcher = live.runtime.dispatcher
        command_method = dispatcher.command

        async def timed_command(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await command_method(*args, **kwargs)
            finally:
                handler_seconds.append(time.perf_counter() - started)

        dispatcher.command = timed_command  # type: ignore[method-assign]  # looked up per request by bot/http.py

        live.slash("einrichten A,B woche min 2")
        live.slash("aufteilen")
        live.slash("zeit 07:45", command="/anwesenheit")
        today = date.today()
        word = "morgen" if next_working_day(today) == today + timedelta(days=1) else \
            next_working_day(today).strftime("%d.%m.%Y")
        cases = [("/anwesenheit", ""), ("/homeoffice", "plan"), ("/homeoffice", f"büro {word}"),
                 ("/homeoffice", f"zurücksetzen {word}")]
        rows = []
        for command, text in cases:
            for label, users in (("cold", ["claudia.weber"]), ("warm", ["bernd.mueller"] * WARM_CALLS)):
                if label == "warm":
                    live.slash(text, user="bernd.mueller", command=command)  # fill the caches
                measured: Counter[str] = Counter()
                mm: Counter[str] = Counter()
                handler: list[float] = []
                for user in users:
                    if text.startswith("zurücksetzen"):  # something to clear, outside the measurement
                        live.slash(f"büro {word}", user=user, command=command)
                    statements.clear()
                    handler_seconds.clear()
                    before = len(standin.requests)
                    reply = live.slash(text, user=user, command=command)
                    assert reply.status == 200, reply
                    measured.update(statements)
                    handler.extend(handler_seconds)
                    mm.update(f"{r.method} {r.path.split('/')[3] if r.path.startswith('/api/v4/') else r.path}"
                              for r in standin.requests[before:] if not r.path.startswith("/hooks/"))
                    if text.startswith("büro"):  # keep the state the same for every call
                        live.slash(f"zurücksetzen {word}", user=user, command=command)
                n = len(users)
                per = {k: v / n for k, v in measured.items()}
                commits = per.pop("(commit)", 0)
                rows.append([f"{command} {text}".strip(), label, f"{sum(per.values()):g}",
                             " ".join(f"{k} {v:g}" for k, v in sorted(per.items())), f"{commits:g}",
                             " ".join(f"{k} ×{v / n:g}" for k, v in mm.items()) or "-",
                             f"{1000 * sum(handler) / max(len(handler), 1):.2f}"])
        print("per command; handler ms = time in Dispatcher.command on the bot's event loop (the loop is blocked")
        print("for all of it except Mattermost requests and the wait for a grouped commit); each commit is an")
        print("fsync (synchronous=FULL). Commands are sent one at a time here, so each write commits alone; under")
        print("concurrent load the /homeoffice changes of the same moment share one commit (Database.grouped_write)")
        print(table(["command", "caches", "SQL", "by verb", "commits", "Mattermost requests", "handler ms"], rows))
    finally:
        live.stop()
        standin.stop()


if __name__ == "__main__":
    main()
