"""The programme's pages, one module per use case (objectives, calls, action sheets, selection)."""

from maillage.programme.urls import actions, calls, objectives, selection

app_name = "programme"

urlpatterns = [*objectives.urlpatterns, *calls.urlpatterns, *actions.urlpatterns, *selection.urlpatterns]
