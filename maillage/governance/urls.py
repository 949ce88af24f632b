from django.urls import path

from maillage.governance.views import decisions, followup, meetings

app_name = "governance"

urlpatterns = [
    # Decisions
    path("reunions/<int:pk>/decisions/nouvelle/", decisions.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", decisions.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/avis/", decisions.decision_answer, name="decision_answer"),
    path("cites/<str:anct_id>/decisions/", decisions.decision_register, name="decision_register"),
    path("cites/<str:anct_id>/decisions.xlsx", decisions.decision_export, name="decision_export"),
    # Follow-up tasks
    path("reunions/<int:pk>/taches/nouvelle/", followup.task_create, name="task_create"),
    path("cites/<str:anct_id>/taches/", followup.cite_tasks, name="cite_tasks"),
    path("taches/<int:pk>/", followup.task_update, name="task_update"),
    path("mes-taches/", followup.my_tasks, name="my_tasks"),
    # Bodies and meetings
    path("cites/<str:anct_id>/gouvernance/", meetings.cite_governance, name="cite_governance"),
    path("cites/<str:anct_id>/gouvernance/instances/nouvelle/", meetings.body_create, name="body_create"),
    path("instances/<int:pk>/", meetings.body_detail, name="body_detail"),
    path("instances/<int:pk>/modifier/", meetings.body_update, name="body_update"),
    path("instances/<int:pk>/reunions/nouvelle/", meetings.meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("reunions/<int:pk>/modifier/", meetings.meeting_update, name="meeting_update"),
    path("reunions/<int:pk>/invites/", meetings.meeting_invitees, name="meeting_invitees"),
    path(
        "reunions/<int:pk>/invitations/envoyer/",
        meetings.meeting_send_invitations,
        name="meeting_send_invitations",
    ),
    path("reunions/<int:pk>/emargement/", meetings.meeting_attendance, name="meeting_attendance"),
    path("reunions/<int:pk>/feuille-d-emargement/", meetings.attendance_sheet, name="attendance_sheet"),
    path("reunions/<int:pk>/compte-rendu/", meetings.meeting_minutes, name="meeting_minutes"),
    path("reunions/<int:pk>/compte-rendu.pdf", meetings.minutes_pdf, name="minutes_pdf"),
    path("reunions/<int:pk>/pieces-jointes/", meetings.attachment_add, name="attachment_add"),
    path("pieces-jointes/<int:pk>/", meetings.attachment_download, name="attachment_download"),
    path("reunions/<int:pk>.ics", meetings.meeting_ics, name="meeting_ics"),
    path("cites/<str:anct_id>/calendrier/", meetings.calendar, name="calendar"),
    path("cites/<str:anct_id>/calendrier.ics", meetings.calendar_feed, name="calendar_feed"),
]
