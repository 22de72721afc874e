"""The URL root: the shell's own pages (home, login, language) and each app's ``urls``."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from lianzhang.web import views
from lianzhang.web.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="enterprise-list"), name="home"),
    # browsers ask for /favicon.ico on pages without the <link rel="icon"> (the admin's)
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", views.audit, name="audit"),
    path("", include("lianzhang.enterprises.urls")),
    path("chains/", include("lianzhang.chains.urls")),
    path("innovation/", include("lianzhang.innovation.urls")),
    path("policies/", include("lianzhang.policies.urls")),
    path("appeals/", include("lianzhang.appeals.urls")),
    path("cultivation/", include("lianzhang.cultivation.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# refusals raised outside a view; those of views are RefusalMiddleware's
handler403 = "lianzhang.web.errors.permission_denied"
handler404 = "lianzhang.web.errors.page_not_found"
