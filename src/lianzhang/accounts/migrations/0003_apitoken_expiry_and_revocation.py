"""API tokens expire and can be revoked; tokens issued before get 90 days from their issue."""

import datetime

from django.db import migrations, models


def expire_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + datetime.timedelta(days=90)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_apitoken")]

    operations = [
        migrations.RenameField("apitoken", "last_used", "last_used_at"),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last used at"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="revoked at"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(expire_old_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
