"""Template context every page shares."""

from django.conf import settings


def site(request):
    """``site_name``: the ASSAY_SITE_NAME setting, for titles, the header and the footer."""
    return {"site_name": settings.ASSAY_SITE_NAME}
