"""The OpenAPI description of Amtsbote's own HTTP endpoints (served at /openapi.json).

It documents the contract Mattermost and operators rely on, and lets the test
suite fuzz every endpoint against it (schemathesis).
"""

from __future__ import annotations

from typing import Any

_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}
_COMMAND_REPLY = {
    "type": "object",
    "required": ["response_type", "text"],
    "properties": {
        "response_type": {"type": "string", "enum": ["ephemeral", "in_channel"]},
        "text": {"type": "string"},
        "skip_slack_parsing": {"type": "boolean"},
        "props": {"type": "object"},
        "attachments": {"type": "array", "items": {"type": "object"}},
    },
}
_ACTION_REPLY = {
    "type": "object",
    "properties": {
        "update": {"type": "object"},
        "ephemeral_text": {"type": "string"},
        "skip_slack_parsing": {"type": "boolean"},
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Amtsbote", "version": "1", "description": "Endpoints Mattermost calls, and operations endpoints."},
    "paths": {
        "/mattermost/command": {
            "post": {
                "summary": "A slash command, exactly as Mattermost sends it",
                "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                    "type": "object",
                    "properties": {k: {"type": "string"} for k in (
                        "token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
                        "command", "text", "trigger_id", "response_url")},
                }}}},
                "responses": {
                    "200": {"description": "the reply shown to the user", "content": {"application/json": {"schema": _COMMAND_REPLY}}},
                    "400": {"description": "malformed body", "content": {"application/json": {"schema": _ERROR}}},
                    "401": {"description": "token is not this command's", "content": {"application/json": {"schema": _ERROR}}},
                    "413": {"description": "body too large", "content": {"application/json": {"schema": _ERROR}}},
                },
            }
        },
        "/mattermost/action": {
            "post": {
                "summary": "A button press (interactive message action)",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "user_id": {"type": "string"}, "user_name": {"type": "string"}, "channel_id": {"type": "string"},
                    "team_id": {"type": "string"}, "post_id": {"type": "string"}, "trigger_id": {"type": "string"},
                    "type": {"type": "string"}, "context": {"type": "object"}}}}}},
                "responses": {
                    "200": {"description": "post update and/or ephemeral text", "content": {"application/json": {"schema": _ACTION_REPLY}}},
                    "400": {"description": "not a JSON object", "content": {"application/json": {"schema": _ERROR}}},
                    "413": {"description": "body too large", "content": {"application/json": {"schema": _ERROR}}},
                },
            }
        },
        "/mattermost/dialog": {
            "post": {
                "summary": "An interactive dialog submission",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "type": {"type": "string"}, "callback_id": {"type": "string"}, "state": {"type": "string"},
                    "user_id": {"type": "string"}, "channel_id": {"type": "string"}, "team_id": {"type": "string"},
                    "submission": {"type": "object"}, "cancelled": {"type": "boolean"}}}}}},
                "responses": {
                    "200": {"description": "{} closes the dialog; error/errors keep it open", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"error": {"type": "string"}, "errors": {"type": "object"}}}}}},
                    "400": {"description": "not a JSON object", "content": {"application/json": {"schema": _ERROR}}},
                    "413": {"description": "body too large", "content": {"application/json": {"schema": _ERROR}}},
                },
            }
        },
        "/healthz": {"get": {"summary": "process is up", "responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}}}}},
        "/readyz": {"get": {"summary": "database and Mattermost reachable", "responses": {
            "200": {"description": "ready", "content": {"application/json": {"schema": {"type": "object"}}}},
            "503": {"description": "not ready", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics", "responses": {"200": {"description": "text exposition format",
                                                                                    "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
    },
}
