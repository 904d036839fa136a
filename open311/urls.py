from django.urls import re_path

from open311 import views

app_name = "open311"
FORMAT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.services, name="services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9_-]{1,16})" + FORMAT, views.service_definition, name="service"),
    re_path(r"^requests" + FORMAT, views.requests_view, name="requests"),
    re_path(r"^requests/(?P<number>[A-Za-z0-9_-]{1,32})" + FORMAT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_:.-]{1,200})" + FORMAT, views.token, name="token"),
]
