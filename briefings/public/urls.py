from django.urls import path

from briefings.public import compare as public_compare
from briefings.public import explore, exports, feeds, search, views
from briefings.public import preview as preview_views

app_name = "briefings"

urlpatterns = [
    path("", views.BriefingListView.as_view(), name="briefing-list"),
    path("briefings/", explore.BriefingExploreView.as_view(), name="briefing-explore"),
    path("claims/", explore.ClaimListView.as_view(), name="claim-list"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="briefing-detail"),
    path("briefings/<slug:slug>/v<int32:number>/", views.publication_detail, name="publication-detail"),
    # The slug converter excludes ".", so these cannot be mistaken for briefing pages.
    path("briefings/<slug:slug>.json", exports.publication_json, name="briefing-json"),
    path("briefings/<slug:slug>/v<int32:number>.json", exports.publication_json, name="publication-json"),
    path("briefings/<slug:slug>/feed.atom", feeds.briefing_feed, name="briefing-feed"),
    path("feeds/publications.atom", feeds.site_feed, name="feed"),
    path(
        "briefings/<slug:slug>/compare/v<int32:a>...v<int32:b>/",
        public_compare.publication_compare,
        name="publication-compare",
    ),
    path("partners/<slug:slug>/", views.partner_detail, name="partner-detail"),
    path("preview/<str:token>/", preview_views.preview, name="preview"),
]
