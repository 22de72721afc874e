from django.urls import path

from . import views

app_name = "innovation"

urlpatterns = [
    path("", views.demand_list, name="demands"),
    path("demands/new/", views.demand_new, name="demand-new"),
    path("demands/<int:pk>/", views.demand_detail, name="demand"),
    path("demands/<int:pk>/mark/", views.demand_mark, name="demand-mark"),
    path("challenges/", views.challenge_list, name="challenges"),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge"),
    path("challenges/<int:pk>/<str:action>/", views.challenge_action, name="challenge-action"),
    path("pipeline/", views.pipeline, name="pipeline"),
]
