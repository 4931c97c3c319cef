from django.urls import path

from . import explore, search, views

app_name = "briefings"

urlpatterns = [
    path("", views.BriefingListView.as_view(), name="briefing-list"),
    path("briefings/", explore.BriefingExploreView.as_view(), name="briefing-explore"),
    path("claims/", explore.ClaimListView.as_view(), name="claim-list"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="briefing-detail"),
    path("briefings/<slug:slug>/v<int:number>/", views.publication_detail, name="publication-detail"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner-detail"),
]
