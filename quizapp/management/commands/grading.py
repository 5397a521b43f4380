"""``manage.py grading status`` and ``manage.py grading sweep``: the operator's view of the work
waiting for Celery tasks, and the sweeper by hand (docs/grading-pipeline.md)."""

from __future__ import annotations

import json

from celery import current_app
from django.core.management.base import BaseCommand

from quizapp.core import waiting

STATE_WIDTH = 44


class Command(BaseCommand):
    help = (
        "Очереди проверки: status — сколько строк в каждом состоянии, сколько ждут и как давно, "
        "длина очередей брокера; sweep — отправить заново задачи того, что ждёт слишком долго "
        "(безопасно запускать в любой момент и сколько угодно раз)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="состояние очередей проверки")
        status.add_argument("--json", action="store_true", help="вывод в JSON")
        sweep = sub.add_parser("sweep", help="отправить заново то, что ждёт")
        sweep.add_argument("--json", action="store_true", help="вывод в JSON")

    def handle(self, *args, action, **options):
        if action == "status":
            return self._status(as_json=options["json"])
        return self._sweep(as_json=options["json"])

    def _status(self, *, as_json: bool):
        kinds = waiting.status()
        queues = _queue_lengths({kind["queue"] for kind in kinds})
        if as_json:
            self.stdout.write(json.dumps({"kinds": kinds, "queues": queues}, ensure_ascii=False))
            return
        for kind in kinds:
            oldest = kind["oldest_waiting_seconds"]
            age = "—" if oldest is None else f"{oldest:,.0f} с".replace(",", " ")
            states = ", ".join(f"{state}: {n}" for state, n in sorted(kind["states"].items()))
            self.stdout.write(
                f"{kind['label']:<{STATE_WIDTH}} ждут {kind['waiting']:>6}  "
                f"старейшее {age:>9}  очередь {kind['queue']}"
            )
            self.stdout.write(f"    {states or 'пусто'}")
        self.stdout.write("Очереди брокера:")
        if not queues:
            self.stdout.write("    брокера нет: ответы проверяются в веб-процессе")
        for queue, length in sorted(queues.items()):
            shown = "брокер недоступен" if length is None else f"{length} сообщений"
            self.stdout.write(f"    {queue}: {shown}")

    def _sweep(self, *, as_json: bool):
        sent = waiting.sweep()
        if as_json:
            self.stdout.write(json.dumps(sent, ensure_ascii=False))
            return
        labels = {work.key: str(work.label) for work in waiting.registered()}
        for key, n in sent.items():
            self.stdout.write(f"{labels[key]:<{STATE_WIDTH}} отправлено задач: {n}")
        if not any(sent.values()):
            self.stdout.write("Ничего не ждёт дольше положенного.")


def _queue_lengths(queues: set[str]) -> dict[str, int | None]:
    """Messages waiting in each broker queue; None when the broker is unreachable, and no
    figures at all in the embedded mode (no broker: tasks run in the web process)."""
    app = current_app
    if app.conf.task_always_eager or not app.conf.broker_url:
        return {}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            lengths = {}
            for queue in queues:
                try:
                    declared = conn.default_channel.queue_declare(queue, passive=True)
                    lengths[queue] = declared.message_count
                except conn.channel_errors:
                    lengths[queue] = 0  # no such queue yet (Redis drops an empty list)
            return lengths
    except Exception:  # the broker is down: say so, the table counts still help
        return dict.fromkeys(queues)
