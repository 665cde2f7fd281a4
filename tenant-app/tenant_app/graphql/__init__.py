"""What every app's GraphQL resolvers share: their checks (`auth`) and errors with REST's facts (`errors`).

The schema and its endpoint import every app, so they live beside the URL root instead
(tenant_app.graphql_schema, tenant_app.graphql_view).
"""
