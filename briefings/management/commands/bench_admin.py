"""Measure the briefing admin where it grows with the briefing: queries, and bytes per revision.

For briefings of 5, 40 and 200 sections (40 references), made through the
admin's add page, it prints the queries of opening the change form and of
saving it with one sentence changed; then it saves a 40-section briefing N
times, one sentence each time, and prints what each revision added to the
history tables: the stored JSON (every database) and the tables' size on
disk (PostgreSQL, ``pg_total_relation_size``). It talks to the admin over
HTTP (Django's test client) only, so the same file measures any version of
the code. Everything is rolled back at the end.

    python manage.py bench_admin --saves 50
    DATABASE_URL=postgres://... python manage.py bench_admin --saves 50
"""

import statistics

from django.apps import apps
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
from django.urls import reverse
from reversion.models import Version

HISTORY_TABLES = ("reversion_revision", "reversion_version", "briefings_revisioncontents")
SENTENCE = "Sample sentence {n} of this benchmark names a sample lender and a sample dam [{ref}]."


class _Rollback(Exception):
    pass


def body(section, references, sentences=6):
    return " ".join(
        SENTENCE.format(n=f"{section}.{k}", ref=(section + k) % references + 1) for k in range(sentences)
    )


def form_data(response):
    """The admin change form as the browser would post it back."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                value = [getattr(v, "pk", v) for v in value]
            data[bound.html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


class Command(BaseCommand):
    help = "Queries of the briefing change form and its save at 5/40/200 sections, and bytes per revision."

    def add_arguments(self, parser):
        parser.add_argument("--saves", type=int, default=50, help="One-sentence saves to average over.")

    def handle(self, *args, **options):
        setup_test_environment()  # responses carry their template context
        try:
            with transaction.atomic():
                self.run(options["saves"])
                raise _Rollback
        except _Rollback:
            self.stdout.write("Rolled back.")
        finally:
            teardown_test_environment()

    def run(self, saves):
        user = User.objects.create_superuser(username="zz-bench-admin", email="", password=None)
        self.client = Client()
        self.client.force_login(user)
        Source = apps.get_model("sources", "Source")
        self.sources = [Source.objects.create(title=f"ZZ bench source {n}").pk for n in range(1, 41)]
        self.stdout.write(f"Database: {connection.vendor}")
        self.stdout.write(f"{'sections':>8} {'change form queries':>20} {'save queries':>13}")
        for n in (5, 40, 200):
            pk = self.add(n)
            if isinstance(pk, str):
                self.stdout.write(f"{n:>8} {pk:>20} {'-':>13}")
                continue
            url = reverse("admin:briefings_briefing_change", args=[pk])
            with CaptureQueriesContext(connection) as opened:
                page = self.client.get(url)
            data = form_data(page)
            data["sections-3-body"] = data["sections-3-body"].replace(
                "Sample sentence", "Changed sentence", 1
            )
            with CaptureQueriesContext(connection) as saved:
                response = self.client.post(url, data)
            assert response.status_code == 302, response.status_code
            self.stdout.write(f"{n:>8} {len(opened):>20} {len(saved):>13}")
        self.measure_bytes(self.add(40), saves)

    def add(self, sections):
        self.added = getattr(self, "added", 0) + 1
        slug = f"zz-bench-{self.added}"
        data = {"title": f"ZZ bench: {sections} sections?", "slug": slug, "subject": "Bench"}
        data.update({"sections-TOTAL_FORMS": sections, "sections-INITIAL_FORMS": 0})
        data.update({"references-TOTAL_FORMS": 40, "references-INITIAL_FORMS": 0})
        for i in range(sections):
            data[f"sections-{i}-position"] = i
            data[f"sections-{i}-heading"] = "Executive summary" if i == 0 else f"Theme {i}: a bench section"
            data[f"sections-{i}-body"] = body(i, 40)
        for i, source in enumerate(self.sources):
            data[f"references-{i}-number"] = i + 1
            data[f"references-{i}-source"] = source
        response = self.client.post(reverse("admin:briefings_briefing_add"), data)
        if response.status_code != 302:
            return f"add: HTTP {response.status_code}"
        return apps.get_model("briefings", "Briefing").objects.get(slug=slug).pk

    def disk(self):
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            total = 0
            for table in HISTORY_TABLES:
                cursor.execute("SELECT to_regclass(%s)", [table])
                if cursor.fetchone()[0]:
                    cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                    total += cursor.fetchone()[0]
            return total

    def measure_bytes(self, pk, saves):
        url = reverse("admin:briefings_briefing_change", args=[pk])
        json_bytes, versions = [], []
        disk_before = self.disk()
        for n in range(saves):
            data = form_data(self.client.get(url))
            key = f"sections-{1 + n % 39}-body"
            data[key] = data[key].replace("Sample sentence", f"Edited ({n}) sentence", 1)
            latest = Version.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            assert self.client.post(url, data).status_code == 302
            added = Version.objects.filter(pk__gt=latest)
            versions.append(added.count())
            json_bytes.append(sum(len(v.serialized_data) for v in added))
        disk_after = self.disk()
        self.stdout.write(
            f"One-sentence save of a 40-section briefing, {saves} saves: "
            f"median {statistics.median(versions):.0f} versions and "
            f"{statistics.median(json_bytes) / 1024:.1f} KiB of stored JSON per revision"
        )
        if disk_before is not None:
            per = (disk_after - disk_before) / saves / 1024
            self.stdout.write(f"History tables on disk grew by {per:.1f} KiB per revision (PostgreSQL)")
