from django.urls import path

from sigap.web.views import (
    approvals,
    auth,
    contact,
    customers,
    inbox,
    promises,
    sop,
    sops,
    tickets,
)

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("inbox/list/", inbox.inbox_list, name="inbox_list"),
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("tickets/new/contact/", contact.contact_new, name="contact_new"),
    path("tickets/<int:pk>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/reply/", tickets.ticket_reply_post, name="ticket_reply"),
    path("tickets/<int:pk>/note/", tickets.ticket_note_post, name="ticket_note"),
    path("tickets/<int:pk>/properties/", tickets.ticket_properties_post, name="ticket_properties"),
    path(
        "tickets/<int:pk>/sop/steps/<slug:step_id>/complete/",
        sop.step_complete,
        name="sop_step_complete",
    ),
    path("tickets/<int:pk>/sop/steps/<slug:step_id>/waive/", sop.step_waive, name="sop_step_waive"),
    path(
        "tickets/<int:pk>/sop/steps/<slug:step_id>/request-approval/",
        sop.approval_request,
        name="sop_approval_request",
    ),
    path("tickets/<int:pk>/sop/switch/", sop.switch, name="sop_switch"),
    path("approvals/", approvals.approvals, name="approvals"),
    path("promises/", promises.my_promises, name="promises"),
    path("tickets/<int:pk>/promises/<int:promise_id>/kept/", promises.keep, name="promise_keep"),
    path("sops/", sops.sop_list, name="sops"),
    path("sops/<slug:key>/", sops.sop_detail, name="sop"),
    path("sops/<slug:key>/diff/", sops.sop_diff, name="sop_diff"),
    path("sops/<slug:key>/acknowledge/", sops.acknowledge, name="sop_acknowledge"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", customers.customer_update_post, name="customer_update"),
    path(
        "customers/<int:pk>/identities/",
        customers.customer_identity_post,
        name="customer_identity_add",
    ),
    path("customers/<int:pk>/merge/", customers.customer_merge_post, name="customer_merge"),
]
