"""The control plane's audit log: who changed what, from where; append-only through `actions.record`."""
