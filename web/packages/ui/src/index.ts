/**
 * @tenantry/ui: accessible building blocks with no words of their own and no client state (server and client
 * components alike may use them). The notices, which hold client state, are `@tenantry/ui/notices`; the styles are
 * `@tenantry/ui/ui.css` (on the variables of `@tenantry/theming/tokens.css`).
 */

export { Field, FormAlert } from "./Field";
export { EmptyState, Skeleton } from "./blocks";
