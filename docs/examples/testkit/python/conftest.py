"""A real Roster for every test session: `roster testkit serve` with the
fixtures of ../fixtures.json, stopped (and its database removed) at the end.

ROSTER_BIN names the binary (default: `roster` on the PATH);
ROSTER_TESTKIT_DATABASE_URL, when set, names a PostgreSQL server to use
instead of a temporary SQLite file.
"""
import json
import os
import pathlib
import subprocess

import pytest

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures.json"


@pytest.fixture(scope="session")
def roster():
    command = [os.environ.get("ROSTER_BIN", "roster"), "testkit", "serve", "--fixtures", str(FIXTURES)]
    if os.environ.get("ROSTER_TESTKIT_DATABASE_URL"):
        command += ["--database-url", os.environ["ROSTER_TESTKIT_DATABASE_URL"]]
    # Standard input is a pipe that only this process holds: when it closes
    # (here, or because pytest died), Roster stops and removes its database.
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    if not line:
        raise RuntimeError(f"roster testkit serve exited with {server.wait()}")
    yield json.loads(line)
    server.stdin.close()
    server.wait(timeout=30)
