"""The groups behind quizapp.core.roles: "instructor" and "admin", with their model permissions.

Model permissions matter only in the Django admin, which instructors do not use (they are not
staff): an instructor's pages check ownership object by object (quizapp.courses.services). The permissions
are still given so that a staff instructor, if an admin makes one, sees the right admin pages.

Permissions are normally created after all migrations (post_migrate); on a fresh database they do
not exist yet, so they are created here first. Reversing keeps the groups: dropping them would
silently drop every membership.
"""

from django.db import migrations

INSTRUCTOR_PERMISSIONS = {
    "quizapp": {
        "course": ["add", "change", "delete", "view"],
        "enrollment": ["delete", "view"],
        "coursequiz": ["add", "delete", "view"],
        "quiz": ["add", "change", "delete", "view"],
        "quizitem": ["add", "change", "delete", "view"],
        "attempt": ["view"],
        "attemptitem": ["view"],
        "response": ["view"],
    },
    "question_bank": {
        "bank": ["add", "change", "delete", "view"],
        "topic": ["add", "change", "delete", "view"],
        "question": ["add", "change", "delete", "view"],
        "questionversion": ["add", "view"],
    },
}
ADMIN_APPS = ["quizapp", "question_bank"]
ADMIN_EXTRA = {"auth": {"user": ["view", "change"], "group": ["view"]}}


def _permissions(Permission, alias, spec):
    # .get() fails loudly on a misspelt or vanished codename instead of granting less than listed.
    return [
        Permission.objects.using(alias).get(
            content_type__app_label=app_label, codename=f"{action}_{model}"
        )
        for app_label, models in spec.items()
        for model, actions in models.items()
        for action in actions
    ]


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    alias = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    instructor, _ = Group.objects.using(alias).get_or_create(name="instructor")
    instructor.permissions.add(*_permissions(Permission, alias, INSTRUCTOR_PERMISSIONS))

    admin, _ = Group.objects.using(alias).get_or_create(name="admin")
    admin.permissions.add(
        *Permission.objects.using(alias).filter(content_type__app_label__in=ADMIN_APPS),
        *_permissions(Permission, alias, ADMIN_EXTRA),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("question_bank", "0001_initial"),
        ("quizapp", "0005_courses"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
