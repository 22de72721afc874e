"""The registry's pages: list, detail and edit, import and export (names are global)."""

from django.urls import path

from . import views

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<str:uscc>/edit/", views.enterprise_edit, name="enterprise-edit"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:table>.xlsx", views.import_template, name="import-template"),
    path("export/<str:table>.<str:fmt>", views.export, name="export"),
]
