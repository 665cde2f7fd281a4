// @vitest-environment node
/**
 * The forms' zod rules (src/lib/schemas.ts) against the request bodies they feed, as the control plane's OpenAPI
 * schema has them (web/packages/api-client/src/generated/control-plane.requests.json, made by `make clients`).
 *
 * Each form names the operations its values are sent to. Its zod schema, as JSON Schema (zod 4's `toJSONSchema`,
 * the output side: what is sent), must agree with each body: every field exists in the body, with the same type;
 * lengths, pattern, format and enum are the API's, or stricter with the reason written down below; every field
 * the body requires is required by the form, or named as supplied by someone else (a link's token, the sign-in's
 * challenge). Client-only fields ("the same password again") are named with why. At the type level, the form's
 * output (with what others supply) must be assignable to the generated request type, or `tsc` fails.
 */

import { readFileSync } from "node:fs";

import type { ControlPlanePaths } from "@tenantry/api-client";
import { describe, expect, it } from "vitest";

import { ROLES } from "@/components/stores/InviteForm";
import type { MessageKey, Translate } from "@/lib/i18n";
import * as schemas from "@/lib/schemas";
import * as z from "@/lib/zod";

// -- the request bodies ------------------------------------------------------------------------------

type JsonSchema = {
  $ref?: string;
  allOf?: JsonSchema[];
  type?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  readOnly?: boolean;
};
interface RequestsDocument {
  paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: JsonSchema }> } }>>;
  components: { schemas: Record<string, JsonSchema> };
}

const REQUESTS: RequestsDocument = JSON.parse(
  readFileSync(new URL("../../packages/api-client/src/generated/control-plane.requests.json", import.meta.url), "utf8"),
);

function component(ref: string): [string, JsonSchema] {
  const name = ref.replace("#/components/schemas/", "");
  const found = REQUESTS.components.schemas[name];
  if (!found) throw new Error(`${ref} is not in control-plane.requests.json`);
  return [name, found];
}

/** A property with its `$ref` or `allOf: [$ref]` (drf-spectacular's way to add a default to an enum) resolved. */
function resolved(property: JsonSchema): JsonSchema {
  const { $ref, allOf, ...rest } = property;
  if ($ref) return { ...resolved(component($ref)[1]), ...rest };
  if (allOf?.length === 1 && allOf[0]) return { ...resolved(allOf[0]), ...rest };
  return property;
}

type Method = "post" | "put" | "patch";
type Operation = readonly [Method, string];

/** The name of the component an operation's JSON body is, and the component. */
function bodyOf([method, path]: Operation): [string, JsonSchema] {
  const body = REQUESTS.paths[path]?.[method]?.requestBody.content["application/json"]?.schema;
  if (!body?.$ref) throw new Error(`${method.toUpperCase()} ${path} has no JSON request body in the OpenAPI schema`);
  return component(body.$ref);
}

// -- the comparison -----------------------------------------------------------------------------------

interface Form {
  /** The function of schemas.ts that makes it. */
  from: keyof typeof schemas;
  /** The zod schema, built with message keys for messages. */
  schema: z.ZodMiniType;
  /** Where its values go, and the request body component each operation takes. */
  feeds: readonly { operation: Operation; body: string }[];
  /** Fields only the browser has, with why (they are not sent). */
  clientOnly?: Record<string, string>;
  /** Fields of the body the form leaves to others, with who supplies them. */
  suppliedBy?: Record<string, string>;
  /** `<field>.<keyword>`: where the form is stricter than the API, and why. */
  stricter?: Record<string, string>;
  /** `<field>.maxLength`: a limit the form leaves to the API (its field error shows at the field), and why. */
  leftToTheApi?: Record<string, string>;
}

/**
 * A zod object schema as JSON Schema, each field with the rules of both sides of its pipes: the output side has
 * the type, format and enum that are sent; the input side the length checks made before (an email's length is
 * checked on the string, then its format).
 */
function asJsonSchema(schema: z.ZodMiniType): JsonSchema {
  const output = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as JsonSchema;
  const input = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const properties: Record<string, JsonSchema> = {};
  for (const [field, sent] of Object.entries(output.properties ?? {})) {
    const typed = input.properties?.[field] ?? {};
    const least = [sent.minLength, typed.minLength].filter((value) => value !== undefined);
    const most = [sent.maxLength, typed.maxLength].filter((value) => value !== undefined);
    properties[field] = {
      ...sent,
      ...(least.length ? { minLength: Math.max(...least) } : {}),
      ...(most.length ? { maxLength: Math.min(...most) } : {}),
      ...(sent.pattern ?? typed.pattern ? { pattern: sent.pattern ?? typed.pattern } : {}),
    };
  }
  return { ...output, properties };
}

/** What is wrong between a form's zod schema and one request body: empty when they agree. */
function drift(form: Form, body: JsonSchema): string[] {
  const mine = asJsonSchema(form.schema);
  const problems: string[] = [];
  const theirs = body.properties ?? {};
  const stricter = form.stricter ?? {};
  const left = form.leftToTheApi ?? {};
  const noted = new Set<string>();
  const differs = (where: string, what: string) => {
    if (where in stricter) noted.add(where);
    else problems.push(`${where}: ${what}`);
  };
  const required = new Set(mine.required ?? []);

  for (const [field, raw] of Object.entries(mine.properties ?? {})) {
    if (form.clientOnly?.[field]) continue;
    const api = theirs[field] ? resolved(theirs[field]) : undefined;
    if (!api || api.readOnly) {
      problems.push(`${field}: the form sends it and the request body has no such field`);
      continue;
    }
    const zod = resolved(raw);
    if (zod.type !== api.type) problems.push(`${field}: the form's type is ${zod.type}, the API's ${api.type}`);
    if (api.format && zod.format !== api.format) problems.push(`${field}: the API wants format ${api.format}, the form checks ${zod.format ?? "none"}`);

    if (api.maxLength !== undefined && zod.maxLength === undefined) {
      if (`${field}.maxLength` in left) noted.add(`${field}.maxLength`);
      else problems.push(`${field}: the API allows at most ${api.maxLength} characters, the form no limit`);
    }
    else if (zod.maxLength !== undefined && api.maxLength !== undefined && zod.maxLength > api.maxLength)
      problems.push(`${field}: the form allows ${zod.maxLength} characters, the API at most ${api.maxLength}`);
    else if (zod.maxLength !== api.maxLength) differs(`${field}.maxLength`, `the form allows at most ${zod.maxLength}, the API ${api.maxLength ?? "any"}`);

    const apiMin = api.minLength ?? 0;
    const zodMin = zod.minLength ?? 0;
    if (zodMin < apiMin) problems.push(`${field}: the API wants at least ${apiMin} characters, the form ${zodMin}`);
    else if (zodMin > apiMin) differs(`${field}.minLength`, `the form wants at least ${zodMin}, the API ${apiMin}`);

    // zod's email check carries its own pattern with the format; a pattern of the form's own is a rule.
    const zodPattern = zod.format ? undefined : zod.pattern;
    if (api.pattern !== undefined && zodPattern !== api.pattern) problems.push(`${field}: the API's pattern is ${api.pattern}, the form's ${zodPattern ?? "none"}`);
    else if (zodPattern !== undefined && api.pattern === undefined) differs(`${field}.pattern`, `the form checks ${zodPattern}, the API no pattern`);

    if (api.enum || zod.enum) {
      const allowed = new Set(api.enum ?? []);
      const outside = (zod.enum ?? []).filter((value) => !allowed.has(value));
      if (!zod.enum || outside.length) problems.push(`${field}: the form allows ${zod.enum ? outside.join(", ") : "any value"}, the API only ${[...allowed].join(", ")}`);
      else if (zod.enum.length < allowed.size) differs(`${field}.enum`, `the form offers ${zod.enum.join(", ")}, the API ${[...allowed].join(", ")}`);
    }
  }
  for (const field of body.required ?? []) {
    if (form.suppliedBy?.[field]) continue;
    if (!(field in (mine.properties ?? {}))) problems.push(`${field}: the API requires it and the form neither has it nor names who supplies it`);
    else if (!required.has(field)) problems.push(`${field}: the API requires it and the form does not`);
  }
  for (const where of Object.keys(stricter)) {
    if (!noted.has(where)) problems.push(`${where}: written down as stricter than the API, but it is not (any more)`);
  }
  for (const where of Object.keys(left)) {
    if (!noted.has(where)) problems.push(`${where}: written down as left to the API, but the form checks it or the API has none`);
  }
  return problems;
}

// -- the forms ------------------------------------------------------------------------------------------

const t: Translate = (key: MessageKey) => key;

const PASSWORD_VALIDATORS =
  "Django's MinimumLengthValidator (10) in AUTH_PASSWORD_VALIDATORS, which the serializer runs; the form says it first";
const PASSWORD_ONE_MAX =
  "every new password is held to sign-up's and accept-invitation's 128 characters, so one that works here works everywhere";
const TYPED_PASSWORD =
  "a password typed to be checked: the API's 4096 is for hashing cost, no one types that much, the sign-in page has no words for it, and the API's field error shows at the field";
const SLUG_RULES = "kernel provisioning/naming.py validate_slug: a DNS label of 3-40 characters; the serializer runs it";

const FORMS: Record<string, Form> = {
  "sign-up": {
    from: "signUpSchema",
    schema: schemas.signUpSchema(t),
    feeds: [{ operation: ["post", "/api/v1/signup/"], body: "SignupRequest" }],
    stricter: {
      "password.minLength": PASSWORD_VALIDATORS,
      "slug.minLength": SLUG_RULES,
      "slug.pattern": SLUG_RULES,
    },
  },
  "sign-in": {
    from: "credentialsSchema",
    schema: schemas.credentialsSchema(t),
    feeds: [{ operation: ["post", "/api/v1/auth/sign-in/"], body: "SignInRequest" }],
    leftToTheApi: { "password.maxLength": TYPED_PASSWORD },
  },
  "sign-in challenge": {
    from: "challengeSchema",
    schema: schemas.challengeSchema(t),
    feeds: [{ operation: ["post", "/api/v1/auth/sign-in/challenge/"], body: "ChallengeAnswerRequest" }],
    suppliedBy: { challenge: "SignInForm: the sign-in's first answer, sent with the code" },
  },
  "forgotten password / new verification link": {
    from: "forgotSchema",
    schema: schemas.forgotSchema(t),
    feeds: [
      { operation: ["post", "/api/v1/auth/password/reset/"], body: "PasswordResetRequestRequest" },
      { operation: ["post", "/api/v1/auth/email/verification/"], body: "VerificationRequestRequest" },
    ],
  },
  "reset password": {
    from: "resetSchema",
    schema: schemas.resetSchema(t),
    feeds: [{ operation: ["post", "/api/v1/auth/password/reset/confirm/"], body: "PasswordResetRequest" }],
    clientOnly: { confirm: "the new password again, compared in the browser" },
    suppliedBy: { uid: "the emailed link", token: "the emailed link" },
    stricter: { "password.minLength": PASSWORD_VALIDATORS, "password.maxLength": PASSWORD_ONE_MAX },
  },
  "change password": {
    from: "passwordChangeSchema",
    schema: schemas.passwordChangeSchema(t),
    feeds: [{ operation: ["post", "/api/v1/auth/password/"], body: "PasswordChangeRequest" }],
    clientOnly: { confirm: "the new password again, compared in the browser" },
    stricter: { "new_password.minLength": PASSWORD_VALIDATORS, "new_password.maxLength": PASSWORD_ONE_MAX },
    leftToTheApi: { "current_password.maxLength": TYPED_PASSWORD },
  },
  "app code": {
    from: "codeSchema",
    schema: schemas.codeSchema(t, false),
    feeds: [
      { operation: ["post", "/api/v1/auth/two-factor/totp/confirm/"], body: "CodeRequest" },
      { operation: ["post", "/api/v1/auth/sign-in/enrolment/confirm/"], body: "ChallengeAnswerRequest" },
    ],
    suppliedBy: { challenge: "SignInForm: the sign-in's answer that asked for enrolment" },
  },
  "app or backup code": {
    from: "codeSchema",
    schema: schemas.codeSchema(t, true),
    feeds: [
      { operation: ["post", "/api/v1/auth/two-factor/backup-codes/"], body: "CodeRequest" },
      { operation: ["post", "/api/v1/auth/two-factor/disable/"], body: "CodeRequest" },
    ],
  },
  invitation: {
    from: "inviteSchema",
    schema: schemas.inviteSchema(t, ROLES),
    feeds: [{ operation: ["post", "/api/v1/tenants/{slug}/invitations/"], body: "InviteRequest" }],
  },
  "accept invitation (new account)": {
    from: "accountSchema",
    schema: schemas.accountSchema(t),
    feeds: [{ operation: ["post", "/api/v1/invitations/accept/"], body: "AcceptInvitationRequest" }],
    suppliedBy: { token: "the emailed invitation link" },
    stricter: { "password.minLength": PASSWORD_VALIDATORS },
  },
  "plan change": {
    from: "planChoiceSchema",
    schema: schemas.planChoiceSchema(t, "free"),
    feeds: [{ operation: ["post", "/api/v1/tenants/{slug}/subscription"], body: "SubscriptionChangeRequest" }],
  },
};

describe("the forms' zod rules against the API's request bodies", () => {
  for (const [name, form] of Object.entries(FORMS)) {
    for (const { operation, body } of form.feeds) {
      it(`${name} → ${operation[0].toUpperCase()} ${operation[1]} (${body})`, () => {
        const [component, schema] = bodyOf(operation);
        expect(component).toBe(body);
        expect(drift(form, schema)).toEqual([]);
      });
    }
  }

  it("names as supplied by others only fields of a body the form feeds", () => {
    for (const form of Object.values(FORMS)) {
      const fields = new Set(form.feeds.flatMap(({ operation }) => Object.keys(bodyOf(operation)[1].properties ?? {})));
      expect(Object.keys(form.suppliedBy ?? {}).filter((field) => !fields.has(field))).toEqual([]);
    }
  });

  it("covers every form schema in schemas.ts", () => {
    const made = Object.keys(schemas).filter((name) => name.endsWith("Schema") && name !== "newPasswordSchema");
    const covered = new Set(Object.values(FORMS).map((form) => form.from));
    expect(made.filter((name) => !covered.has(name as keyof typeof schemas))).toEqual([]);
  });
});

describe("the comparison finds a drift", () => {
  const [, signup] = bodyOf(["post", "/api/v1/signup/"]);
  const base = FORMS["sign-up"] as Form;
  const changed = (shape: Record<string, z.ZodMiniType>) => ({ ...base, schema: z.object({ ...(base.schema as z.ZodMiniObject).shape, ...shape }) });

  it("a longer maximum than the API's", () => {
    expect(drift(changed({ store_name: z.string().check(z.minLength(1), z.maxLength(201)) }), signup)).toEqual([
      "store_name: the form allows 201 characters, the API at most 200",
    ]);
  });

  it("a shorter maximum not written down as stricter", () => {
    expect(drift(changed({ store_name: z.string().check(z.minLength(1), z.maxLength(100)) }), signup)).toEqual([
      "store_name.maxLength: the form allows at most 100, the API 200",
    ]);
  });

  it("no maximum, a field the API does not know, a plan it does not have, an optional field it requires", () => {
    expect(
      drift(
        changed({
          store_name: z.optional(z.string().check(z.minLength(1))),
          nickname: z.string(),
          plan: z.enum(["free", "platinum"]),
          email: z.string().check(z.minLength(1), z.maxLength(254)),
        }),
        signup,
      ),
    ).toEqual([
      "store_name: the API allows at most 200 characters, the form no limit",
      "email: the API wants format email, the form checks none",
      "plan: the form allows platinum, the API only free, starter, growth, enterprise",
      "nickname: the form sends it and the request body has no such field",
      "store_name: the API requires it and the form does not",
    ]);
  });

  it("a stricter rule written down that no longer is", () => {
    expect(drift({ ...base, stricter: { ...base.stricter, "store_name.maxLength": "no reason" } }, signup)).toEqual([
      "store_name.maxLength: written down as stricter than the API, but it is not (any more)",
    ]);
  });
});

// -- the same at the type level: a form's output (with what others supply) is the generated request type ------

type Body<Path extends keyof ControlPlanePaths, M extends "post"> = ControlPlanePaths[Path][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
/**
 * True when `Output` has no field the request does not know and each of its fields has the request's type. Which
 * fields are required is the JSON Schema comparison's to check: openapi-typescript makes a field with a default
 * (sign-up's `full_name`, `slug`) required in the type although the API does not require it.
 */
type Sends<Output, Request> = [Exclude<keyof Output, keyof Request>] extends [never]
  ? [Output] extends [Pick<Request, keyof Output & keyof Request>]
    ? true
    : false
  : false;
type Out<F extends (...args: never[]) => z.ZodMiniType> = z.output<ReturnType<F>>;

// Each line fails `tsc` (true does not satisfy false) when the form's output no longer fits the request body.
export const TYPES_FIT = [
  true satisfies Sends<Out<typeof schemas.signUpSchema>, Body<"/api/v1/signup/", "post">>,
  true satisfies Sends<Out<typeof schemas.credentialsSchema>, Body<"/api/v1/auth/sign-in/", "post">>,
  true satisfies Sends<Out<typeof schemas.challengeSchema> & { challenge: string }, Body<"/api/v1/auth/sign-in/challenge/", "post">>,
  true satisfies Sends<Out<typeof schemas.forgotSchema>, Body<"/api/v1/auth/password/reset/", "post">>,
  true satisfies Sends<Out<typeof schemas.forgotSchema>, Body<"/api/v1/auth/email/verification/", "post">>,
  true satisfies Sends<
    Omit<Out<typeof schemas.resetSchema>, "confirm"> & { uid: string; token: string },
    Body<"/api/v1/auth/password/reset/confirm/", "post">
  >,
  true satisfies Sends<Omit<Out<typeof schemas.passwordChangeSchema>, "confirm">, Body<"/api/v1/auth/password/", "post">>,
  true satisfies Sends<Out<typeof schemas.codeSchema>, Body<"/api/v1/auth/two-factor/totp/confirm/", "post">>,
  true satisfies Sends<Out<typeof schemas.codeSchema> & { challenge: string }, Body<"/api/v1/auth/sign-in/enrolment/confirm/", "post">>,
  true satisfies Sends<z.output<ReturnType<typeof schemas.inviteSchema<(typeof ROLES)[number]>>>, Body<"/api/v1/tenants/{slug}/invitations/", "post">>,
  true satisfies Sends<Out<typeof schemas.accountSchema> & { token: string }, Body<"/api/v1/invitations/accept/", "post">>,
  true satisfies Sends<Out<typeof schemas.planChoiceSchema>, Body<"/api/v1/tenants/{slug}/subscription", "post">>,
  // and a drift is caught: a field the API does not know does not fit
  false satisfies Sends<Out<typeof schemas.signUpSchema> & { nickname: string }, Body<"/api/v1/signup/", "post">>,
];
