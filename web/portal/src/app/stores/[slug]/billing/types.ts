/** The billing API's shapes, as the generated client names them. */

import type { ControlPlaneComponents } from "@tenantry/api-client";

type Schemas = ControlPlaneComponents["schemas"];
export type Plan = Schemas["Plan"];
export type Subscription = Schemas["Subscription"];
export type Preview = Schemas["PlanChangePreview"];
export type PaymentMethod = Schemas["PaymentMethod"];
export type Invoice = Schemas["Invoice"];
