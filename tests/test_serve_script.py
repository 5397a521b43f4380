"""bin/serve tells the address it really serves on (ADDR), not always 127.0.0.1:8000."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SERVE = Path(__file__).resolve().parent.parent / "bin" / "serve"


def _url(addr: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ADDR"}
    if addr is not None:
        env["ADDR"] = addr
    result = subprocess.run(
        ["bash", str(SERVE), "--print-url"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        (None, "http://127.0.0.1:8000/"),
        ("127.0.0.1:8123", "http://127.0.0.1:8123/"),
        # A port alone: runserver listens on 127.0.0.1.
        ("8124", "http://127.0.0.1:8124/"),
        # 0.0.0.0 (and runserver's shorthand 0) is "every interface", not an address a browser
        # can open: on this machine it is reached at 127.0.0.1.
        ("0.0.0.0:9000", "http://127.0.0.1:9000/"),
        ("0:9001", "http://127.0.0.1:9001/"),
        ("[::1]:8125", "http://[::1]:8125/"),
        ("[::]:8126", "http://[::1]:8126/"),
        ("localhost:8127", "http://localhost:8127/"),
    ],
)
def test_print_url_follows_addr(addr, url):
    assert _url(addr) == url
