from django.urls import path  # noqa: F401  (routes are added below as the views are written)

app_name = "governance"

urlpatterns = []
