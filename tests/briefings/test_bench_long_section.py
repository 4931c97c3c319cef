"""bench_long_section: imports, publishes twice and compares, then leaves nothing behind."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from briefings.models import Briefing, Publication
from sources.models import Source

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_times_every_step_and_rolls_everything_back():
    out = StringIO()
    call_command("bench_long_section", sentences=30, runs=1, stdout=out)
    text = out.getvalue()
    for step in ("import v1", "publish v1", "import v2", "publish v2", "compare page"):
        assert f"{step}:" in text
    assert "One section of 30 sentences" in text
    assert not Briefing.objects.exists() and not Publication.objects.exists() and not Source.objects.exists()


def test_it_refuses_nonsense_sizes():
    with pytest.raises(CommandError, match="--sentences"):
        call_command("bench_long_section", sentences=1, runs=1, stdout=StringIO())
