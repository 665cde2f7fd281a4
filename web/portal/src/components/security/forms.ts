/**
 * What the security page loads on a click, in one module (one request): the two-step verification's steps
 * (TwoFactorSteps) and the password form (PasswordForm), with React Hook Form.
 */

export { default as TwoFactorStep } from "./TwoFactorSteps";
export { default as PasswordForm } from "./PasswordForm";
