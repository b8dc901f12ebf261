"""The video providers on their own: link checks, Jitsi room names, BigBlueButton and Zoom
against local stand-ins that verify the checksum and the OAuth credentials."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from commands.meeting import providers
from commands.meeting.providers import (
    BigBlueButton,
    ProviderError,
    RoomRequest,
    bbb_checksum,
    check_meeting_url,
)
from tests.provider_standins import provider_standin  # noqa: F401

REQUEST = RoomRequest(title="Teamrunde ASD", start=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
                      duration=timedelta(minutes=30), timezone="Europe/Berlin")


def run(coro):
    return asyncio.run(coro)


class NoNetwork(httpx.AsyncBaseTransport):
    """Fails the test on any request at all."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected request to {request.url.host}")


@pytest.mark.parametrize("url", ["https://meet.example.org/teamrunde", "https://zoom.us/j/123?pwd=a_b-c",
                                 "https://bbb.stadt.de:8443/rooms/abc-def/join", "https://meet.example.org/raum_1/",
                                 "https://teams.microsoft.com/l/meetup-join/19%3ameeting_N2Y%40thread.v2/0?context=%7b%7d"])
def test_plain_https_links_are_accepted(url):
    assert check_meeting_url(url) == url


@pytest.mark.parametrize("url", [
    "http://meet.example.org/x", "javascript:alert(1)", "https://user:pw@meet.example.org/x",
    "https://meet.example.org/a b", "https://meet.example.org/[x](https://evil.example)", "https:///nohost",
    "https://meet.example.org/@channel", "ftp://meet.example.org/x", "https://meet.example.org/x\n",
    "https://mëet.example.org/x", "https://meet.example.org:99999/x", "https://meet.example.org/<b>",
    # markdown a reader would see instead of the link as typed
    "https://meet.example.org/x)**y**_z_", "https://meet.example.org/(x)",
    "https://meet.example.org/x*y*", "https://meet.example.org/x.",
])
def test_links_with_a_bad_form_are_refused_in_the_users_language(url):
    with pytest.raises(ProviderError) as caught:
        check_meeting_url(url)
    assert "kein gültiger Besprechungslink" in caught.value.render("de")
    assert "not a valid meeting link" in caught.value.render("en")


def test_a_fixed_link_is_never_fetched():
    config = providers.ProviderConfig(transport=NoNetwork())
    room = run(config.provider("url", url="https://meet.example.org/jour-fixe").create_room(REQUEST))
    assert room == providers.Room(join_url="https://meet.example.org/jour-fixe", provider="url")


def test_jitsi_rooms_cannot_be_guessed_and_do_not_carry_the_title():
    jitsi = providers.ProviderConfig(jitsi_url="https://meet.stadt.de/", transport=NoNetwork()).provider("jitsi")
    rooms = {run(jitsi.create_room(REQUEST)).join_url for _ in range(50)}
    assert len(rooms) == 50
    for url in rooms:
        name = url.removeprefix("https://meet.stadt.de/")
        assert name.startswith("Amtsbote-") and len(name) >= len("Amtsbote-") + 24  # >= 144 random bits
        assert "Teamrunde" not in url


def test_bbb_checksum_is_the_documented_one():
    # The worked example of the BigBlueButton API documentation ("API Security Model").
    query = "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444"
    assert bbb_checksum("create", query, "639259d4-9dd8-4b25-bf01-95f9567eaf4b", "sha1") == \
        "1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
    bbb = BigBlueButton("https://bbb.example.org/bigbluebutton/", "639259d4-9dd8-4b25-bf01-95f9567eaf4b",
                        algorithm="sha1")
    signed = bbb.signed_url("create", {"name": "Test Meeting", "meetingID": "abc123", "attendeePW": "111222",
                                       "moderatorPW": "333444"})
    assert signed == ("https://bbb.example.org/bigbluebutton/api/create?" + query
                      + "&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17")


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_bbb_room_is_created_with_a_checksum_the_server_accepts(provider_standin, algorithm):  # noqa: F811
    bbb = BigBlueButton(provider_standin.bbb_url, provider_standin.bbb_secret, algorithm=algorithm)
    room = run(bbb.create_room(REQUEST))
    assert room.provider == "bbb" and room.join_url == "" and room.external_id.startswith("amtsbote-")
    ((call, params, checksum_ok),) = provider_standin.bbb_calls
    assert (call, checksum_ok, params["meetingID"], params["name"]) == ("create", True, room.external_id, "Teamrunde ASD")
    # A personal join link: signed too, carrying the person's name.
    url = bbb.join_url(room.external_id, full_name="Bernd Müller", moderator=False)
    response = httpx.get(url, follow_redirects=False)
    assert response.status_code == 302
    assert provider_standin.bbb_joins[-1]["fullName"] == "Bernd Müller"
    assert provider_standin.bbb_joins[-1]["role"] == "VIEWER"
    assert all(ok for _, _, ok in provider_standin.bbb_calls)


def test_bbb_with_a_wrong_secret_is_a_clear_error_and_the_secret_is_never_logged(provider_standin, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    bbb = BigBlueButton(provider_standin.bbb_url, "not-the-secret-0123456789")
    with pytest.raises(ProviderError) as caught:
        run(bbb.create_room(REQUEST))
    assert provider_standin.bbb_calls[-1][2] is False
    assert "BigBlueButton hat das Anlegen abgelehnt (checksumError)" in caught.value.render("de")
    assert "No meeting was created" in caught.value.render("en")
    assert "not-the-secret" not in caplog.text and provider_standin.bbb_secret not in caplog.text


def test_bbb_unreachable_is_a_clear_error():
    with socket_closed_port() as url:
        with pytest.raises(ProviderError) as caught:
            run(BigBlueButton(url + "/bigbluebutton/", "x" * 32, timeout=2).create_room(REQUEST))
    assert "nicht erreichbar" in caught.value.render("de")


def test_bbb_not_configured_names_the_missing_settings():
    with pytest.raises(ProviderError) as caught:
        providers.ProviderConfig().provider("bbb")
    assert "BBB_URL" in caught.value.render("de")


def test_zoom_uses_server_to_server_oauth_then_the_bearer_token(provider_standin):  # noqa: F811
    zoom = provider_standin.config().provider("zoom")
    room = run(zoom.create_room(REQUEST))
    assert room.provider == "zoom" and room.join_url.startswith("https://zoom.example/j/")
    assert provider_standin.zoom_token_requests == [True]
    body = provider_standin.zoom_meetings[int(room.external_id)]
    assert body["type"] == 2 and body["start_time"] == "2026-11-30T09:00:00Z" and body["duration"] == 30
    assert body["timezone"] == "Europe/Berlin" and body["topic"] == "Teamrunde ASD"
    # The token is reused while valid, and a revoked one is replaced once.
    run(zoom.create_room(RoomRequest(title="Serie", start=REQUEST.start, duration=REQUEST.duration, recurring=True)))
    assert provider_standin.zoom_token_requests == [True]
    provider_standin.revoke_zoom_tokens()
    run(zoom.create_room(RoomRequest(title="Jetzt", start=REQUEST.start, duration=REQUEST.duration, instant=True)))
    assert provider_standin.zoom_token_requests == [True, True]
    assert [m["type"] for m in provider_standin.zoom_meetings.values()] == [2, 3, 1]
    run(zoom.delete_room(room))
    assert provider_standin.zoom_deleted == [int(room.external_id)]


def test_zoom_with_wrong_credentials_or_a_refusal_is_a_clear_error(provider_standin, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    wrong = provider_standin.config(zoom_client_secret="wrong-secret-0123456789").provider("zoom")
    with pytest.raises(ProviderError) as caught:
        run(wrong.create_room(REQUEST))
    assert provider_standin.zoom_token_requests == [False]
    assert "Zoom hat das Anlegen abgelehnt (OAuth HTTP 401)" in caught.value.render("de")
    provider_standin.zoom_create_status = 429
    with pytest.raises(ProviderError) as caught:
        run(provider_standin.config().provider("zoom").create_room(REQUEST))
    assert "HTTP 429" in caught.value.render("en") and provider_standin.zoom_meetings == {}
    assert provider_standin.zoom_client_secret not in caplog.text and "Bearer" not in caplog.text


@pytest.mark.parametrize("join_url", ["", "http://zoom.example/j/1", "https://zoom.example/j/1 [x](https://evil.example)"])
def test_zoom_meeting_without_a_usable_join_link_is_deleted_again(provider_standin, join_url):  # noqa: F811
    provider_standin.zoom_join_url = join_url  # 201 Created, but no link we could show
    with pytest.raises(ProviderError) as caught:
        run(provider_standin.config().provider("zoom").create_room(REQUEST))
    assert "Zoom hat das Anlegen abgelehnt (join_url). Es wurde keine Besprechung angelegt." in caught.value.render("de")
    (created,) = provider_standin.zoom_meetings
    assert provider_standin.zoom_deleted == [created]  # nothing half-created stays in the Zoom account


class socket_closed_port:
    """A loopback URL where nothing listens."""

    def __enter__(self) -> str:
        import socket

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        return None


def test_provider_stand_in_rejects_a_tampered_join_link(provider_standin):  # noqa: F811
    bbb = BigBlueButton(provider_standin.bbb_url, provider_standin.bbb_secret)
    room = run(bbb.create_room(REQUEST))
    url = bbb.join_url(room.external_id, full_name="Bernd", moderator=False)
    tampered = url.replace("VIEWER", "MODERATOR")
    assert "checksumError" in httpx.get(tampered).text
    assert parse_qs(urlsplit(url).query)["role"] == ["VIEWER"]

