from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stream", models.CharField(max_length=80, verbose_name="stream")),
                ("seq", models.PositiveBigIntegerField(verbose_name="sequence number")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
                ("at", models.DateTimeField(verbose_name="time")),
            ],
            options={
                "ordering": ["id"],
                "indexes": [models.Index(fields=["stream", "id"], name="audit_checkpoint_stream")],
            },
        ),
    ]
