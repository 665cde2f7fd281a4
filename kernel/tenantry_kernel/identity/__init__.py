"""Identity mechanics both Django projects share: email users, sessions as refresh-token families, JWTs bound to
an audience (a tenant, or the portal), two-factor authentication and one-time email links.

A project makes concrete models from the abstract ones in `models`, describes them (and its audit hook and token
binding) in one `config.Identity`, and calls the functions here from its own actions.
"""
