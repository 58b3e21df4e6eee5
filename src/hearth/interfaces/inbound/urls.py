"""Gateway webhooks, mounted at /inbound/: signed by the gateway, never by a signed-in user (no CSRF token)."""

from django.urls import path

from hearth.interfaces.inbound import stripe, twilio

app_name = "inbound"

urlpatterns = [
    path("sms/twilio/", twilio.inbound_sms, name="twilio_sms"),
    path("stripe/", stripe.stripe_events, name="stripe_events"),
]
