"""Checking source links: fetch each URL, follow and record redirects, respect robots.txt, hash the body.

``check`` fetches URLs on a bounded pool of threads (one shared httpx client,
whose connection pool has the same bound) and yields each result as it
arrives; ``record`` turns a result into the source's ``LinkCheck`` row. Only
the calling thread touches the database.

A link is *dead* when the last answer was an HTTP error (4xx, 5xx) or none
came (refused, timed out, too many redirects, not a valid address). Its
content has *changed* when the body's SHA-256 differs from the previous
check of the same URL; the flag stays until an editor marks it reviewed.
A URL that the site's robots.txt disallows for ``ROBOTS_AGENT`` (at any step of
a redirect chain) is not fetched; nor, unless ``allow_private``, is one whose
host is or resolves to a loopback, private, link-local or otherwise
non-public address (so a source URL cannot make the checker probe the
server's own network).
"""

import hashlib
import ipaddress
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx
from django.db import transaction

from sources.models import LinkCheck

ROBOTS_AGENT = "AssayLinkChecker"
USER_AGENT = f"{ROBOTS_AGENT}/1.0 (checks that cited sources are still online)"
MAX_REDIRECTS = 10
# Enough to tell whether a page changed; a longer body is hashed up to here.
MAX_BYTES = 10 * 1024 * 1024
MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(frozen=True)
class Fetch:
    """What fetching one URL found."""

    url: str
    status_code: int | None = None
    final_url: str = ""
    redirects: tuple = ()
    content_hash: str = ""
    error: str = ""
    blocked: bool = False

    @property
    def dead(self):
        return not self.blocked and (self.status_code is None or self.status_code >= 400)


class _Deadline(Exception):
    pass


class Robots:
    """robots.txt of each origin, fetched once per run and shared by the threads."""

    def __init__(self, client):
        self.client = client
        self._parsers = {}
        self._locks = {}
        self._lock = threading.Lock()

    def verdict(self, url):
        """``None`` if ``url`` may be fetched, else why not."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._parsers:
                self._parsers[origin] = self._load(origin)
        parser, problem = self._parsers[origin]
        if problem:
            return problem
        if not parser.can_fetch(ROBOTS_AGENT, url):
            return f"{origin}/robots.txt disallows it"
        return None

    def _load(self, origin):
        """(parser, problem): the rules urllib.robotparser's own reader applies, fetched with our client."""
        parser = RobotFileParser(f"{origin}/robots.txt")
        try:
            with self.client.stream("GET", f"{origin}/robots.txt", follow_redirects=True) as response:
                status = response.status_code
                body = b""
                if status < 400:
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) >= MAX_ROBOTS_BYTES:
                            break
        except httpx.HTTPError:
            # The site does not answer: the page's own fetch will say how.
            parser.allow_all = True
            return parser, None
        if status in (401, 403):
            return parser, f"{origin}/robots.txt refuses access (HTTP {status}), so nothing may be fetched"
        if status >= 500:
            return parser, f"{origin}/robots.txt could not be read (HTTP {status}); not fetched"
        if status >= 400:
            parser.allow_all = True
        else:
            parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser, None


def private_address(url):
    """The first non-public address ``url``'s host is or resolves to, or None."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)]
        except (socket.gaierror, UnicodeError):
            return None  # does not resolve: the fetch itself reports it
    return next((str(a) for a in addresses if not a.is_global), None)


def fetch(client, robots, url, timeout, *, allow_private=False):
    """Fetch ``url``, following up to MAX_REDIRECTS redirects itself so that robots.txt is asked at each."""
    deadline = time.monotonic() + timeout
    redirects = []
    try:
        request = client.build_request("GET", url)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as error:
        return Fetch(url, error=f"not a valid address: {error}")
    for _ in range(MAX_REDIRECTS + 1):
        where = str(request.url)
        if not allow_private and (address := private_address(where)):
            why = f"not fetched: {address} is not a public address (check_sources --allow-private fetches it)"
            return Fetch(url, final_url=where, redirects=tuple(redirects), error=why, blocked=True)
        if why := robots.verdict(where):
            return Fetch(url, final_url=where, redirects=tuple(redirects), error=why, blocked=True)
        try:
            response = client.send(request, stream=True)
            try:
                if response.next_request is not None:
                    request = response.next_request
                    redirects.append((response.status_code, where, str(request.url)))
                    continue
                digest = hashlib.sha256()
                size = 0
                if response.status_code < 400:
                    for chunk in response.iter_bytes():
                        digest.update(chunk)
                        size += len(chunk)
                        if size >= MAX_BYTES:
                            break
                        if time.monotonic() > deadline:
                            raise _Deadline
            finally:
                response.close()
        except (httpx.TimeoutException, _Deadline):
            return Fetch(
                url, final_url=where, redirects=tuple(redirects), error=f"no answer within {timeout:g} s"
            )
        except httpx.HTTPError as error:
            return Fetch(url, final_url=where, redirects=tuple(redirects), error=f"could not fetch: {error}")
        status = response.status_code
        return Fetch(
            url,
            status_code=status,
            final_url=where,
            redirects=tuple(redirects),
            content_hash=digest.hexdigest() if status < 400 else "",
            error="" if status < 400 else f"the server answered HTTP {status}",
        )
    too_many = f"more than {MAX_REDIRECTS} redirects"
    return Fetch(url, final_url=str(request.url), redirects=tuple(redirects), error=too_many)


def make_client(*, concurrency, timeout):
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
    )


def check(sources, *, concurrency, timeout, allow_private=False):
    """Yield ``(source, Fetch)`` for each source, as each fetch finishes, at most ``concurrency`` at once."""
    with make_client(concurrency=concurrency, timeout=timeout) as client:
        robots = Robots(client)
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="check-sources") as pool:
            futures = {
                pool.submit(fetch, client, robots, source.url, timeout, allow_private=allow_private): source
                for source in sources
            }
            for future in as_completed(futures):
                yield futures[future], future.result()


def record(source, result, *, now):
    """Write ``result`` as ``source``'s LinkCheck, comparing it with the check before; returns the row."""
    with transaction.atomic():
        previous = LinkCheck.objects.select_for_update().filter(source=source).first()
        same_url = previous is not None and previous.url == result.url
        fields = {
            "url": result.url,
            "checked_at": now,
            "redirects": [list(step) for step in result.redirects],
            "final_url": result.final_url,
            "error": result.error,
            "status_code": result.status_code,
            # A new URL starts afresh; a failed fetch keeps what was last seen.
            "content_hash": previous.content_hash if same_url else "",
            "changed_at": previous.changed_at if same_url else None,
            "dead_since": None,
        }
        if result.blocked:
            state = LinkCheck.State.BLOCKED
        elif result.dead:
            state = LinkCheck.State.DEAD
            was_dead = same_url and previous.state == LinkCheck.State.DEAD
            fields["dead_since"] = previous.dead_since if was_dead else now
        else:
            if same_url and previous.content_hash and previous.content_hash != result.content_hash:
                fields["changed_at"] = now
            fields["content_hash"] = result.content_hash
            state = LinkCheck.State.CHANGED if fields["changed_at"] else LinkCheck.State.OK
        row, _ = LinkCheck.objects.update_or_create(source=source, defaults={**fields, "state": state})
    return row


def mark_reviewed(sources):
    """An editor has looked at the changed content: it becomes what later checks compare with."""
    return LinkCheck.objects.filter(source__in=sources, state=LinkCheck.State.CHANGED).update(
        state=LinkCheck.State.OK, changed_at=None
    )
