"""What the stand-in checks of dialogs, as Mattermost and its webapp behave (MATTERMOST-FACTS §3):
element types of the releases cities run, what a client can submit at all, and `errors` that
name no field (the webapp shows them nowhere)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse

from tests.standin import MattermostClient, MattermostStandin
from tests.test_standin import mattermost_client, receiver, standin, world  # noqa: F401

DIALOG = {"callback_id": "abwesend", "title": "Abwesend", "state": "st", "elements": [
    {"display_name": "Von", "name": "from", "type": "select",
     "options": [{"text": "Di, 08.12.", "value": "2026-12-08"}, {"text": "Mi, 09.12.", "value": "2026-12-09"}]},
    {"display_name": "Wer", "name": "who", "type": "select", "data_source": "users", "optional": True},
    {"display_name": "Notiz", "name": "note", "type": "textarea", "optional": True, "min_length": 0,
     "max_length": 200},
]}


def _open(standin: MattermostStandin, user: Any, dialog: dict[str, Any], url: str) -> Any:  # noqa: F811
    opened = httpx.post(f"{standin.url}/api/v4/actions/dialogs/open", json={
        "trigger_id": standin.new_trigger_id(user.id), "url": url, "dialog": dialog})
    assert opened.json() == {"status": "OK"}
    return standin.dialogs_for(user)[-1]


def test_a_client_submits_only_the_dialogs_fields_and_options(standin: MattermostStandin, world: dict,  # noqa: F811
                                                              mattermost_client: MattermostClient,  # noqa: F811
                                                              receiver: Any) -> None:  # noqa: F811
    bot = receiver({})
    dialog = _open(standin, world["anna"], DIALOG, bot.url + "/dialog")
    assert dialog.problems == []
    ok = mattermost_client.submit_dialog(bot.url, dialog=dialog, user=world["anna"], channel=world["asd"],
                                         submission={"from": "2026-12-09", "who": world["bernd"].id, "note": None})
    assert ok.closed
    for wrong in ({"from": "2026-12-10"}, {"from": "2026-12-08", "who": "nobody"}, {"until": "2026-12-08"}):
        with pytest.raises(ValueError):
            mattermost_client.submit_dialog(bot.url, dialog=dialog, user=world["anna"], channel=world["asd"],
                                            submission=wrong)


def test_errors_that_name_no_field_and_newer_element_types_are_problems(standin: MattermostStandin,  # noqa: F811
                                                                       world: dict,  # noqa: F811
                                                                       mattermost_client: MattermostClient,  # noqa: F811
                                                                       receiver: Any) -> None:  # noqa: F811
    def reply(request: Request) -> JSONResponse:
        return JSONResponse({"errors": {"von": "Bitte einen Arbeitstag"}})

    bot = receiver(reply)
    dialog = _open(standin, world["anna"], DIALOG, bot.url + "/dialog")
    standin.expect_violation("errors for \\['von'\\]")
    lost = mattermost_client.submit_dialog(bot.url, dialog=dialog, user=world["anna"], channel=world["asd"],
                                           submission={"from": "2026-12-08"})
    assert not lost.closed
    newer = {**DIALOG, "elements": [{"display_name": "Tag", "name": "day", "type": "date"},
                                    {"display_name": "Wer", "name": "who", "type": "select", "multiselect": True,
                                     "data_source": "users"}]}
    standin.expect_violation("exists from Mattermost 11 on only")
    standin.expect_violation("multiselect and dynamic selects")
    assert len(_open(standin, world["anna"], newer, bot.url + "/dialog").problems) == 2
