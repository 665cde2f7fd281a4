"""Notifications: stored per recipient (read or unread, listed by the API) and pushed live.

Live delivery goes through the channel layer (Redis) to the groups of a tenant: one per user,
per role and for the whole tenant (`tenancy.channels.tenant_group`). Clients listen on the
WebSocket `/ws/notifications/` (`consumers`) or, where WebSockets cannot be used, on the
Server-Sent Events stream `/api/v1/notifications/stream/` (`sse`); both resume after a
notification id, so a client that reconnects misses nothing and sees nothing twice.
"""
