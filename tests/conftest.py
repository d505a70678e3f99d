"""Shared test settings."""

import os

from hypothesis import settings

# CI replays the same examples every run (a failure there is reproducible); elsewhere hypothesis explores anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The server fixtures (client, make_client, start_live, expect_error...) for tests/server and tests/security alike.
pytest_plugins = ["server_fixtures"]
