from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="chain-dashboard"),
    path("links/<int:link_id>/decide/", views.decide, name="chain-link-decide"),
    path("<slug:code>/", views.chain_map, name="chain-map"),
    path("<slug:code>/nodes/<int:node_id>/", views.node_enterprises, name="chain-node"),
    path("<slug:code>/gaps/", views.gaps, name="chain-gaps"),
    path("<slug:code>/report.xlsx", views.excel, name="chain-excel"),
]
