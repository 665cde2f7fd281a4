"""The Kubernetes objects of a tenant, as pure functions of its spec: one module per kind.

No I/O and no Kubernetes client: the reconciler applies what these functions return, so
every rule about names, sizes and isolation can be tested without a server.
`dedicated.render_dedicated` assembles a dedicated tenant's namespace, `job` renders the
migrations Job of either tier, `secret` the Secrets the reconciler fills.
"""
