"""Health check for load balancers and uptime monitors."""

import logging

from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)


def healthz(request):
    """200 when the database answers, 503 otherwise. Never cached."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unreachable")
        response = JsonResponse({"status": "error", "database": "unreachable"}, status=503)
        response["Retry-After"] = "30"
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    response["Cache-Control"] = "no-store"
    return response
