"""Customer care: cases from the portal and the work queue of login-details requests."""
