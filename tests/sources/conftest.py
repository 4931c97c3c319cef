import pytest

from tests.sources.local_site import Site


@pytest.fixture
def site():
    site = Site()
    site.thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()
