from django.urls import path

from progress.views import home

app_name = "progress"

urlpatterns = [
    path("", home.home, name="home"),
    # --- ledger workflow (issue 3) ---
    # --- ledger export, import, periods (issue 3) ---
    # --- reminders and notifications (issue 4) ---
    # --- board, charts, assessment (issue 5) ---
]
