"""The operator's first day (issue: the first day, point 10): the Docker recipe, log lines,
start-up, command-line words and errors."""

from __future__ import annotations

from dotenv import dotenv_values

from tests.live import ROOT


def test_env_example_leaves_the_images_listen_address_and_database_alone():
    values = dotenv_values(ROOT / ".env.example")
    assert "BOT_LISTEN" not in values and "DATABASE_URL" not in values
    text = (ROOT / ".env.example").read_text()
    assert "# BOT_LISTEN=" in text and "# DATABASE_URL=" in text  # still documented
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "BOT_LISTEN=0.0.0.0:8080" in dockerfile and "DATABASE_URL=sqlite:////data/amtsbote.db" in dockerfile


def test_readme_shows_register_and_check_in_the_container():
    readme = (ROOT / "README.md").read_text()
    for command in ("register", "check"):
        assert f"-v amtsbote-data:/data amtsbote amtsbote {command}" in readme
