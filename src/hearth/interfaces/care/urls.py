"""The customer-care console at /care/: staff only, with a second factor (see access.py)."""

from django.urls import path

from hearth.interfaces.care import views, views_amr, views_flows, views_readings, views_tariffs

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
    path("amr/quarantine/", views_amr.quarantine, name="amr_quarantine"),
    path("amr/messages/<int:message_id>/replay/", views_amr.replay, name="amr_replay"),
    path("meters/<int:meter_id>/amr/", views_amr.meter_devices, name="amr_meter"),
    path("meters/<int:meter_id>/amr/register/", views_amr.register_device, name="amr_register"),
    path("amr/devices/<int:device_id>/replace/", views_amr.replace_device, name="amr_replace"),
    path("amr/devices/<int:device_id>/retire/", views_amr.retire_device, name="amr_retire"),
    path("amr/devices/<int:device_id>/correct/", views_amr.correct_device, name="amr_correct"),
    path("flows/", views_flows.flow_files, name="flows"),
    path("flows/upload/", views_flows.upload_flow, name="flows_upload"),
    path("flows/rejected/", views_flows.rejected_lines, name="flows_rejected"),
    path("flows/rejected/<int:line_id>/replay/", views_flows.replay_line, name="flows_replay"),
    path("flows/rejected/<int:line_id>/dismiss/", views_flows.dismiss_line, name="flows_dismiss"),
    path("readings/review/", views_readings.readings_review, name="readings_review"),
    path("readings/<int:reading_id>/accept/", views_readings.accept_reading, name="readings_accept"),
    path("readings/<int:reading_id>/reject/", views_readings.reject_reading, name="readings_reject"),
    path("tariffs/", views_tariffs.products, name="tariffs"),
    path("tariffs/products/new/", views_tariffs.create_product, name="tariffs_product_new"),
    path("tariffs/products/<int:product_id>/tariffs/new/", views_tariffs.create_tariff, name="tariffs_tariff_new"),
    path("tariffs/<int:tariff_id>/", views_tariffs.tariff_detail, name="tariff"),
]
