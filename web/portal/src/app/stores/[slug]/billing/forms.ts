/** The billing page's two forms, loaded together on the first "Change the plan…" or "Add a card" (one request). */

export { CardForm } from "./CardForm";
export { PlanChange } from "./PlanChange";
