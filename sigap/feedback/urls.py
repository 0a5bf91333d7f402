from django.urls import path

from sigap.feedback import public_views, staff_views

urlpatterns = [
    path("survey/<str:token>/", public_views.survey_page, name="survey_answer"),
    path("follow-up/<str:token>/", public_views.follow_up_page, name="follow_up_answer"),
    path("follow-ups/", staff_views.follow_up_list, name="follow_ups"),
    path(
        "follow-ups/<int:follow_up_id>/record/",
        staff_views.follow_up_record_post,
        name="follow_up_record",
    ),
    path("recovery/<int:task_id>/done/", staff_views.recovery_done_post, name="recovery_done"),
    path("feedback/comments/", staff_views.comment_list, name="feedback_comments"),
]
