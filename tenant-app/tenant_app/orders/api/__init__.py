"""Orders in the REST API."""
