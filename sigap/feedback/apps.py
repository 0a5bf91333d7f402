from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "sigap.feedback"
    label = "feedback"
    verbose_name = "Follow-up and surveys"
