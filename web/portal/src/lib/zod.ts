/**
 * zod for the portal's forms: `zod/mini` (the functional API, tree-shaken: the full API cost the sign-in page
 * 43 kB of its first-load budget), without its JIT: zod would probe `new Function("")` once, which the strict
 * CSP refuses and reports. Import `z` from here, not from "zod".
 */

import { z } from "zod/mini";

z.config({ jitless: true });

export { z };
