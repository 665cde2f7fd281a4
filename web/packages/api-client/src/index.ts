/** Typed clients of Tenantry's REST APIs; the types in ./generated come from `make clients`. */

export type {
  components as ControlPlaneComponents,
  operations as ControlPlaneOperations,
  paths as ControlPlanePaths,
} from "./generated/control-plane";
export type {
  components as StoreComponents,
  operations as StoreOperations,
  paths as StorePaths,
} from "./generated/tenant-app";
export {
  type ClientOptions,
  type ControlPlaneClient,
  type ControlPlaneProblem,
  type ControlPlaneProblemCode,
  createApiClient,
  createControlPlaneClient,
  createStoreClient,
  type StoreClient,
  type StoreProblem,
  type StoreProblemCode,
  type TokenProvider,
} from "./client";
export {
  PROBLEM_CONTENT_TYPE,
  type Problem,
  ProblemError,
  type ProblemFieldError,
  parseProblem,
  UNEXPECTED_RESPONSE,
} from "./problem";
