from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from lianzhang.web.api import api

from . import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="enterprise-list"), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<str:uscc>/edit/", views.enterprise_edit, name="enterprise-edit"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:table>.xlsx", views.import_template, name="import-template"),
    path("export/<str:table>.<str:fmt>", views.export, name="export"),
    path("chains/", include("lianzhang.chains.urls")),
    path("innovation/", include("lianzhang.innovation.urls")),
    path("policies/", include("lianzhang.policies.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
