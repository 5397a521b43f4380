"""Register LMS platforms and rotate the tool's keys: ``lti_platform add|list|rotate-keys``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from lti_tool.models import Key, LtiRegistration

from quizapp.lti.services import lti_keys_rotate, lti_platform_register, tool_urls


class Command(BaseCommand):
    help = "Платформы LTI 1.3: add — зарегистрировать, list — показать, rotate-keys — сменить ключ."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="зарегистрировать LMS (или обновить по issuer+client-id)")
        add.add_argument("--name", required=True)
        add.add_argument(
            "--issuer", required=True, help="iss платформы, например https://moodle.example.org"
        )
        add.add_argument("--client-id", required=True)
        add.add_argument("--auth-url", required=True, help="OIDC authentication endpoint")
        add.add_argument("--token-url", required=True, help="OAuth2 access token endpoint")
        add.add_argument("--keyset-url", required=True, help="JWKS URL платформы")
        add.add_argument("--audience", default="", help="aud для токена, если отличается")
        add.add_argument("--deployment-id", action="append", default=[], help="можно повторять")
        add.add_argument("--base-url", default="https://YOUR-HOST", help="адрес Нейрозачёта")
        lst = sub.add_parser("list", help="зарегистрированные LMS и их подключения")
        lst.add_argument("--base-url", default="https://YOUR-HOST")
        rotate = sub.add_parser("rotate-keys", help="новый ключ подписи; старые уходят из JWKS")
        rotate.add_argument("--keep-days", type=int, default=7)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "add":
            for key in ("auth_url", "token_url", "keyset_url"):
                if not options[key].startswith(("https://", "http://")):
                    raise CommandError(f"--{key.replace('_', '-')}: нужен адрес http(s)://")
            registration = lti_platform_register(
                name=options["name"],
                issuer=options["issuer"],
                client_id=options["client_id"],
                auth_url=options["auth_url"],
                token_url=options["token_url"],
                keyset_url=options["keyset_url"],
                audience=options["audience"],
                deployment_ids=options["deployment_id"],
            )
            self.stdout.write(self.style.SUCCESS(f"Платформа «{registration.name}» сохранена."))
            self._print_registration(registration, options["base_url"])
        elif action == "list":
            registrations = LtiRegistration.objects.prefetch_related("deployments").order_by("pk")
            if not registrations:
                self.stdout.write("Платформ нет.")
            for registration in registrations:
                self._print_registration(registration, options["base_url"])
        else:
            new_key, retired = lti_keys_rotate(keep_days=options["keep_days"])
            done = f"Новый ключ {new_key}; убрано из JWKS: {retired}."
            self.stdout.write(self.style.SUCCESS(done))
            self.stdout.write(f"Ключей в JWKS: {Key.objects.active().count()}.")

    def _print_registration(self, registration, base_url):
        state = "включена" if registration.is_active else "выключена"
        self.stdout.write(
            f"[{registration.pk}] {registration.name} ({state}): iss={registration.issuer} "
            f"client_id={registration.client_id}"
        )
        for deployment in registration.deployments.all():
            flag = "вкл" if deployment.is_active else "выкл — включите в админке"
            self.stdout.write(f"    deployment {deployment.deployment_id} ({flag})")
        for label, url in tool_urls(base_url, registration).items():
            self.stdout.write(f"    {label}: {url}")
