from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_hall"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="clockpause",
            index=models.Index(
                condition=models.Q(("ended_on__isnull", False)),
                fields=["ended_on"],
                name="cases_pause_ended",
            ),
        ),
    ]
