from django.urls import path

from . import views

urlpatterns = [
    path("authorize", views.authorize, name="radius_authorize"),
    path("post-auth", views.post_auth, name="radius_post_auth"),
    path("accounting", views.accounting, name="radius_accounting"),
]
