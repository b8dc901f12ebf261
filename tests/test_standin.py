"""The Mattermost stand-in, proven with the real client (`mattermostautodriver`) over loopback.

Every later test trusts the stand-in, so each behaviour the bot depends on is shown here
the way the bot meets it: REST calls, the websocket, injected faults, spec validation,
and the server's own requests to the bot (slash commands, response_url).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

import httpx
import pytest
import uvicorn
from mattermostautodriver import AsyncTypedDriver
from mattermostautodriver.exceptions import (
    InvalidOrMissingParameters,
    NotEnoughPermissions,
    TooManyRequests,
    UnknownMattermostError,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.standin import MattermostClient, MattermostStandin, fixtures

# The stand-in's fixtures, imported explicitly (the project conftest may import them too).
standin = fixtures.standin
mattermost_client = fixtures.mattermost_client

pytestmark = pytest.mark.timeout(60)


# -- helpers ------------------------------------------------------------------------------------


def driver_for(mm: MattermostStandin, token: str, **options: Any) -> AsyncTypedDriver:
    """The bot's own driver configuration (bot/mattermost.py), pointed at the stand-in."""
    driver = AsyncTypedDriver({"url": mm.host, "port": mm.port, "scheme": "http", "token": token,
                               "request_timeout": 5.0, "max_retries": 0, "keepalive": True, "keepalive_delay": 0.2,
                               **options})
    driver.client.token = token  # as RestMattermost does; login() would also set it
    return driver


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@pytest.fixture
def world(standin: MattermostStandin) -> dict[str, Any]:
    """An Amt with a bot, two colleagues and a channel they all share."""
    team = standin.add_team("stadtverwaltung", "Stadtverwaltung")
    bot, token = standin.add_bot("amtsbote")
    anna = standin.add_user("anna.schmidt", first_name="Anna", last_name="Schmidt")
    bernd = standin.add_user("bernd.meier", first_name="Bernd", last_name="Meier", locale="en",
                             timezone={"useAutomaticTimezone": "false", "automaticTimezone": "",
                                       "manualTimezone": "Europe/Berlin"})
    asd = standin.add_channel(team, "jugendamt-asd", "Jugendamt ASD")
    for user in (bot, anna, bernd):
        standin.add_member(asd, user)
    return {"team": team, "bot": bot, "token": token, "anna": anna, "bernd": bernd, "asd": asd,
            "anna_token": standin.add_token(anna)}


class Receiver:
    """A tiny bot endpoint on a free port that records what Mattermost sends it."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []

        async def endpoint(request: Request) -> JSONResponse:
            body = await request.body()
            self.requests.append({"method": request.method, "headers": dict(request.headers), "body": body,
                                  "form": list((await request.form()).multi_items()) if body else []})
            return self.reply(request) if callable(self.reply) else JSONResponse(self.reply)

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY, see server
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/{p:path}", endpoint, methods=["POST"])]),
                                                    log_config=None, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)


@pytest.fixture
def receiver() -> Any:
    made: list[Receiver] = []

    def make(reply: Any) -> Receiver:
        made.append(Receiver(reply))
        return made[-1]

    yield make
    for r in made:
        r.close()


# -- REST with the real driver -------------------------------------------------------------------


def test_bot_posts_patches_and_reads_back_through_the_driver(standin: MattermostStandin, world: dict) -> None:
    async def scenario() -> None:
        driver = driver_for(standin, world["token"])
        me = await driver.login()
        assert me["id"] == world["bot"].id and me["is_bot"] is True
        post = await driver.client.post("/api/v4/posts", options={
            "channel_id": world["asd"].id, "message": "Guten Morgen", "pending_post_id": "p1",
            "props": {"amtsbote_key": "k1"}}, params={"set_online": "false"})
        assert post["props"] == {"amtsbote_key": "k1", "from_bot": "true"}
        patched = await driver.client.put(f"/api/v4/posts/{post['id']}/patch",
                                          options={"message": "Guten Tag", "props": {"amtsbote_key": "k1"}})
        assert patched["message"] == "Guten Tag" and patched["edit_at"] > 0
        since = await driver.client.get(f"/api/v4/channels/{world['asd'].id}/posts",
                                        params={"since": post["create_at"] - 1, "page": 0, "per_page": 200})
        assert since["order"] == [post["id"]] and since["posts"][post["id"]]["message"] == "Guten Tag"
        assert (await driver.posts.get_post(post["id"]))["user_id"] == world["bot"].id
        users = await driver.client.get("/api/v4/users", params={"in_channel": world["asd"].id, "page": 0,
                                                                 "per_page": 200})
        assert [u["username"] for u in users] == ["amtsbote", "anna.schmidt", "bernd.meier"]
        assert users[2]["timezone"]["manualTimezone"] == "Europe/Berlin" and users[2]["locale"] == "en"
        members = await driver.client.get(f"/api/v4/channels/{world['asd'].id}/members")
        assert {m["user_id"] for m in members} == {world["bot"].id, world["anna"].id, world["bernd"].id}
        by_ids = await driver.client.post("/api/v4/users/ids", options=[world["anna"].id, world["bernd"].id])
        assert {u["first_name"] for u in by_ids} == {"Anna", "Bernd"}
        by_name = await driver.client.post("/api/v4/users/usernames", options=["bernd.meier"])
        assert by_name[0]["id"] == world["bernd"].id
        member = await driver.client.get(f"/api/v4/channels/{world['asd'].id}/members/{world['anna'].id}")
        assert member["scheme_admin"] is False and member["roles"] == "channel_user"
        assert (await driver.client.get(f"/api/v4/teams/{world['team'].id}/members/{world['bot'].id}"))["scheme_user"]
        assert (await driver.client.get("/api/v4/system/ping"))["status"] == "OK"
        with pytest.raises(InvalidOrMissingParameters):  # PostMessageMaxRunesV2 = 16383
            await driver.client.post("/api/v4/posts", options={"channel_id": world["asd"].id, "message": "ä" * 16384})
        await driver.close()

    run(scenario())
    stored = standin.posts_in(world["asd"])
    assert [p.message for p in stored] == ["Guten Tag"]
    assert [e.event for e in standin.events if e.event.startswith("post")] == ["posted", "post_edited"]


def test_direct_channel_is_idempotent_and_dms_are_found(standin: MattermostStandin, world: dict) -> None:
    async def scenario() -> list[dict]:
        driver = driver_for(standin, world["token"])
        first = await driver.client.post("/api/v4/channels/direct", options=[world["bot"].id, world["anna"].id])
        again = await driver.client.post("/api/v4/channels/direct", options=[world["bot"].id, world["anna"].id])
        await driver.client.post("/api/v4/posts", options={"channel_id": first["id"], "message": "Erinnerung"})
        with pytest.raises(NotEnoughPermissions):
            await driver.client.post("/api/v4/channels/direct", options=[world["anna"].id, world["bernd"].id])
        await driver.close()
        return [first, again]

    first, again = run(scenario())
    assert first["id"] == again["id"] and first["type"] == "D" and first["team_id"] == ""
    assert first["name"] == "__".join(sorted([world["bot"].id, world["anna"].id]))
    assert [p.message for p in standin.dms_for(world["anna"])] == ["Erinnerung"]


def test_file_upload_keeps_the_bytes(standin: MattermostStandin, world: dict) -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    async def scenario() -> dict:
        driver = driver_for(standin, world["token"])
        result = await driver.client.post("/api/v4/files", data={"channel_id": world["asd"].id},
                                          files={"files": ("termin.ics", ics, "text/calendar")})
        info = result["file_infos"][0]
        post = await driver.client.post("/api/v4/posts", options={"channel_id": world["asd"].id, "message": "",
                                                                  "file_ids": [info["id"]]})
        await driver.close()
        return {"info": info, "post": post}

    out = run(scenario())
    assert out["info"]["name"] == "termin.ics" and out["info"]["mime_type"] == "text/calendar"
    assert standin.file_bytes(out["info"]["id"]) == ics
    assert out["post"]["file_ids"] == [out["info"]["id"]]
    assert out["post"]["metadata"]["files"][0]["size"] == len(ics)


def test_commands_create_list_update_need_team_admin(standin: MattermostStandin, world: dict) -> None:
    team = world["team"]
    command = {"team_id": team.id, "trigger": "HomeOffice", "method": "P", "url": "http://bot.test/mattermost/command",
               "display_name": "Homeoffice", "description": "Homeoffice-Tage", "auto_complete": True,
               "auto_complete_desc": "Homeoffice planen", "auto_complete_hint": "[heute|morgen]", "username": "",
               "icon_url": ""}

    async def scenario() -> None:
        driver = driver_for(standin, world["token"])
        with pytest.raises(NotEnoughPermissions):  # manage_slash_commands is team_admin's, not team_user's
            await driver.client.post("/api/v4/commands", options=command)
        standin.set_team_admin(team, world["bot"])
        created = await driver.client.post("/api/v4/commands", options=command)
        assert created["trigger"] == "homeoffice" and len(created["token"]) == 26
        assert created["creator_id"] == world["bot"].id
        with pytest.raises(InvalidOrMissingParameters):
            await driver.client.post("/api/v4/commands", options=command)  # duplicate trigger in the team
        listed = await driver.commands.list_commands(team_id=team.id, custom_only=True)
        assert [c["id"] for c in listed] == [created["id"]]
        updated = await driver.client.put(f"/api/v4/commands/{created['id']}",
                                          options={**created, "url": "http://bot.test/v2/command"})
        assert updated["url"] == "http://bot.test/v2/command" and updated["token"] == created["token"]
        assert (await driver.client.get(f"/api/v4/commands/{created['id']}"))["url"] == "http://bot.test/v2/command"
        await driver.close()

    run(scenario())
    assert standin.commands(team)[0].url == "http://bot.test/v2/command"


# -- websocket --------------------------------------------------------------------------------------


def test_websocket_hello_posted_and_user_updated(standin: MattermostStandin, world: dict) -> None:
    outsider = standin.add_user("carla.outsider")
    standin.add_team_member(world["team"], outsider)

    async def scenario() -> list[dict]:
        driver = driver_for(standin, world["token"])
        messages: list[dict] = []
        seen = asyncio.Event()

        async def handler(raw: str) -> None:
            messages.append(json.loads(raw))
            if messages[-1].get("event") == "user_updated":
                seen.set()

        task = asyncio.create_task(driver.init_websocket(handler))
        for _ in range(200):
            if any(m.get("event") == "hello" for m in messages):
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=standin.url,
                                     headers={"Authorization": f"Bearer {world['anna_token']}"}) as anna:
            response = await anna.post("/api/v4/posts", json={"channel_id": world["asd"].id,
                                                              "message": "Hallo @amtsbote"})
            assert response.status_code == 201
        standin.update_user(world["bernd"], locale="de")
        await asyncio.wait_for(seen.wait(), 5)
        driver.websocket.disconnect()
        task.cancel()
        await driver.close()
        return messages

    messages = run(scenario())
    hello = next(m for m in messages if m.get("event") == "hello")
    assert hello["seq"] == 0 and hello["data"]["connection_id"]
    assert {"status": "OK", "seq_reply": 1} in messages
    events = [m for m in messages if "event" in m]
    assert [m["seq"] for m in events] == list(range(len(events)))
    posted = next(m for m in events if m["event"] == "posted")
    post = json.loads(posted["data"]["post"])  # a JSON string inside the JSON event
    assert post["message"] == "Hallo @amtsbote" and post["user_id"] == world["anna"].id
    assert posted["broadcast"]["channel_id"] == world["asd"].id
    assert json.loads(posted["data"]["mentions"]) == [world["bot"].id]
    updated = next(m for m in events if m["event"] == "user_updated")
    assert updated["data"]["user"]["locale"] == "de"
    assert outsider.id not in standin.events[-2].recipients  # `posted` only reaches channel members


def test_websocket_rejects_a_bad_token_and_answers_ping(standin: MattermostStandin, world: dict) -> None:
    import websockets

    async def scenario() -> None:
        url = standin.url.replace("http", "ws") + "/api/v4/websocket"
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"seq": 1, "action": "authentication_challenge", "data": {"token": "nope"}}))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"seq": 1, "action": "authentication_challenge",
                                      "data": {"token": world["token"]}}))
            first = [json.loads(await ws.recv()) for _ in range(2)]
            assert first[0]["event"] == "hello" and first[1] == {"status": "OK", "seq_reply": 1}
            await ws.send(json.dumps({"seq": 2, "action": "ping"}))
            pong = json.loads(await ws.recv())
            assert pong["seq_reply"] == 2 and pong["data"]["text"] == "pong"
            standin.set_channel_admin(world["asd"], world["bot"])
            event = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert event["event"] == "channel_member_updated" and event["seq"] == 1
            assert json.loads(event["data"]["channelMember"])["scheme_admin"] is True

    run(scenario())


# -- faults ---------------------------------------------------------------------------------------


def test_503_three_times_then_success(standin: MattermostStandin, world: dict) -> None:
    fault = standin.faults.add(method="POST", path=r"^/api/v4/posts$", status=503, times=3)

    async def scenario() -> dict:
        driver = driver_for(standin, world["token"])
        for _ in range(3):
            with pytest.raises(UnknownMattermostError) as failure:
                await driver.client.post("/api/v4/posts", options={"channel_id": world["asd"].id, "message": "x"})
            assert failure.value.status_code == 503
        post = await driver.client.post("/api/v4/posts", options={"channel_id": world["asd"].id, "message": "x"})
        await driver.close()
        return post

    assert run(scenario())["message"] == "x"
    assert fault.hits == 3 and len(standin.posts_in(world["asd"])) == 1
    assert [r.outcome for r in standin.requests_to("POST", r"^/api/v4/posts$")] == ["fault"] * 3 + ["ok"]


def test_timed_faults_and_the_drivers_own_retries_of_gets(standin: MattermostStandin, world: dict) -> None:
    standin.faults.add(method="GET", path="/users/me", status=502, times=2)

    async def scenario() -> None:
        driver = driver_for(standin, world["token"], max_retries=3, retry_max_sleep=0.05)
        assert (await driver.client.get("/api/v4/users/me"))["id"] == world["bot"].id  # retried twice
        plain = driver_for(standin, world["token"])
        standin.faults.add(method="GET", path="/system/ping", status=503, for_seconds=1.0)
        with pytest.raises(UnknownMattermostError):
            await plain.client.get("/api/v4/system/ping")
        await asyncio.sleep(1.05)
        assert (await plain.client.get("/api/v4/system/ping"))["status"] == "OK"
        await driver.close()
        await plain.close()

    run(scenario())
    assert [r.status for r in standin.requests_to("GET", "/users/me")] == [502, 502, 200]


def test_429_has_mattermost_headers_and_the_driver_waits(standin: MattermostStandin, world: dict) -> None:
    standin.faults.add(method="GET", path="/users/me", status=429, retry_after=2, times=1)
    raw = httpx.get(f"{standin.url}/api/v4/users/me", headers={"Authorization": f"Bearer {world['token']}"})
    assert raw.status_code == 429 and raw.text == "limit exceeded\n"
    assert raw.headers["content-type"] == "text/plain; charset=utf-8"
    assert raw.headers["Retry-After"] == "2" and raw.headers["X-RateLimit-Reset"] == "2"
    assert raw.headers["X-RateLimit-Limit"] == "101" and raw.headers["X-RateLimit-Remaining"] == "0"

    standin.faults.add(method="POST", path=r"^/api/v4/posts$", status=429, retry_after=1, times=1)

    async def scenario() -> None:
        driver = driver_for(standin, world["token"], max_retries=1)
        await driver.client.post("/api/v4/posts", options={"channel_id": world["asd"].id, "message": "y"})
        await driver.close()

    run(scenario())
    rejected, accepted = standin.requests_to("POST", r"^/api/v4/posts$")
    assert (rejected.status, accepted.status) == (429, 201)
    assert accepted.time - rejected.time >= 1.0  # not retried before Retry-After


def test_latency_delays_the_answer(standin: MattermostStandin, world: dict) -> None:
    standin.faults.add(path="/users/me", latency=0.3, times=1)
    started = time.monotonic()
    response = httpx.get(f"{standin.url}/api/v4/users/me", headers={"Authorization": f"Bearer {world['token']}"})
    assert response.status_code == 200 and time.monotonic() - started >= 0.3


def test_lost_response_times_out_but_the_post_exists_and_dedup_returns_it(standin: MattermostStandin,
                                                                          world: dict) -> None:
    standin.faults.add(method="POST", path=r"^/api/v4/posts$", lose_response=True, times=1)
    body = {"channel_id": world["asd"].id, "message": "Wochenplan", "pending_post_id": f"{world['bot'].id}:abc"}

    async def scenario() -> dict:
        driver = driver_for(standin, world["token"], request_timeout=0.5)
        with pytest.raises(httpx.ReadTimeout):
            await driver.client.post("/api/v4/posts", options=body)
        assert len(standin.posts_in(world["asd"])) == 1  # the work was done
        retry = await driver.client.post("/api/v4/posts", options=body)
        await driver.close()
        return retry

    retry = run(scenario())
    posts = standin.posts_in(world["asd"])
    assert len(posts) == 1 and retry["id"] == posts[0].id


def test_pending_post_in_flight_gives_500(standin: MattermostStandin, world: dict) -> None:
    standin.faults.add(method="POST", path=r"^/api/v4/posts$", slow_processing=0.5, times=1)
    body = {"channel_id": world["asd"].id, "message": "Plan", "pending_post_id": "same"}
    headers = {"Authorization": f"Bearer {world['token']}"}

    async def scenario() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=standin.url, headers=headers) as client:
            first = asyncio.create_task(client.post("/api/v4/posts", json=body))
            await asyncio.sleep(0.15)
            second = await client.post("/api/v4/posts", json=body)
            return [await first, second]

    first, second = run(scenario())
    assert first.status_code == 201
    assert second.status_code == 500 and second.json()["id"] == "api.post.deduplicate_create_post.pending"


def test_outage_refuses_connections_then_recovers_on_the_same_port(standin: MattermostStandin,
                                                                   world: dict) -> None:
    port = standin.port

    async def scenario() -> list[dict]:
        driver = driver_for(standin, world["token"])
        hellos: list[dict] = []

        async def handler(raw: str) -> None:
            message = json.loads(raw)
            if message.get("event") == "hello":
                hellos.append(message)

        task = asyncio.create_task(driver.init_websocket(handler))
        while not hellos:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(standin.outage)
        with pytest.raises(httpx.ConnectError):
            await driver.client.get("/api/v4/users/me")
        await asyncio.sleep(0.3)  # the driver keeps retrying the websocket meanwhile
        await asyncio.to_thread(standin.recover)
        assert standin.port == port
        assert (await driver.client.get("/api/v4/users/me"))["id"] == world["bot"].id  # state kept
        for _ in range(300):
            if len(hellos) == 2:
                break
            await asyncio.sleep(0.01)
        driver.websocket.disconnect()
        task.cancel()
        await driver.close()
        return hellos

    hellos = run(scenario())
    assert len(hellos) == 2 and hellos[0]["data"]["connection_id"] != hellos[1]["data"]["connection_id"]


def test_a_held_answer_is_dropped_when_the_server_stops(standin: MattermostStandin, world: dict) -> None:
    standin.faults.add(method="GET", path="/users/me", lose_response=True)
    stopper = threading.Timer(0.3, standin.outage)
    stopper.start()
    started = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{standin.url}/api/v4/users/me", headers={"Authorization": f"Bearer {world['token']}"}, timeout=10)
    assert time.monotonic() - started < 5
    stopper.join()


def test_rate_limiter_allows_a_burst_of_101_and_refuses_the_102nd(standin: MattermostStandin) -> None:
    frozen = [10**12]
    standin.rate_limit(per_sec=10, burst=100, clock=lambda: frozen[0])
    with httpx.Client(base_url=standin.url) as client:
        answers = [client.get("/api/v4/system/ping") for _ in range(102)]
        assert [a.status_code for a in answers[:101]] == [200] * 101
        refused = answers[101]
        assert refused.status_code == 429 and refused.text == "limit exceeded\n"
        assert refused.headers["X-RateLimit-Limit"] == "101" and refused.headers["X-RateLimit-Remaining"] == "0"
        assert refused.headers["Retry-After"] == "1" and refused.headers["X-RateLimit-Reset"] == "11"
        assert answers[0].headers["X-RateLimit-Remaining"] == "100"
        frozen[0] += 100_000_000  # one emission interval later, one more request fits
        assert client.get("/api/v4/system/ping").status_code == 200
        standin.rate_limit(None)
        assert client.get("/api/v4/system/ping").status_code == 200
    assert [r.outcome for r in standin.requests].count("rate_limited") == 1


# -- spec validation --------------------------------------------------------------------------------


def test_spec_validation_catches_a_malformed_request(standin: MattermostStandin, world: dict) -> None:
    if standin.validation_skipped_reason:
        pytest.skip(standin.validation_skipped_reason)
    standin.expect_violation(r"CreatePost.*channel_id: 12345 is not of type 'string'")
    headers = {"Authorization": f"Bearer {world['token']}"}
    good = httpx.post(f"{standin.url}/api/v4/posts", headers=headers,
                      json={"channel_id": world["asd"].id, "message": "ok"})
    bad = httpx.post(f"{standin.url}/api/v4/posts", headers=headers, json={"channel_id": 12345, "message": "x"})
    assert good.status_code == 201 and bad.status_code == 400
    assert [v.operation_id for v in standin.spec_violations] == ["CreatePost"]
    assert standin.spec_violations[0].method == "POST" and standin.spec_violations[0].path == "/api/v4/posts"
    assert standin.self_violations == []


# -- the server's requests to the bot ------------------------------------------------------------


def test_slash_sends_the_exact_form_and_applies_the_reply(standin: MattermostStandin, world: dict,
                                                          mattermost_client: MattermostClient,
                                                          receiver: Any) -> None:
    bot = receiver({"response_type": "ephemeral", "text": "Eingetragen: <https://amt.test|Plan>"})
    command = standin.add_command(world["team"], "homeoffice", "http://bot.test/mattermost/command",
                                  creator=world["bot"])
    result = mattermost_client.slash(bot.url, user=world["anna"], channel=world["asd"],
                                     text="morgen @bernd.meier. @nobody ~jugendamt-asd")
    assert result.status == 200 and result.client_status == 200
    assert result.text == "Eingetragen: [Plan](https://amt.test)"
    request = bot.requests[0]
    assert request["headers"]["accept"] == "application/json"
    assert request["headers"]["authorization"] == f"Token {command.token}"
    assert request["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["user-agent"] == "Mattermost-Bot/1.1"
    form = request["form"]
    assert [k for k, _ in form] == sorted(k for k, _ in form)
    fields = dict(form)
    assert fields == {
        "channel_id": world["asd"].id, "channel_mentions": "jugendamt-asd", "channel_mentions_ids": world["asd"].id,
        "channel_name": "jugendamt-asd", "command": "/homeoffice", "response_url": result.response_url,
        "team_domain": "stadtverwaltung", "team_id": world["team"].id, "text": "morgen @bernd.meier. @nobody ~jugendamt-asd",
        "token": command.token, "trigger_id": result.trigger_id, "user_id": world["anna"].id,
        "user_name": "anna.schmidt", "user_mentions": "bernd.meier", "user_mentions_ids": world["bernd"].id}
    assert [p.message for p in standin.ephemerals_for(world["anna"])] == ["Eingetragen: [Plan](https://amt.test)"]
    assert standin.posts_in(world["asd"]) == []


def test_slash_reply_rules(standin: MattermostStandin, world: dict, mattermost_client: MattermostClient,
                           receiver: Any) -> None:
    replies = iter([
        JSONResponse({"response_type": "in_channel", "text": "Für alle", "extra_responses": [{"text": "Nur du"}]}),
        JSONResponse({"text": "kaputt"}, status_code=503),
        JSONResponse(None),  # "null" is valid JSON, but not an object
        JSONResponse({"response_type": "ephemeral", "text": ""}),  # nothing to show: nothing posted
        JSONResponse({"text": "Falscher Token"}, status_code=401),
    ])
    bot = receiver(lambda request: next(replies))
    standin.add_command(world["team"], "homeoffice", f"{bot.url}/command")
    shared = mattermost_client.slash(user="anna.schmidt", channel="jugendamt-asd")
    assert [p.message for p in shared.posts] == ["Für alle"] and shared.text == "Nur du"
    assert shared.posts[0].user_id == world["anna"].id and shared.posts[0].props == {"from_webhook": "true"}
    failed = mattermost_client.slash(user="anna.schmidt", channel="jugendamt-asd")
    assert failed.client_status == 500 and failed.error == "Command with a trigger of 'homeoffice' returned response 503."
    broken = mattermost_client.slash(user="anna.schmidt", channel="jugendamt-asd")
    assert broken.client_status == 500 and broken.error.startswith("Command with a trigger of 'homeoffice' failed.")
    quiet = mattermost_client.slash(user="anna.schmidt", channel="jugendamt-asd")
    assert quiet.client_status == 200 and quiet.ephemerals == [] and quiet.posts == []
    wrong = mattermost_client.slash(user="anna.schmidt", channel="jugendamt-asd", token="x" * 26)
    assert bot.requests[-1]["headers"]["authorization"] == "Token " + "x" * 26
    assert ("token", "x" * 26) in wrong.form and wrong.client_status == 500


def test_response_url_allows_five_uses(standin: MattermostStandin, world: dict,
                                       mattermost_client: MattermostClient, receiver: Any) -> None:
    bot = receiver({"text": "Moment..."})
    standin.add_command(world["team"], "homeoffice", f"{bot.url}/command")
    result = mattermost_client.slash(user=world["anna"], channel=world["asd"])
    statuses = []
    for n in range(6):
        reply = httpx.post(result.response_url, json={"response_type": "in_channel", "text": f"Nachtrag {n}"})
        statuses.append(reply.status_code)
    assert statuses == [200] * 5 + [400]
    assert reply.json()["message"] == "Invalid webhook."
    posts = standin.posts_in(world["asd"])
    assert [p.message for p in posts] == [f"Nachtrag {n}" for n in range(5)]
    assert {p.user_id for p in posts} == {world["anna"].id}  # as the original user, not the bot
    plain = mattermost_client.slash(user=world["anna"], channel=world["asd"])
    assert httpx.post(plain.response_url, content="nur für dich").text == "ok"
    assert standin.ephemerals_for(world["anna"])[-1].message == "nur für dich"  # text body: ephemeral
    standin.advance(30 * 60 + 1)
    assert httpx.post(plain.response_url, json={"text": "zu spät"}).status_code == 404


def test_a_button_on_an_ephemeral_reply_takes_ephemeral_text_and_refuses_update(
        standin: MattermostStandin, world: dict, mattermost_client: MattermostClient, receiver: Any) -> None:
    """MATTERMOST-FACTS §2.3: an ephemeral post is in no database, so the servers cities run fail an
    `update` of it ("Unable to get the post.") and send nothing, not even its `ephemeral_text`."""
    answers = {"update": {"update": {"message": "Gelöscht", "props": {}}, "ephemeral_text": "Erledigt"},
               "text": {"ephemeral_text": "Gelöscht."}}

    def button(action_id: str, answer: str) -> dict:
        return {"id": action_id, "name": action_id, "type": "button",
                "integration": {"url": "http://bot.test/action", "context": {"answer": answer}}}

    def reply(request: Request) -> JSONResponse:
        if request.url.path == "/command":
            return JSONResponse({"response_type": "ephemeral", "text": "Wirklich löschen?", "attachments": [
                {"text": "", "actions": [button("edit", "update"), button("tell", "text")]}]})
        return JSONResponse(answers[json.loads(bot.requests[-1]["body"])["context"]["answer"]])

    bot = receiver(reply)
    standin.add_command(world["team"], "homeoffice", f"{bot.url}/command")
    (question,) = mattermost_client.slash(user=world["anna"], channel=world["asd"]).ephemerals
    assert question.ephemeral_for == world["anna"].id and standin.post(question.id) is None  # stored nowhere
    with pytest.raises(LookupError):  # only Anna's client shows it
        mattermost_client.click(bot.url, post_id=question.id, action_id="tell", user=world["bernd"])

    standin.expect_violation(r"ephemeral post .*answered with `update`")
    refused = mattermost_client.click(bot.url, post_id=question.id, action_id="edit", user=world["anna"])
    assert refused.status == 200 and refused.client_status == 404 and refused.error == "Unable to get the post."
    assert refused.ephemeral_text == "" and refused.post is None
    assert [p.message for p in standin.ephemerals_for(world["anna"])] == ["Wirklich löschen?"]  # nothing sent

    told = mattermost_client.click(bot.url, post_id=question.id, action_id="tell", user=world["anna"])
    assert told.client_status == 200 and told.error == "" and told.ephemeral_text == "Gelöscht."
    assert [p.message for p in standin.ephemerals_for(world["anna"])] == ["Wirklich löschen?", "Gelöscht."]


def test_buttons_and_dialogs_round_trip(standin: MattermostStandin, world: dict,
                                        mattermost_client: MattermostClient, receiver: Any) -> None:
    def reply(request: Request) -> JSONResponse:
        if request.url.path == "/action":
            return JSONResponse({"update": {"message": "Erledigt", "props": {}}, "ephemeral_text": "Danke"})
        return JSONResponse({"errors": {"tag": "Bitte ein Datum"}})

    bot = receiver(reply)
    headers = {"Authorization": f"Bearer {world['token']}"}
    props = {"attachments": [{"text": "Homeoffice morgen?", "actions": [
        {"id": "ja", "name": "Ja", "type": "button",
         "integration": {"url": "http://bot.test/action", "context": {"sig": "s3cret"}}}]}]}
    created = httpx.post(f"{standin.url}/api/v4/posts", headers=headers,
                         json={"channel_id": world["asd"].id, "message": "Frage", "props": props}).json()
    assert "integration" not in created["props"]["attachments"][0]["actions"][0]  # stripped for clients
    clicked = mattermost_client.click(bot.url, post_id=created["id"], action_id="ja", user=world["anna"])
    assert clicked.client_status == 200 and clicked.ephemeral_text == "Danke"
    sent = json.loads(bot.requests[0]["body"])
    assert list(sent) == ["user_id", "user_name", "channel_id", "channel_name", "team_id", "team_domain", "post_id",
                          "trigger_id", "type", "data_source", "context"]
    assert sent["context"] == {"sig": "s3cret"} and sent["team_domain"] == "stadtverwaltung"
    post = standin.post(created["id"])
    assert post.message == "Erledigt" and post.props == {}  # `props: {}` clears all but the retained keys

    opened = httpx.post(f"{standin.url}/api/v4/actions/dialogs/open", json={
        "trigger_id": sent["trigger_id"], "url": "http://bot.test/dialog",
        "dialog": {"callback_id": "abwesend", "title": "Abwesenheit", "state": "st",
                   "elements": [{"display_name": "Tag", "name": "tag", "type": "text"}]}})
    assert opened.json() == {"status": "OK"}
    dialog = standin.dialogs_for(world["anna"])[0]
    submitted = mattermost_client.submit_dialog(bot.url, dialog=dialog, user=world["anna"], channel=world["asd"],
                                                submission={"tag": ""})
    assert submitted.errors == {"tag": "Bitte ein Datum"}
    assert json.loads(bot.requests[-1]["body"])["state"] == "st"
    standin.advance(31)
    expired = httpx.post(f"{standin.url}/api/v4/actions/dialogs/open", json={
        "trigger_id": sent["trigger_id"], "url": "http://bot.test/dialog", "dialog": dialog.dialog})
    assert expired.status_code == 400 and expired.json()["id"] == "interactive_message.decode_trigger_id.expired"


def test_unauthenticated_and_unknown_requests(standin: MattermostStandin, world: dict) -> None:
    anonymous = httpx.get(f"{standin.url}/api/v4/channels/{world['asd'].id}")
    assert anonymous.status_code == 401
    assert set(anonymous.json()) == {"id", "message", "detailed_error", "request_id", "status_code"}
    unknown = httpx.get(f"{standin.url}/api/v4/users/{world['anna'].id}/status",
                        headers={"Authorization": f"Bearer {world['token']}"})
    assert unknown.status_code == 501
    standin.self_violations.clear()  # the gap is reported; this test only shows that it is


def test_too_many_requests_surface_as_the_driver_exception(standin: MattermostStandin, world: dict) -> None:
    standin.faults.add(path="/users/me", status=429, retry_after=60, times=1)

    async def scenario() -> None:
        driver = driver_for(standin, world["token"], max_retries=3, retry_max_sleep=5)
        with pytest.raises(TooManyRequests) as refused:
            await driver.client.get("/api/v4/users/me")  # waiting 60 s exceeds retry_max_sleep: no retry
        assert refused.value.retry_after == 60
        await driver.close()

    run(scenario())
