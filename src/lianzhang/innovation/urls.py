from django.urls import path

from . import views

app_name = "innovation"

urlpatterns = [
    path("", views.demand_list, name="demands"),
    path("demands/new/", views.demand_new, name="demand-new"),
    path("demands/export.xlsx", views.demand_export, name="demand-export"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/mark/", views.demand_mark, name="demand-mark"),
    path("demands/<int:pk>/status/", views.demand_status, name="demand-status"),
    path("capabilities/", views.capability_list, name="capabilities"),
    path("capabilities/new/", views.capability_new, name="capability-new"),
    path("capabilities/<int:pk>/", views.capability_detail, name="capability"),
    path("capabilities/<int:pk>/advance/", views.capability_advance, name="capability-advance"),
    path("challenges/", views.challenge_list, name="challenges"),
    path("challenges/new/", views.challenge_new, name="challenge-new"),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge"),
    path("challenges/<int:pk>/<str:action>/", views.challenge_action, name="challenge-action"),
    path("pipeline/", views.pipeline, name="pipeline"),
]
