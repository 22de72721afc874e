from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lianzhang.web"
    verbose_name = "Web"
