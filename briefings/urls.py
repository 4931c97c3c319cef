from django.urls import path

from . import preview_views, views

app_name = "briefings"

urlpatterns = [
    path("", views.BriefingListView.as_view(), name="briefing-list"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="briefing-detail"),
    path("briefings/<slug:slug>/v<int:number>/", views.publication_detail, name="publication-detail"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner-detail"),
    path("preview/<str:token>/", preview_views.preview, name="preview"),
]
