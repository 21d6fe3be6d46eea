from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from qdsasac import views

# The admin speaks the product's name in the reader's language, not "Django 管理".
admin.site.site_header = _("工业互联网任务督办 · 系统管理")
admin.site.site_title = _("系统管理")
admin.site.index_title = _("数据与设置")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("directives.urls")),
    path("", include("progress.urls")),
]
