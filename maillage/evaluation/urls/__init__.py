"""The evaluation pages, one module per use case: indicators (catalogue, targets, values), action reports,
dashboards (cité and national), annual reviews."""

from maillage.evaluation.urls import dashboards, indicators, reports, reviews

app_name = "evaluation"

urlpatterns = [*indicators.urlpatterns, *reports.urlpatterns, *dashboards.urlpatterns, *reviews.urlpatterns]
