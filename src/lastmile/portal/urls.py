from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_request, name="password_request"),
    path("password/set/", views.password_request, name="password_set_base"),
    path("password/set/<str:token>/", views.password_set, name="password_set"),
    path("statements/style.css", views.statement_css, name="statement_css"),
    path("statements/<int:statement_id>/", views.statement, name="statement"),
    path("statements/<int:statement_id>/pdf/", views.statement_document, name="statement_pdf"),
    path("pay/", views.pay, name="pay"),
    path("autopay/", views.autopay, name="autopay"),
    path("card/", views.card, name="card"),
    path("plan/", views.plan, name="plan"),
]
