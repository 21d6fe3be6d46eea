from django.urls import path  # noqa: F401

app_name = "directives"

urlpatterns = [
    # /notice/ and /directives/<id>/ (issue 5)
]
