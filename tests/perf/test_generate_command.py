"""The `yimen generate` command: its input checks and its report."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yimen.cases.models import Case


@pytest.mark.parametrize("args", [["--cases", "0"], ["--cases", "5", "--days", "0"]])
def test_the_command_refuses_bad_numbers_and_saves_nothing(db, sandbox, args):
    with pytest.raises(CommandError):
        call_command("generate", *args)
    assert not Case.objects.exists()


def test_the_command_reports_what_it_made(db, sandbox):
    out = io.StringIO()
    call_command("generate", "--cases", "30", stdout=out)
    assert "已生成办件 30 件" in out.getvalue()
    assert Case.objects.count() == 30
