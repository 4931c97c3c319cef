"""`manage.py load_sample`: the sample briefing, published, with its sources' history intact."""

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from reversion.models import Version

from briefings.management.commands.load_sample import SAMPLE_SLUG, SAMPLE_SOURCES
from briefings.models import Briefing

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def load_sample():
    call_command("load_sample", stdout=StringIO())


def test_sample_source_details_are_in_their_history():
    load_sample()
    briefing = Briefing.objects.get(slug=SAMPLE_SLUG)
    assert briefing.publications.count() == 1
    for ref in briefing.references.select_related("source").filter(number__in=SAMPLE_SOURCES):
        source = ref.source
        assert source.title == SAMPLE_SOURCES[ref.number][0]
        latest = Version.objects.get_for_object(source).select_related("revision").first()
        # Reverting a source to its latest version must not bring the placeholder back.
        assert latest.field_dict["title"] == source.title
        assert latest.field_dict["details_pending"] is False
        assert latest.revision.comment == "Sample source details"


def test_loading_the_sample_again_changes_nothing():
    load_sample()
    versions = Version.objects.count()
    load_sample()
    assert Version.objects.count() == versions
    assert Briefing.objects.get(slug=SAMPLE_SLUG).publications.count() == 1


def test_with_debug_off_the_sample_is_refused_and_nothing_changes(settings):
    from django.contrib.auth.models import User
    from django.core.management.base import CommandError

    settings.ASSAY_DEVELOPMENT = False
    with pytest.raises(CommandError, match="DEBUG is off: this looks like a production database"):
        load_sample()
    assert not Briefing.objects.exists()
    assert not User.objects.exists()


def test_with_debug_off_force_loads_the_sample(settings):
    settings.ASSAY_DEVELOPMENT = False
    call_command("load_sample", "--force", stdout=StringIO())
    assert Briefing.objects.get(slug=SAMPLE_SLUG).publications.count() == 1


def test_the_printed_login_address_is_the_one_the_server_runs_on():
    out = StringIO()
    call_command("load_sample", host="127.0.0.1", port="8123", stdout=out)
    assert "Log in at http://127.0.0.1:8123/admin/ as 'editor'" in out.getvalue()
    assert ":8000" not in out.getvalue()
    # Run again (the account exists), bound to every address: still a login address that works here.
    out = StringIO()
    call_command("load_sample", host="0.0.0.0", port="9001", stdout=out)  # noqa: S104
    assert "log in at http://127.0.0.1:9001/admin/" in out.getvalue()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_its_host_and_port_to_load_sample():
    result = subprocess.run(
        ["make", "-n", "setup", "HOST=127.0.0.2", "PORT=8123"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "manage.py load_sample --host 127.0.0.2 --port 8123" in result.stdout
