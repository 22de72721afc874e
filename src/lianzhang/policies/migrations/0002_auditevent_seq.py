"""Number the audit chain (``seq`` 1..N by id); the hashes stay as they are."""

from django.db import migrations, models

from lianzhang.audit.migrating import number


def forwards(apps, schema_editor):
    number(apps, "policies", "AuditEvent")


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True),
        ),
    ]
