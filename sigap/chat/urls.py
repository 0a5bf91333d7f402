from django.urls import path

from sigap.chat import views

urlpatterns = [
    path("<slug:key>/config/", views.widget_config, name="chat_widget_config"),
    path("<slug:key>/upload/", views.upload, name="chat_upload"),
]
