"""Reading the sitemap as a crawler does: the index, then every sitemap it names."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_index(client):
    """The paths of the sitemaps ``/sitemap.xml`` lists, in order."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert root.tag == f"{SITEMAP}sitemapindex"
    return [urlsplit(entry.findtext(f"{SITEMAP}loc")).path for entry in root.findall(f"{SITEMAP}sitemap")]


def sitemap_urls(client):
    """{address: lastmod} over every sitemap the index lists; fails on an address listed twice."""
    urls = {}
    for path in sitemap_index(client):
        response = client.get(path)
        assert response.status_code == 200, path
        root = ET.fromstring(response.content)  # noqa: S314 (our own response)
        assert root.tag == f"{SITEMAP}urlset", path
        for url in root.findall(f"{SITEMAP}url"):
            loc = url.findtext(f"{SITEMAP}loc")
            assert loc not in urls, f"{loc} listed twice"
            urls[loc] = url.findtext(f"{SITEMAP}lastmod")
    return urls
