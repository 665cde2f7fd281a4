/**
 * React Hook Form's resolver for the forms' zod schemas, without zod on the page's first load: the schemas
 * (src/lib/schemas.ts, and zod with them) are imported on a form's first validation, usually its first submit.
 * In place of @hookform/resolvers' zodResolver, which needs zod's core at import time.
 */

import type { FieldValues, Resolver } from "react-hook-form";

import type * as Schemas from "./schemas";
import type { ZodMiniType } from "./zod";

type SchemasModule = typeof Schemas;

let loading: Promise<SchemasModule> | undefined;

function schemas(): Promise<SchemasModule> {
  loading ??= import("./schemas").catch((error: unknown) => {
    loading = undefined; // the next submit tries again
    throw error;
  });
  return loading;
}

/** A resolver that checks the form's values against `pick(schemas)`, loading the schemas when first needed. */
export function lazyResolver<Input extends FieldValues, Output = Input>(
  pick: (schemas: SchemasModule) => ZodMiniType<Output, Input>,
): Resolver<Input, unknown, Output> {
  return async (values) => {
    const module = await schemas();
    return module.resolve(pick(module), values);
  };
}
