"""Identity mechanics both Django projects share: email users, sessions as refresh-token families, JWTs bound to
an audience (a tenant, or the portal), two-factor authentication, one-time email links, and the API over them.

A project makes concrete models from the abstract ones in `models`, describes them (and its audit hook, account mail,
token binding and user serializer) in one `config.Identity`, serves the identity API under /api/v1/auth/
(`api.urls.identity_urls`) and calls the functions here from its own actions.
"""
