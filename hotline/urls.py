from django.urls import path

from hotline import views

app_name = "hotline"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("caller/", views.caller, name="caller"),
    path("suggest/", views.suggest, name="suggest"),
    path("knowledge/search/", views.knowledge_search, name="knowledge-search"),
    path("addresses/", views.addresses, name="addresses"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/phone/", views.caller_phone, name="caller-phone"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<str:number>/", views.callback_record, name="callback"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("knowledge/new/", views.article_edit, name="article-new"),
    path("knowledge/<int:pk>/", views.article_edit, name="article"),
]
