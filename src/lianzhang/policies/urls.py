from django.urls import path

from . import bureau_views, list_views, public_views, run_views, task_views, views

app_name = "policies"

urlpatterns = [
    path("", views.home, name="home"),
    path("library/", views.library, name="library"),
    path("library/<str:code>/", views.policy_detail, name="policy"),
    path("library/<str:code>/propose/", views.propose, name="propose"),
    path("library/<str:code>/rules/", views.money_rules, name="money-rules"),
    path("changes/<int:pk>/review/", views.review_change, name="review-change"),
    path("mine/", views.mine, name="mine"),
    path("mine/apply/<str:code>/", views.apply, name="apply"),
    path("notices/read/", views.notices_read, name="notices-read"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/act/", views.case_act, name="case-act"),
    path("cases/<int:pk>/attach/", views.case_attach, name="case-attach"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("money/", bureau_views.money, name="money"),
    path("money/<str:code>/<int:year>/", bureau_views.ledger, name="ledger"),
    path("money/<str:code>/<int:year>/act/", bureau_views.money_act, name="money-act"),
    path("money/<str:code>/<int:year>/treasury.xlsx", bureau_views.treasury, name="treasury"),
    path("money/<str:code>/<int:year>/returns/", bureau_views.bank_returns, name="returns"),
    path("runs/", run_views.runs, name="runs"),
    path("runs/<int:pk>/", run_views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", run_views.run_progress, name="run-progress"),
    path("runs/<int:pk>/cancel/", run_views.run_cancel, name="run-cancel"),
    path("runs/<int:pk>/retry/", run_views.run_retry, name="run-retry"),
    path("runs/<int:a>/diff/<int:b>/", run_views.run_compare, name="run-diff"),
    path("runs/<int:a>/diff/<int:b>.xlsx", run_views.run_compare_xlsx, name="run-diff-xlsx"),
    path("tasks/", task_views.tasks, name="tasks"),
    path("tasks/<int:pk>/decide/", task_views.task_decide, name="task-decide"),
    path("dashboard/", bureau_views.dashboard, name="dashboard"),
    path("dashboard/match/", bureau_views.match_now, name="match"),
    path("dashboard/lists/<str:kind>/", list_views.long_list, name="list"),
    path("export/<str:kind>.xlsx", bureau_views.export, name="export"),
    path("sandbox/", bureau_views.sandbox_page, name="sandbox"),
    path("outcomes/<str:code>/<int:year>/", bureau_views.outcomes_page, name="outcomes"),
    # 公示: public, no login
    path("publicity/", public_views.publicity_list, name="public-list"),
    path("publicity/<int:pk>/", public_views.publicity_detail, name="public"),
    path("publicity/<int:pk>/object/", public_views.publicity_object, name="public-object"),
]
