from django.urls import path

from . import views

app_name = "cultivation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("cultivation.xlsx", views.export, name="export"),
    path("targets/", views.set_target, name="set-target"),
    path("listing/", views.set_stage, name="set-stage"),
]
