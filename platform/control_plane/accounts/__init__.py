"""Portal users: tenant owners, their admin and billing members, and platform staff."""
