"""URLs of the declaration pages."""

from django.urls import path

from declarations import views

app_name = "declarations"

urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("export.<str:format>", views.declaration_export, name="export"),
    path("new/", views.declaration_new, name="new"),
    path("hs-search/", views.hs_code_search, name="hs-search"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications-read-all"),
    path(
        "notifications/<int:pk>/read/",
        views.notification_read,
        name="notification-read",
    ),
    path("<int:pk>/", views.declaration_detail, name="detail"),
    path("<int:pk>/status/", views.declaration_status, name="status"),
    path("<int:pk>/estimate/", views.declaration_estimate, name="estimate"),
    path("<int:pk>/fields/<str:name>/", views.declaration_field, name="field"),
    path("<int:pk>/parties/<str:role>/", views.party_search, name="party-search"),
    path("<int:pk>/parties/<str:role>/apply/", views.party_apply, name="party-apply"),
    path("<int:pk>/items/", views.goods_item_add, name="item-add"),
    path(
        "<int:pk>/items/<int:line>/remove/", views.goods_item_remove, name="item-remove"
    ),
    path("<int:pk>/submit/", views.declaration_submit, name="submit"),
    path("<int:pk>/documents/", views.documents, name="documents"),
    path("<int:pk>/documents/upload/", views.document_add, name="document-upload"),
    path(
        "<int:pk>/documents/<int:document_pk>/",
        views.document_file,
        name="document-file",
    ),
]
