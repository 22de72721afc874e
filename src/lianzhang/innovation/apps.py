from django.apps import AppConfig


class InnovationConfig(AppConfig):
    name = "lianzhang.innovation"
    label = "innovation"
    verbose_name = "技术创新与成果转化"
