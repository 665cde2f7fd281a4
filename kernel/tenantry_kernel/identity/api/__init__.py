"""The identity API both Django projects serve under /api/v1/auth/: one set of views, bound per project."""
