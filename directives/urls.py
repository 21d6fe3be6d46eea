from django.urls import path

from directives import views

app_name = "directives"

urlpatterns = [
    path("notice/", views.notice, name="notice"),
    # /directives/<id>/ shows assignments and milestones, so it lives in progress (imports go
    # progress -> directives): see progress/urls.py.
]
