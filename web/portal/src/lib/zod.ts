/**
 * zod for the portal's forms: `zod/mini` (the functional API, tree-shaken: the full API cost the sign-in page
 * 43 kB of its first-load budget), without its JIT: zod would probe `new Function("")` once, which the strict
 * CSP refuses and reports. Import it as `import * as z from "@/lib/zod"`, never the `z` namespace object of
 * "zod" or "zod/mini": that object holds every export, locales included, and defeats tree-shaking.
 */

import { config } from "zod/mini";

config({ jitless: true });

export * from "zod/mini";
