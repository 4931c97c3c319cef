"""The review queue as the admin index shows it: how many briefings await review."""

from django import template

from briefings.models import Briefing
from briefings.publishing import review

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_review(context):
    """``{"count": n, "can_review": bool}`` for the user viewing the page (one query)."""
    user = context["request"].user
    return {
        "count": Briefing.objects.filter(status=Briefing.Status.IN_REVIEW).count(),
        "can_review": review.can_review(user),
    }
