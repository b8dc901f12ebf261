"""Typed settings from the environment (and `.env`, read with python-dotenv).

Settings are built once at the edge (`Settings.from_env()`) and passed in; nothing
reads the environment at import time. A missing or malformed value raises
`ConfigError` whose message is one line naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

COMMAND_KINDS = ("homeoffice", "roster", "forward", "meeting", "duty")
DEFAULT_TRIGGERS = {
    "de": {"homeoffice": "homeoffice", "roster": "anwesenheit", "forward": "rufumleitung", "meeting": "meeting",
           "duty": "dienst"},
    "en": {"homeoffice": "homeoffice", "roster": "roster", "forward": "forward", "meeting": "meeting", "duty": "duty"},
}
MEETING_PROVIDERS = ("jitsi", "bbb", "zoom")
_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "please-change-me"}


class ConfigError(Exception):
    """A configuration problem, phrased as one line that names the variable."""


def _time(name: str, raw: str) -> time:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw.strip())
    if not m:
        raise ConfigError(f"{name}: expected a time like 07:30, got {raw!r}")
    return time(int(m.group(1)), int(m.group(2)))


def _int(name: str, raw: str, *, minimum: int = 0) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


def _float(name: str, raw: str, *, minimum: float = 0.0) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}: expected a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


def _url(name: str, raw: str) -> str:
    raw = raw.strip().rstrip("/")
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"{name}: expected an http(s) URL like https://chat.example.org, got {raw!r}")
    return raw


def _locale(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("de", "en"):
        raise ConfigError(f"{name}: expected de or en, got {raw!r}")
    return value


def _region(name: str, raw: str) -> str:
    value = raw.strip().upper()
    if not re.fullmatch(r"DE(-(BW|BY|BE|BB|HB|HH|HE|MV|NI|NW|RP|SL|SN|ST|SH|TH))?", value):
        raise ConfigError(f"{name}: expected DE or a German state like DE-ST, got {raw!r}")
    return value


def _listen(name: str, raw: str) -> tuple[str, int]:
    host, sep, port = raw.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name}: expected HOST:PORT like 127.0.0.1:8080, got {raw!r}")
    return host.strip("[]"), int(port)


def redact_url(url: str) -> str:
    """`url` with the password of its user part replaced by ***, for messages and logs. Cautious:
    everything between the first ":" after "//" and the last "@" counts as the password."""
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if not sep or at < 0:
        return url
    user, colon, _password = rest[:at].partition(":")
    return f"{scheme}://{user}:***@{rest[at + 1:]}" if colon else url


def _database_url(name: str, raw: str) -> str:
    value = raw.strip()
    shown = redact_url(value)[:80]
    if not re.match(r"^(sqlite|postgresql(\+psycopg)?|postgres)://", value):
        raise ConfigError(f"{name}: expected sqlite:///path or postgresql://user@host/db, got {shown!r}")
    if value.startswith("sqlite") and urlparse(value).netloc:
        raise ConfigError(f"{name}: expected sqlite:///relative/path or sqlite:////absolute/path, got {shown!r}")
    if not value.startswith("sqlite"):
        try:
            urlparse(value).port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise ConfigError(f"{name}: not a valid URL (is the port a number? special characters in the "
                              f"password must be percent-encoded), got {shown!r}") from None
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://") :]
    if value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value[len("postgresql://") :]
    return value


def _triggers(name: str, raw: str, locale: str) -> dict[str, str]:
    """`homeoffice=homeoffice,roster=anwesenheit,...`; kinds not named keep their default."""
    triggers = dict(DEFAULT_TRIGGERS[locale])
    if not raw.strip():
        return triggers
    for part in raw.split(","):
        kind, sep, trigger = part.strip().partition("=")
        kind, trigger = kind.strip().lower(), trigger.strip().lstrip("/").lower()
        if not sep or kind not in COMMAND_KINDS or not re.fullmatch(r"[a-z0-9äöüß_-]{1,128}", trigger):
            raise ConfigError(
                f"{name}: expected kind=trigger pairs like homeoffice=homeoffice,roster=anwesenheit "
                f"(kinds: {', '.join(COMMAND_KINDS)}), got {part.strip()!r}"
            )
        triggers[kind] = trigger
    if len(set(triggers.values())) != len(triggers):
        raise ConfigError(f"{name}: two commands share one trigger: {raw!r}")
    return triggers


@dataclass(frozen=True)
class Settings:
    mattermost_url: str | None = None
    mattermost_token: str | None = field(default=None, repr=False)
    bot_public_url: str | None = None
    bot_listen: tuple[str, int] = ("127.0.0.1", 8080)
    database_url: str = "sqlite:///./data/amtsbote.db"
    bot_secret: str | None = field(default=None, repr=False)
    bot_locale: str = "de"
    bot_timezone: str = "Europe/Berlin"
    bot_holiday_region: str = "DE"
    roster_time: time = time(7, 30)
    roster_latest: time = time(12, 0)
    forward_default_end: time = time(18, 0)
    retention_days: int = 90
    command_triggers: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TRIGGERS["de"]))
    meeting_provider: str = "jitsi"
    jitsi_url: str | None = None  # no public default: the operator chooses the server
    bbb_url: str | None = None
    bbb_secret: str | None = field(default=None, repr=False)
    zoom_account_id: str | None = None
    zoom_client_id: str | None = None
    zoom_client_secret: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    outbox_max_rate: float = 10.0
    outbox_burst: int = 20
    commands_per_minute: int = 30
    meetings_per_person: int = 25

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def trigger_kind(self, command: str) -> str | None:
        """Map "/anwesenheit" to "roster" etc.; None for a trigger we do not serve."""
        trigger = command.strip().lstrip("/").lower()
        for kind, configured in self.command_triggers.items():
            if configured == trigger:
                return kind
        return None

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        env_file: str | Path | None = ".env",
        require: tuple[str, ...] = (),
    ) -> Settings:
        """Read settings; `require` names variables that this command cannot run without."""
        values: dict[str, str] = {}
        if env_file is not None and Path(env_file).is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            raw = values.get(name)
            return raw if raw is not None and raw.strip() != "" else None

        for name in require:
            if get(name) is None:
                raise ConfigError(f"{name}: missing; set it in the environment or in .env (see .env.example)")

        kw: dict[str, object] = {}
        if (v := get("MATTERMOST_URL")) is not None:
            kw["mattermost_url"] = _url("MATTERMOST_URL", v)
        if (v := get("MATTERMOST_TOKEN")) is not None:
            if not re.fullmatch(r"[A-Za-z0-9]{10,64}", v.strip()):
                raise ConfigError("MATTERMOST_TOKEN: expected the bot account's access token (letters and digits)")
            kw["mattermost_token"] = v.strip()
        if (v := get("BOT_PUBLIC_URL")) is not None:
            kw["bot_public_url"] = _url("BOT_PUBLIC_URL", v)
        if (v := get("BOT_LISTEN")) is not None:
            kw["bot_listen"] = _listen("BOT_LISTEN", v)
        if (v := get("DATABASE_URL")) is not None:
            kw["database_url"] = _database_url("DATABASE_URL", v)
        if (v := get("BOT_SECRET")) is not None:
            if v.strip().lower() in _PLACEHOLDER_SECRETS or len(v.strip()) < 32:
                raise ConfigError("BOT_SECRET: must be a random string of at least 32 characters (e.g. `openssl rand -hex 32`)")
            kw["bot_secret"] = v.strip()
        locale = _locale("BOT_LOCALE", v) if (v := get("BOT_LOCALE")) is not None else "de"
        kw["bot_locale"] = locale
        if (v := get("BOT_TIMEZONE")) is not None:
            try:
                ZoneInfo(v.strip())
            except (ZoneInfoNotFoundError, ValueError):
                raise ConfigError(f"BOT_TIMEZONE: unknown time zone {v!r}; expected e.g. Europe/Berlin") from None
            kw["bot_timezone"] = v.strip()
        if (v := get("BOT_HOLIDAY_REGION")) is not None:
            kw["bot_holiday_region"] = _region("BOT_HOLIDAY_REGION", v)
        for env_name, attr in (
            ("ROSTER_TIME", "roster_time"),
            ("ROSTER_LATEST", "roster_latest"),
            ("FORWARD_DEFAULT_END", "forward_default_end"),
        ):
            if (v := get(env_name)) is not None:
                kw[attr] = _time(env_name, v)
        if (v := get("RETENTION_DAYS")) is not None:
            kw["retention_days"] = _int("RETENTION_DAYS", v, minimum=1)
        kw["command_triggers"] = _triggers("COMMAND_TRIGGERS", get("COMMAND_TRIGGERS") or "", locale)
        if (v := get("MEETING_PROVIDER")) is not None:
            provider = v.strip().lower()
            if provider not in MEETING_PROVIDERS:
                raise ConfigError(f"MEETING_PROVIDER: expected one of {', '.join(MEETING_PROVIDERS)}, got {v!r}")
            kw["meeting_provider"] = provider
        if (v := get("JITSI_URL")) is not None:
            kw["jitsi_url"] = _url("JITSI_URL", v)
        if (v := get("BBB_URL")) is not None:
            kw["bbb_url"] = _url("BBB_URL", v)
        for env_name, attr in (
            ("BBB_SECRET", "bbb_secret"),
            ("ZOOM_ACCOUNT_ID", "zoom_account_id"),
            ("ZOOM_CLIENT_ID", "zoom_client_id"),
            ("ZOOM_CLIENT_SECRET", "zoom_client_secret"),
        ):
            if (v := get(env_name)) is not None:
                kw[attr] = v.strip()
        if (v := get("LOG_LEVEL")) is not None:
            level = v.strip().upper()
            if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
                raise ConfigError(f"LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got {v!r}")
            kw["log_level"] = level
        if (v := get("OUTBOX_MAX_RATE")) is not None:
            kw["outbox_max_rate"] = _float("OUTBOX_MAX_RATE", v, minimum=0.1)
        if (v := get("OUTBOX_BURST")) is not None:
            kw["outbox_burst"] = _int("OUTBOX_BURST", v, minimum=1)
        if (v := get("COMMANDS_PER_MINUTE")) is not None:
            kw["commands_per_minute"] = _int("COMMANDS_PER_MINUTE", v, minimum=1)
        if (v := get("MEETINGS_PER_PERSON")) is not None:
            kw["meetings_per_person"] = _int("MEETINGS_PER_PERSON", v, minimum=1)

        settings = cls(**kw)  # type: ignore[arg-type]
        if settings.roster_latest <= settings.roster_time:
            raise ConfigError("ROSTER_LATEST: must be later than ROSTER_TIME")
        provider = settings.meeting_provider
        if provider == "bbb" and not (settings.bbb_url and settings.bbb_secret):
            raise ConfigError("BBB_URL: MEETING_PROVIDER=bbb needs BBB_URL and BBB_SECRET")
        if provider == "zoom" and not (
            settings.zoom_account_id and settings.zoom_client_id and settings.zoom_client_secret
        ):
            raise ConfigError("ZOOM_ACCOUNT_ID: MEETING_PROVIDER=zoom needs ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
        return settings

    def replace(self, **changes: object) -> Settings:
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update(changes)
        return Settings(**current)


ENV_VARIABLES = (
    "MATTERMOST_URL", "MATTERMOST_TOKEN", "BOT_PUBLIC_URL", "BOT_LISTEN", "DATABASE_URL", "BOT_SECRET",
    "BOT_LOCALE", "BOT_TIMEZONE", "BOT_HOLIDAY_REGION", "ROSTER_TIME", "ROSTER_LATEST", "FORWARD_DEFAULT_END",
    "RETENTION_DAYS", "COMMAND_TRIGGERS", "MEETING_PROVIDER", "JITSI_URL", "BBB_URL", "BBB_SECRET",
    "ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "LOG_LEVEL", "OUTBOX_MAX_RATE", "OUTBOX_BURST",
    "COMMANDS_PER_MINUTE", "MEETINGS_PER_PERSON",
)
