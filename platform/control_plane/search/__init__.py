"""Global search: the marketplace of tenants' published products and the tenant directory, fed by events.

Records here (`models`) are the search app's own view of the world, kept current by the
`search` event consumer; a backend (`backends`) answers queries over them: PostgreSQL
full text in place, or an Elasticsearch index the actions keep in step.
"""
