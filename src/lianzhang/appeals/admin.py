from django.contrib import admin

from .models import Department, Handler, Route, SlaProfile

admin.site.register(Department)
admin.site.register(Handler)
admin.site.register(Route)
admin.site.register(SlaProfile)
