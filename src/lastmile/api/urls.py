"""`/api/v1/` (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""
from django.urls import path

from .api import api

urlpatterns = [path("api/v1/", api.urls)]
