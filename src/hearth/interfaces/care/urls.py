"""The customer-care console at /care/: staff only, with a second factor (see access.py)."""

from django.urls import path

from hearth.interfaces.care import views

app_name = "care"

urlpatterns = [
    path("", views.search, name="search"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("customers/new/", views.create_customer, name="create_customer"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path("customers/<int:customer_id>/supply-points/add/", views.add_supply_point, name="add_supply_point"),
    path("logins/new/", views.create_login, name="create_login"),
    path("logins/<int:user_id>/", views.login_detail, name="login_detail"),
    path("logins/<int:user_id>/resend/", views.resend_login_details, name="resend_login"),
    path("logins/<int:user_id>/unlock/", views.unlock_login, name="unlock_login"),
    path("logins/<int:user_id>/check-answer/", views.check_answer, name="check_answer"),
    path("logins/<int:user_id>/links/add/", views.add_link, name="add_link"),
    path("links/<int:link_id>/remove/", views.remove_link, name="remove_link"),
    path("links/<int:link_id>/role/", views.change_role, name="change_role"),
    path("requests/", views.login_details_requests, name="requests"),
    path("requests/<int:request_id>/decide/", views.decide_request, name="decide_request"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/screenshot/", views.case_screenshot, name="case_screenshot"),
    path("cases/<int:case_id>/close/", views.close_case, name="close_case"),
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<str:name>/", views.outbox_message, name="outbox_message"),
]
