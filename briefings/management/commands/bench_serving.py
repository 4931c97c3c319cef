"""Server CPU per request of the briefing page under gunicorn, against Django's floor.

Starts gunicorn (DEBUG off, sync workers) on the project plus a floor view
(briefings/management/bench_floor.py) that returns an HTML string the size of
the briefing page through the same middleware. In each round it sends the
same number of requests to each (alternating which goes first), reads the
CPU time the gunicorn processes used from /proc, and prints CPU per request,
requests per second and the ratio of medians. The briefing page is served
from the page cache after the first request each worker sees.

    python manage.py bench_serving --requests 2000 --rounds 5
"""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from briefings.models import Publication

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(master):
    """User + system CPU of the gunicorn master and its workers."""
    pids = [master]
    with contextlib.suppress(FileNotFoundError):
        pids += [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, dict(response.getheaders())


class Command(BaseCommand):
    help = "CPU per request of the (cached) briefing page under gunicorn, against a trivial view."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=2000)
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--clients", type=int, default=4)
        parser.add_argument("--port", type=int, default=0, help="Default: a free port.")
        parser.add_argument("--slug", help="Briefing to serve (default: the latest published).")

    def handle(self, *args, **options):
        publication = Publication.objects.select_related("briefing").order_by("-pk").first()
        slug = options["slug"] or (publication and publication.briefing.slug)
        if not slug:
            raise CommandError("Nothing is published: run `manage.py load_sample` first.")
        page = f"/briefings/{slug}/"
        port = options["port"]
        with tempfile.TemporaryDirectory() as static_root:
            env = {
                **os.environ,
                "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "0",
                "STATIC_ROOT": static_root,
                "LOG_LEVEL": "WARNING",
                # Each worker warms its own local-memory cache; set ASSAY_PAGE_CACHE=0 to measure misses.
                "ASSAY_PAGE_CACHE": os.environ.get("ASSAY_PAGE_CACHE", "1"),
            }
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=settings.BASE_DIR,
                env=env,
                check=True,
            )
            # The floor returns as many bytes as the page.
            response = Client(HTTP_HOST="localhost").get(page)
            if response.status_code != 200:
                raise CommandError(f"{page} answered HTTP {response.status_code}")
            env["ASSAY_BENCH_FLOOR_BYTES"] = str(len(response.content))
            port = port or free_port()
            server = self.start(env, port, options["workers"])
            try:
                self.measure(server, port, page, len(response.content), options)
            finally:
                self.stop(server)

    def start(self, env, port, workers):
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable, "-m", "gunicorn", "briefings.management.bench_floor:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
                "--log-level", "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )  # fmt: skip
        for _ in range(200):
            try:
                fetch(port, "/healthz")
                return server
            except OSError:
                time.sleep(0.05)
        server.kill()
        raise CommandError("gunicorn did not start")

    def stop(self, server):
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    def load(self, port, path, count, clients):
        errors = []

        def run(n):
            for _ in range(n):
                status, _, _ = fetch(port, path)
                if status != 200:
                    errors.append(status)

        threads = [threading.Thread(target=run, args=(count // clients,)) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise CommandError(f"{path}: {len(errors)} requests failed, e.g. HTTP {errors[0]}")
        return (count // clients) * clients, time.perf_counter() - started

    def measure(self, server, port, page, size, options):
        targets = {"briefing page": page, "floor view": "/__bench__/floor"}
        for path in targets.values():  # warm every worker (and its page cache)
            self.load(port, path, 50 * options["workers"], options["clients"])
        _, _, headers = fetch(port, page)
        self.stdout.write(
            f"gunicorn, {options['workers']} sync workers, DEBUG off; page {size} bytes; "
            f"page cache: {headers.get('X-Page-Cache', 'off')}"
        )
        cpu = {name: [] for name in targets}
        rate = {name: [] for name in targets}
        for round_ in range(options["rounds"]):
            order = list(targets.items())
            if round_ % 2:
                order.reverse()
            for name, path in order:
                before = cpu_seconds(server.pid)
                sent, wall = self.load(port, path, options["requests"], options["clients"])
                used = cpu_seconds(server.pid) - before
                cpu[name].append(used / sent * 1000)
                rate[name].append(sent / wall)
        for name in targets:
            self.stdout.write(
                f"{name:>14}: median {statistics.median(cpu[name]):.3f} ms CPU/request, "
                f"{statistics.median(rate[name]):.0f} req/s  "
                f"(rounds: {', '.join(f'{v:.3f}' for v in cpu[name])})"
            )
        ratio = statistics.median(cpu["briefing page"]) / statistics.median(cpu["floor view"])
        self.stdout.write(f"ratio briefing page / floor view: {ratio:.2f}x")
