"""Put the appeals ``Event`` log on the hash chain: number and hash existing rows."""

from django.db import migrations, models

from lianzhang.audit.migrating import number

FIELDS = ("appeal_id", "assignment_id", "kind", "actor_id", "reason", "at", "data")


def forwards(apps, schema_editor):
    number(apps, "appeals", "Event", FIELDS)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0002_handed_up_attachments_callback_sample")]

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
