from django.urls import path

from briefings.public import sources as views

app_name = "sources"

urlpatterns = [
    path("", views.SourceListView.as_view(), name="source-list"),
    path("<int64:pk>/", views.source_detail, name="source-detail"),
]
