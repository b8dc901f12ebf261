"""The ceiling for slash commands: the same HTTP stack doing nothing but the unavoidable.

`python -m benchmarks.bare PORT` serves a Starlette app with one route, `POST
/mattermost/command`, that reads the body, parses it with the bot's own `bot.http.parse_form`
and answers a constant ephemeral reply with the bot's own JSON helper, under uvicorn with
exactly the settings `amtsbote serve` uses (bot/cli.py `cmd_serve`). `GET /readyz` answers 200.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.http import _json, _read_body, parse_form

REPLY = {"response_type": "ephemeral", "text": "ok", "skip_slack_parsing": True}


async def command(request: Request) -> Response:
    body = await _read_body(request)
    if body is None:
        return _json({"error": "request too large"}, 413)
    form = parse_form(body)
    return _json(REPLY if form.get("token") else {"error": "unauthorized"})


async def readyz(request: Request) -> Response:
    return _json({"ready": True})


app = Starlette(routes=[Route("/mattermost/command", command, methods=["POST"]),
                        Route("/readyz", readyz, methods=["GET"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False,
                timeout_graceful_shutdown=10)
