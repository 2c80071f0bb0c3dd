"""The console, included at /console/ with the namespace "console"."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/<str:number>/", views.account_page, name="account"),
    path("accounts/<str:number>/timeline/", views.account_timeline, name="timeline"),
    path("accounts/<str:number>/payment/", views.payment_take, name="payment"),
    path("accounts/<str:number>/notes/", views.note_add, name="note"),
    path("accounts/<str:number>/cards/", views.card_add, name="card"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:task_id>/outcome/", views.task_outcome, name="task_outcome"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/<int:ticket_id>/", views.ticket_page, name="ticket"),
]
