"""Put the innovation audit ``Event`` on the hash chain: number and hash existing rows."""

from django.db import migrations, models

from lianzhang.audit.migrating import number

FIELDS = ("kind", "object_id", "action", "from_state", "to_state", "by_id", "reason")


def forwards(apps, schema_editor):
    number(apps, "innovation", "Event", FIELDS)


class Migration(migrations.Migration):
    dependencies = [("innovation", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="event", name="seq", field=models.PositiveBigIntegerField(null=True)
        ),
        migrations.AddField(
            model_name="event",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="event",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event", name="seq", field=models.PositiveBigIntegerField(unique=True)
        ),
    ]
