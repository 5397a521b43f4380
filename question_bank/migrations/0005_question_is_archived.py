from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("question_bank", "0004_bank_is_archived"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="is_archived",
            field=models.BooleanField(default=False, verbose_name="в архиве"),
        ),
    ]
