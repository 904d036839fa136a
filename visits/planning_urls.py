"""Pages of visit plans, due visits, the agenda and compliance (under /visits/)."""

from __future__ import annotations

from django.urls import path

from visits import planning_views as views

app_name = "planning"
urlpatterns = [
    path("plan/", views.plan_list, name="plan-list"),
    path("plan/new/", views.plan_new, name="plan-new"),
    path("plan/<int:plan_id>/edit/", views.plan_edit, name="plan-edit"),
    path("due/", views.due_list, name="due-list"),
    path("due/calendar/", views.due_calendar, name="due-calendar"),
    path("due/<int:due_id>/assign/", views.due_assign, name="due-assign"),
    path("agenda/", views.agenda_page, name="agenda"),
    path("compliance/", views.compliance_page, name="compliance"),
]
