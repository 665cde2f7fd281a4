"""Usage metering: what a store consumed per hour, reported to the platform's billing ledger as `usage.reported`."""
