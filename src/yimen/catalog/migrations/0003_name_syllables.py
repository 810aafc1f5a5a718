"""The pinyin syllables of every version's and bundle's name, stored with it so that the
public search (and so every web process) no longer needs pypinyin. Published versions
are refused writes only by the model's save(), which the historical model here does not
have, so they are filled too."""

import unicodedata

from django.db import migrations, models

CHUNK = 1000


def name_syllables(name: str) -> str:
    """`catalog.pinyin.name_syllables` as it was when this migration was written."""
    from pypinyin import lazy_pinyin

    text = unicodedata.normalize("NFKC", name).lower()
    parts = lazy_pinyin(text, errors=lambda chunk: [c for c in chunk if c.isalnum()])
    return " ".join(p for p in parts if p)


def fill_syllables(apps, schema_editor):
    for model_name in ("ItemVersion", "Bundle"):
        model = apps.get_model("catalog", model_name)
        rows = model.objects.only("pk", "name").order_by("pk")
        chunk = []
        for row in rows.iterator(chunk_size=CHUNK):
            row.name_syllables = name_syllables(row.name)
            chunk.append(row)
            if len(chunk) == CHUNK:
                model.objects.bulk_update(chunk, ["name_syllables"])
                chunk = []
        model.objects.bulk_update(chunk, ["name_syllables"])


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_constraint_message"),
    ]

    operations = [
        migrations.AddField(
            model_name="bundle",
            name="name_syllables",
            field=models.TextField(blank=True, editable=False, verbose_name="一件事名称拼音"),
        ),
        migrations.AddField(
            model_name="itemversion",
            name="name_syllables",
            field=models.TextField(blank=True, editable=False, verbose_name="事项名称拼音"),
        ),
        migrations.RunPython(fill_syllables, migrations.RunPython.noop),
    ]
