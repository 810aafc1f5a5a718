"""Application forms sealed at rest: the JSON columns become text, and each stored form is
sealed (and opened again on the way back)."""

import json

from django.db import migrations
from django.db.models import TextField, Value
from django.db.models.functions import Cast

import yimen.cases.fields
from yimen.subjects import sealing

CHUNK = 2000
MODELS = ("Case", "ApplicationDraft")


def _rewrite(apps, schema_editor, change) -> None:
    """Each row's stored text through `change`, a chunk at a time by primary key.

    The stored text is read through a plain text cast, so the sealed field does not try
    to open rows that are not sealed yet; keyset chunks keep memory flat at any size and
    avoid an open cursor on a table being updated.
    """
    database = schema_editor.connection.alias
    for name in MODELS:
        model = apps.get_model("cases", name)
        rows = (
            model.objects.using(database)
            .annotate(stored=Cast("form_data", TextField()))
            .order_by("pk")
            .values_list("pk", "stored")
        )
        last = 0
        while chunk := list(rows.filter(pk__gt=last)[:CHUNK]):
            changed = [model(pk=pk, form_data=change(stored)) for pk, stored in chunk]
            model.objects.using(database).bulk_update(changed, ["form_data"])
            last = chunk[-1][0]


def seal_forms(apps, schema_editor) -> None:
    # The sealed field seals the dict when it is written.
    _rewrite(apps, schema_editor, json.loads)


def open_forms(apps, schema_editor) -> None:
    # Written as plain text, for the column to turn back into JSON.
    _rewrite(
        apps,
        schema_editor,
        lambda stored: Value(sealing.unseal(stored), output_field=TextField()),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_pause_ended_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="applicationdraft",
            name="form_data",
            field=yimen.cases.fields.SealedJSONField(
                blank=True, default=dict, verbose_name="申请表"
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="form_data",
            field=yimen.cases.fields.SealedJSONField(default=dict, verbose_name="申请表"),
        ),
        migrations.RunPython(seal_forms, open_forms),
    ]
