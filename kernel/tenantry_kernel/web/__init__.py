"""Django glue shared by the control plane and the tenant app: settings, middleware, probes."""
