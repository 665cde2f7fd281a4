"""Settings of the Tenantry control plane for test."""

import os
import uuid

from tenantry_kernel import local_services

local_services.load()  # before base: the database settings read PGHOST & co.

from control_plane.settings.base import *  # noqa: E402, F403
from tenantry_kernel.web.test_settings import *  # noqa: E402, F403

# Made-up Stripe test credentials: tests point Stripe at a localstripe on loopback, never at Stripe.
STRIPE_SECRET_KEY = "sk_test_tenantryLocalstripeFake0001"  # noqa: S105  (made up, see above)
STRIPE_PUBLIC_KEY = "pk_test_tenantryLocalstripeFake0001"
STRIPE_WEBHOOK_SECRET = "whsec_tenantryLocalstripeFakeSecret01"  # noqa: S105  (made up, see above)

# Each test run counts its request budgets (Redis) afresh: runs within an hour must not share counters.
# The prefix goes into the environment, so servers the tests start share the run's cache.
CACHES["default"]["KEY_PREFIX"] = os.environ.setdefault(
    "TENANTRY_TEST_CACHE_PREFIX", f"cp-test-{uuid.uuid4().hex[:12]}"
)
