from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="chain-dashboard"),
    path("import/", views.import_file, name="chain-import"),
    path("relatedness/", views.relatedness, name="chain-relatedness"),
    path("links/<int:link_id>/decide/", views.decide, name="chain-link-decide"),
    path("<slug:code>/", views.chain_map, name="chain-map"),
    path("<slug:code>/nodes/<int:node_id>/", views.node_enterprises, name="chain-node"),
    path("<slug:code>/gaps/", views.gaps, name="chain-gaps"),
    path("<slug:code>/report.xlsx", views.excel, name="chain-excel"),
    path("<slug:code>/report/", views.print_report, name="chain-print"),
    path("<slug:code>/report.pdf", views.pdf, name="chain-pdf"),
    path("<slug:code>/edit/", views.edit, name="chain-edit"),
    path("<slug:code>/edit/<slug:action>/", views.edit_action, name="chain-edit-action"),
    path("<slug:code>/export.<slug:fmt>", views.export_file, name="chain-export"),
]
