"""Races for the PostgreSQL tests: targets started at one moment, each on its own connection."""

from __future__ import annotations

import threading

from django.db import connection


def in_threads(targets) -> list[Exception]:
    """Run the targets at the same moment, each in its own thread and database connection;
    the exceptions they raised (none when all went well)."""
    errors, barrier = [], threading.Barrier(len(targets))

    def run(target):
        try:
            barrier.wait()
            target()
        except Exception as exc:  # collected and returned
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors
