"""Resident IDs sealed at rest: `code` becomes `stored_code` (a USCC in clear, a resident ID
sealed with AES-GCM) and `code_digest` (a keyed hash to find either). Reversible: going
back unseals every ID into the plain `code` column again."""

from django.db import migrations, models

from yimen.subjects.sealing import lookup_digest, seal, unseal

PERSON = "person"


def seal_codes(apps, schema_editor):
    Subject = apps.get_model("subjects", "Subject")
    for pk, kind, code in Subject.objects.values_list("pk", "kind", "code").iterator():
        Subject.objects.filter(pk=pk).update(
            stored_code=seal(code) if kind == PERSON else code,
            code_digest=lookup_digest(code),
        )


def unseal_codes(apps, schema_editor):
    Subject = apps.get_model("subjects", "Subject")
    for pk, kind, stored in Subject.objects.values_list("pk", "kind", "stored_code").iterator():
        Subject.objects.filter(pk=pk).update(code=unseal(stored) if kind == PERSON else stored)


class Migration(migrations.Migration):

    dependencies = [
        ("subjects", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="subject",
            name="subjects_subject_unique_code",
        ),
        # A default, so that going back can add the column again before refilling it.
        migrations.AlterField(
            model_name="subject",
            name="code",
            field=models.CharField(
                default="",
                help_text="身份证号或统一社会信用代码",
                max_length=18,
                verbose_name="证件号码",
            ),
        ),
        migrations.AddField(
            model_name="subject",
            name="stored_code",
            field=models.CharField(
                default="",
                editable=False,
                help_text="统一社会信用代码为明文，身份证号为加密后的密文。",
                max_length=100,
                verbose_name="证件号码（存储形式）",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="subject",
            name="code_digest",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="证件号码检索摘要"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(seal_codes, unseal_codes),
        migrations.RemoveField(
            model_name="subject",
            name="code",
        ),
        migrations.AddConstraint(
            model_name="subject",
            constraint=models.UniqueConstraint(
                fields=("kind", "code_digest"), name="subjects_subject_unique_code"
            ),
        ),
    ]
