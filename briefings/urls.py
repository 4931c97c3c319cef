from django.urls import path

from . import public_compare, views

app_name = "briefings"

urlpatterns = [
    path("", views.BriefingListView.as_view(), name="briefing-list"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="briefing-detail"),
    path("briefings/<slug:slug>/v<int:number>/", views.publication_detail, name="publication-detail"),
    path(
        "briefings/<slug:slug>/compare/v<int:a>...v<int:b>/",
        public_compare.publication_compare,
        name="publication-compare",
    ),
    path("partners/<slug:slug>/", views.partner_detail, name="partner-detail"),
]
