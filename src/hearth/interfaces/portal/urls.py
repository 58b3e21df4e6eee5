from django.urls import path

from hearth.interfaces.portal import (
    views,
    views_api,
    views_bills,
    views_cards,
    views_complaints,
    views_consumption,
    views_contract,
    views_dashboard,
    views_debt,
    views_delivery,
    views_documents,
    views_join,
    views_meter_help,
    views_moving,
    views_payments,
    views_prepayment,
    views_priority,
    views_privacy,
    views_readings,
    views_renewals,
)

app_name = "portal"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("login-details/", views.login_details, name="login_details"),
    path("login-details/sent/", views.login_details_sent, name="login_details_sent"),
    path("password/forgot/", views.ForgotPasswordView.as_view(), name="forgot_password"),
    path("password/forgot/sent/", views.ForgotPasswordSentView.as_view(), name="forgot_password_sent"),
    path("password/reset/<uidb64>/<token>/", views.ResetPasswordView.as_view(), name="reset_password"),
    path("password/reset/done/", views.ResetPasswordDoneView.as_view(), name="reset_password_done"),
    path("password/change/", views.change_password, name="change_password"),
    path("activate/conditions/", views.activate_conditions, name="activate_conditions"),
    path("activate/security-question/", views.activate_security_question, name="activate_security_question"),
    path("activate/password/", views.activate_password, name="activate_password"),
    path("accounts/select/", views.select_account, name="select_account"),
    path("accounts/none/", views.no_accounts, name="no_accounts"),
    path("accounts/logins/", views.account_logins, name="account_logins"),
    path("services/bills/", views_bills.bills, name="bills"),
    path("services/consumption/", views_consumption.consumption, name="consumption"),
    path("services/consumption/<int:meter_id>/", views_consumption.consumption_daily, name="consumption_daily"),
    path(
        "services/consumption/<int:meter_id>/daily.csv",
        views_consumption.consumption_daily_csv,
        name="consumption_daily_csv",
    ),
    path("services/consumption/<int:meter_id>/day/", views_consumption.consumption_day, name="consumption_day"),
    path(
        "services/consumption/<int:meter_id>/day.csv", views_consumption.consumption_day_csv, name="consumption_day_csv"
    ),
    path("services/half-hourly-data/", views_consumption.consent, name="consent"),
    path("services/meter-reading/", views_readings.meter_reading, name="meter_reading"),
    path("services/moving-home/", views_moving.moving_home, name="moving_home"),
    path("services/meter-reading/recorded/", views_readings.meter_reading_recorded, name="meter_reading_recorded"),
    path("contact/", views.contact_care, name="contact_care"),
    path("conditions-of-use/", views.conditions_of_use, name="conditions_of_use"),
    path("api-keys/", views_api.api_keys_page, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", views_api.revoke_api_key, name="revoke_api_key"),
    # Bills Online (issue 4): a bill as its invoice prints it, and an account's documents as downloads.
    path("services/bills/<int:bill_id>/", views_bills.bill, name="bill"),
    path("services/documents/<int:document_id>/pdf/", views_bills.document_pdf, name="document_pdf"),
    # Your Details and Delivery Settings (issue 5, FAQ 13): the signed-in login's own delivery rules.
    path("your-details/", views_delivery.your_details, name="your_details"),
    path("your-details/delivery-settings/", views_delivery.delivery_settings, name="delivery_settings"),
    path("your-details/delivery-settings/rules/", views_delivery.delivery_rules, name="delivery_rules"),
    # Documents (issues 5 and 13, FAQ 14): the list with its search boxes (Search's address too), each document
    # viewed or e-mailed.
    path("services/documents/", views_documents.documents, name="documents"),
    path("services/documents/search/", views_documents.documents, name="document_search"),
    path(
        "services/documents/<int:document_id>/view/",
        views_bills.document_pdf,
        {"disposition": "inline"},
        name="document_view",
    ),
    path("services/documents/<int:document_id>/email/", views_documents.email_copy, name="document_email"),
    # Payments (issue 10, T&C 9-12): method, Direct Debit, payment day, refunds and the Direct Debit simulator.
    path("services/payments/", views_payments.payments, name="payments"),
    # Complaints (issue 12, T&C 20): the selected account's complaints, raising one, each with its clock.
    path("services/complaints/", views_complaints.complaints, name="complaints"),
    path("services/complaints/new/", views_complaints.raise_complaint, name="raise_complaint"),
    path("services/complaints/<int:complaint_id>/", views_complaints.complaint, name="complaint"),
    path("services/contract/renew/", views_renewals.contract_renew, name="contract_renew"),
    path("services/payments/direct-debit/", views_payments.direct_debit, name="direct_debit"),
    path("services/payments/payment-day/", views_payments.payment_day, name="payment_day"),
    path("services/payments/refund/", views_payments.refund, name="refund"),
    path("services/payments/simulator/", views_payments.simulator, name="payment_simulator"),
    # My contract (issue 11): the selected account's contract, what happens next and the notices sent.
    path("services/contract/", views_contract.contract, name="contract"),
    path("services/payment-plan/", views_debt.payment_plan, name="payment_plan"),
    # Paying by card (issue 10): the amount, Stripe's page, and the page Stripe returns to.
    path("accounts/<str:number>/pay-by-card/", views_cards.pay_by_card, name="pay_by_card"),
    path("accounts/<str:number>/pay-by-card/done/", views_cards.pay_by_card_done, name="pay_by_card_done"),
    # Prepayment (issue 12, T&C 9.5, 10.1.1): credit, emergency credit, debt recovery, top-ups by card.
    path("services/prepayment/", views_prepayment.prepayment, name="prepayment"),
    path("services/prepayment/top-up/", views_prepayment.top_up, name="prepayment_top_up"),
    path("services/prepayment/emergency-credit/", views_prepayment.emergency_credit, name="prepayment_emergency"),
    # Joining and cooling-off (issue 11, T&C 2.1, 3.1, 4.4, 9.2, 9.7): a quote, sign-up, and cancelling in 14 days.
    path("join/", views_join.join, name="join"),
    path("join/details/", views_join.join_details, name="join_details"),
    path("join/done/", views_join.join_done, name="join_done"),
    path("services/contract/cancel/", views_join.contract_cancel, name="contract_cancel"),
    # Personal data (issue 12, T&C 3.3, 18; UK GDPR arts. 15, 17): contact details, a copy of the data, erasure.
    path("services/my-details/", views_privacy.my_details, name="my_details"),
    path("services/my-details/email/confirm/<str:token>/", views_privacy.confirm_email, name="confirm_email"),
    path("services/my-data/", views_privacy.my_data, name="my_data"),
    path(
        "services/my-data/subject-access/<int:request_id>/download/",
        views_privacy.subject_access_download,
        name="subject_access_download",
    ),
    # Priority Services Register (issue 12, T&C 20.4): join, change needs, see what is held.
    path("services/priority-services/", views_priority.priority_services, name="priority_services"),
    # Meter help (issue 12, T&C 7.3, 11.1.1, 11.1.8): faults, accuracy tests and engineer visits.
    path("services/meter-help/", views_meter_help.meter_help, name="meter_help"),
    path("services/meter-help/fault/", views_meter_help.report_fault, name="meter_help_fault"),
    path("services/meter-help/accuracy-test/", views_meter_help.ask_accuracy_test, name="meter_help_test"),
    path("services/meter-help/visits/<int:appointment_id>/", views_meter_help.change_visit, name="meter_help_visit"),
]
