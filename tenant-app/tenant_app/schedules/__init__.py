"""Per-tenant periodic work run by Celery Beat: the nightly activity report and invitation reminders."""
