"""Wiring: settings in, a running bot out (HTTP endpoint, outbox, scheduler ticks, websocket).

`serve` and the tests build the same `Runtime`; only the Mattermost port, the
clock and the listen address differ.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from base.chat import MattermostError, MattermostPort
from base.clock import Clock, SystemClock
from base.ratelimit import TokenBucket
from base.signing import Signer
from bot import metrics
from bot.dispatch import Dispatcher
from bot.http import create_app
from bot.jobs import all_jobs
from bot.mattermost import RestMattermost
from bot.outbox import Outbox
from commands.base import Services
from commands.registry import FEATURES, REGISTRY
from config.settings import Settings
from domain import calendar as cal
from storage.db import Database
from storage.inuse import ServeClaim

log = logging.getLogger("amtsbote.runtime")

TICK_SECONDS = 15

class Runtime:
    def __init__(self, settings: Settings, *, mm: MattermostPort | None = None, clock: Clock | None = None,
                 db: Database | None = None, tick_seconds: float = TICK_SECONDS) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = db or Database(settings.database_url)
        # One count of everything we send to Mattermost, as its limiter counts it: posts and edits
        # wait for it in the outbox, the port's other requests are counted in it as they go.
        bucket = TokenBucket(settings.outbox_max_rate, settings.outbox_burst, monotonic=self.clock.monotonic)
        if mm is None:
            if not (settings.mattermost_url and settings.mattermost_token):
                raise ValueError("MATTERMOST_URL and MATTERMOST_TOKEN are needed to talk to Mattermost")
            mm = RestMattermost(settings.mattermost_url, settings.mattermost_token, limiter=bucket)
        self.mm = mm
        self.outbox = Outbox(self.db, mm, self.clock, bucket=getattr(mm, "limiter", None) or bucket)
        self.services = Services(settings=settings, db=self.db, clock=self.clock, mm=mm,
                                 signer=Signer(settings.bot_secret or "console-only-secret-not-for-production"),
                                 notify_outbox=self.outbox.notify, features=FEATURES, count=metrics.count_event)
        self.dispatcher = Dispatcher(self.services, REGISTRY)
        self.tick_seconds = tick_seconds
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._scheduler: AsyncIOScheduler | None = None
        self._tick_lock = asyncio.Lock()
        # Held while this process serves: `db restore` and `db move` are refused meanwhile (storage/inuse.py).
        self.claim = ServeClaim(settings.database_url)
        metrics.DATABASE_GAUGES.watch(self.db, self.clock, self.services.tz)

    def app(self) -> Any:
        return create_app(self.dispatcher, lifespan=self.lifespan)

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    async def start(self) -> None:
        self._stop = asyncio.Event()
        await self.claim.wait()
        try:
            await self.mm.me()
            metrics.MATTERMOST_UP.set(1)
        except MattermostError as e:  # down at start: the port logged it (URL, cause); the outbox waits for it
            metrics.MATTERMOST_UP.set(0)
            log.debug("Mattermost not reachable at start (%s); starting anyway", e)
        except Exception as e:  # noqa: BLE001 - whatever else, the bot still starts
            metrics.MATTERMOST_UP.set(0)
            log.warning("Mattermost at %s did not answer at start (%s); starting anyway",
                        self.settings.mattermost_url, type(e).__name__)
        self.dispatcher.tokens.reload()
        # Load the holiday tables now rather than in the first command or the morning fan-out.
        cal.is_working_day(self.clock.now().astimezone(self.services.tz).date(), self.settings.bot_holiday_region)
        self._tasks.append(asyncio.create_task(self.outbox.run(self._stop), name="outbox"))
        if isinstance(self.mm, RestMattermost):
            self._tasks.append(asyncio.create_task(self._websocket(), name="websocket"))
        self._scheduler = AsyncIOScheduler(timezone=self.settings.bot_timezone)
        self._scheduler.add_job(self.tick, "interval", seconds=self.tick_seconds, id="tick",
                                max_instances=1, coalesce=True, misfire_grace_time=None)
        self._scheduler.start()
        # The first tick runs at once: whatever fell due while we were down is done now.
        self._tasks.append(asyncio.create_task(self.tick(), name="first-tick"))

    async def tick(self) -> None:
        """Run every scheduled job once; APScheduler only provides the beat."""
        async with self._tick_lock:
            for job in all_jobs(self.services.features):
                try:
                    await job(self.services)
                except MattermostError as e:  # an outage: said once by the port; the job runs again next tick
                    log.debug("scheduled job %s: Mattermost failed (%s); again at the next tick",
                              getattr(job, "__name__", job), e)
                except Exception:
                    log.exception("scheduled job %s failed", getattr(job, "__name__", job))
            if log.isEnabledFor(logging.DEBUG):
                log.debug("tick done")
            self.outbox.notify()
            try:
                up = await self.mm.ping()
            except Exception:  # noqa: BLE001 - a ping that fails in any way says: not reachable
                up = False
            metrics.MATTERMOST_UP.set(1 if up else 0)
            metrics.LAST_TICK.set_to_current_time()

    async def _websocket(self) -> None:
        """Listen for changes that make our caches stale (locale, names, roles)."""
        mm = self.mm
        assert isinstance(mm, RestMattermost)

        async def on_event(raw: str) -> None:
            try:
                event = json.loads(raw)
            except ValueError:
                return
            name = event.get("event")
            data = event.get("data") or {}
            if name == "user_updated":
                user = data.get("user") or {}
                if isinstance(user, dict) and user.get("id"):
                    mm.forget_user(user["id"])
            elif name in ("user_added", "user_removed"):
                channel_id = (event.get("broadcast") or {}).get("channel_id") or data.get("channel_id")
                if channel_id:
                    mm.forget_channel(channel_id)
            elif name in ("channel_member_updated", "memberrole_updated"):
                # The member arrives as a JSON string; a role change anywhere drops cached role checks.
                mm.forget_roles()

        with contextlib.suppress(asyncio.CancelledError):
            await mm.listen(on_event)

    async def stop(self) -> None:
        self._stop.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if isinstance(self.mm, RestMattermost) and self.mm._driver.websocket is not None:
            self.mm._driver.websocket.disconnect()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.mm.close()
        self.claim.release()
