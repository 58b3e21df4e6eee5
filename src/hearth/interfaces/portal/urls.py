from django.urls import path

from hearth.interfaces.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
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
    path("services/bills/", views.bills, name="bills"),
    path("services/amr/", views.amr, name="amr"),
    path("services/smart/", views.smart, name="smart"),
    path("contact/", views.contact_care, name="contact_care"),
    path("conditions-of-use/", views.conditions_of_use, name="conditions_of_use"),
]
