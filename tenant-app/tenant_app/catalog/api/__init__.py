"""Products in the REST API."""
