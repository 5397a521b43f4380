"""Manage API keys: ``api_key create --user NAME --name LMS``, ``api_key list``,
``api_key revoke PREFIX``. The whole key is printed once, at creation."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from quizapp.api.keys import api_key_create, api_key_revoke
from quizapp.core.errors import ServiceError
from quizapp.models.api import ApiKey


class Command(BaseCommand):
    help = "Ключи API интеграций: создать (ключ показывается один раз), список, отозвать"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="создать ключ")
        create.add_argument("--user", required=True, help="владелец ключа (преподаватель)")
        create.add_argument("--name", required=True, help="название интеграции")
        create.add_argument(
            "--scope",
            action="append",
            choices=ApiKey.Scope.values,
            help="право (можно повторить); по умолчанию read и write",
        )
        create.add_argument("--rate", type=int, help="запросов в минуту (по умолчанию — общий)")
        listing = actions.add_parser("list", help="список ключей")
        listing.add_argument("--user", help="только ключи этого пользователя")
        revoke = actions.add_parser("revoke", help="отозвать ключ")
        revoke.add_argument("prefix", help="префикс ключа (второе слово в nzk_<префикс>_…)")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, user, name, scope, rate, **_):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"Пользователь {user!r} не найден.")
        scopes = scope or [ApiKey.Scope.READ, ApiKey.Scope.WRITE]
        try:
            key, token = api_key_create(owner=owner, name=name, scopes=scopes, rate_per_minute=rate)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Ключ «{key.name}» ({', '.join(key.scopes)}) для {owner}:")
        self.stdout.write(token)
        self.stdout.write("Сохраните его сейчас: показать его ещё раз нельзя.")

    def _list(self, *, user=None, **_):
        keys = ApiKey.objects.select_related("owner").order_by("owner__username", "created_at")
        if user:
            keys = keys.filter(owner__username=user)
        for key in keys:
            state = f"отозван {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "активен"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "—"
            self.stdout.write(
                f"{key.prefix}\t{key.owner}\t{key.name}\t{','.join(key.scopes)}\t{state}\t{used}"
            )

    def _revoke(self, *, prefix, **_):
        key = ApiKey.objects.filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"Ключа с префиксом {prefix!r} нет.")
        api_key_revoke(key=key)
        self.stdout.write(f"Ключ {key.prefix} отозван.")
