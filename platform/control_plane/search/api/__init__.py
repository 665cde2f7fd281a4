"""The public search API: full-text search and autocomplete, anonymous and throttled per IP."""
