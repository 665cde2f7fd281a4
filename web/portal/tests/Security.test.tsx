/**
 * The security page's parts against a local HTTP server that answers as the BFF's pass-through does (the
 * API client's stand-in): the code field's checks and the API's wrong-code answer at it, the backup codes'
 * download, the session list, setting up an authenticator app, and enrolling while signing in.
 */

import { createControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { BackupCodes } from "@/components/security/BackupCodes";
import { PasswordChange } from "@/components/security/PasswordChange";
import { CodeForm } from "@/components/security/CodeForm";
import { SessionList } from "@/components/security/SessionList";
import { TwoFactorPanel } from "@/components/security/TwoFactorPanel";
import { SignInForm } from "@/components/SignInForm";
import { type Locale, translator } from "@/lib/i18n";
import { BACKUP_FILE_NAME, backupCodesText, describeAgent, downloadText } from "@/lib/security";

import { json, type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";
import { render } from "./render";

const t = translator("en");
const CODES = ["k7wqa-2mzdb", "p3xva-9htab", "c8rna-4fueb"];
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

let bff: StandIn;

beforeAll(async () => {
  bff = await startStandIn();
});
afterAll(async () => {
  await bff.close();
});
beforeEach(() => {
  bff.requests.length = 0;
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function problem(status: number, code: string, detail: string, errors: object[] = []) {
  return json(status, { type: "about:blank", title: "t", status, detail, code, errors }, "application/problem+json");
}

function withQueries(node: ReactNode, locale: Locale = "en") {
  // staleTime as the portal's <Queries> has it: the page's initial data is not asked for again on mount.
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 10_000 }, mutations: { retry: false } } });
  return render(<QueryClientProvider client={client}>{node}</QueryClientProvider>, { locale });
}

function api() {
  return createControlPlaneClient(`${bff.url}/bff`, () => null);
}

function session(id: string, userAgent: string, current: boolean) {
  return {
    id,
    method: "password",
    user_agent: userAgent,
    ip_address: "203.0.113.7",
    created_at: "2026-03-02T09:14:05Z",
    last_used_at: "2026-03-02T11:40:12Z",
    current,
  };
}

describe("CodeForm", () => {
  function renderCodeForm(backup: boolean, onCode: (code: string) => Promise<unknown>) {
    render(<CodeForm t={t} id="test" backup={backup} submit="Send" onCode={onCode} />);
    return userEvent.setup();
  }

  it("takes 6 digits only, spaces dropped, and says what it wants otherwise", async () => {
    const sent: string[] = [];
    const user = renderCodeForm(false, async (code) => sent.push(code));
    const input = screen.getByLabelText("Code");

    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Please fill in this field.")).toBeTruthy();

    for (const wrong of ["12345", "1234567", "12a456", "abcde-fghij"]) {
      await user.clear(input);
      await user.type(input, wrong);
      await user.click(screen.getByRole("button", { name: "Send" }));
      expect(await screen.findByText("Enter the 6 digits your authenticator app shows, such as 123456.")).toBeTruthy();
      expect(input.getAttribute("aria-invalid")).toBe("true");
      expect(input.getAttribute("aria-describedby")).toBe("test-help test-error");
    }
    expect(sent).toEqual([]);

    await user.clear(input);
    await user.type(input, "123 456");
    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(sent).toEqual(["123456"]));
  });

  it("takes a backup code where one is accepted", async () => {
    const sent: string[] = [];
    const user = renderCodeForm(true, async (code) => sent.push(code));
    await user.type(screen.getByLabelText("Code"), "abcd-efgh");
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Enter the 6 digits your app shows, or a backup code such as abcde-fghij.")).toBeTruthy();
    await user.clear(screen.getByLabelText("Code"));
    await user.type(screen.getByLabelText("Code"), "k7wqa-2mzdb");
    await user.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(sent).toEqual(["k7wqa-2mzdb"]));
  });

  it("shows a wrong code the API refused at the field, and a network failure above it", async () => {
    const wrong = "That code is wrong; enter the code your authenticator app shows now.";
    let fail: () => never = () => {
      throw new ProblemError({ type: "about:blank", title: "t", status: 400, detail: wrong, code: "two_factor_code_invalid" });
    };
    const user = renderCodeForm(false, async () => fail());
    await user.type(screen.getByLabelText("Code"), "000000");
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect((await screen.findByText(wrong)).id).toBe("test-error");
    expect(screen.getByLabelText("Code").getAttribute("aria-invalid")).toBe("true");

    fail = () => {
      throw new TypeError("fetch failed");
    };
    await user.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText(t("error.network"))).toBeTruthy();
  });
});

describe("backup codes", () => {
  it("downloads a text file with every code on its own line", async () => {
    const files: { text: string; name: string }[] = [];
    render(<BackupCodes t={t} locale="en" codes={CODES} download={(text, name) => files.push({ text, name })} />);
    expect(within(screen.getByRole("list", { name: "Backup codes" })).getAllByRole("listitem").map((item) => item.textContent)).toEqual(CODES);
    await userEvent.setup().click(screen.getByRole("button", { name: "Download (.txt)" }));

    expect(files).toHaveLength(1);
    expect(files[0]?.name).toBe(BACKUP_FILE_NAME);
    const lines = files[0]?.text.split("\n") ?? [];
    expect(lines[0]).toBe("Tenantry backup codes");
    expect(lines[1]).toMatch(/^Created: /);
    expect(lines.slice(3, 6)).toEqual(CODES);
    expect(files[0]?.text).toContain("Each code works once");
  });

  it("hands the browser a Blob of that text, named as a .txt file", async () => {
    const blobs: Blob[] = [];
    const clicked: string[] = [];
    Object.assign(URL, { createObjectURL: (blob: Blob) => (blobs.push(blob), "blob:codes"), revokeObjectURL: () => {} });
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(`${this.download} ${this.href}`);
    });
    const text = backupCodesText(CODES, translator("de"), "2. März 2026");
    downloadText(text, BACKUP_FILE_NAME);

    expect(clicked).toEqual([`${BACKUP_FILE_NAME} blob:codes`]);
    expect(blobs[0]?.type).toBe("text/plain;charset=utf-8");
    expect(await blobs[0]?.text()).toBe(text);
    expect(text.startsWith("Tenantry-Backup-Codes\nErstellt: 2. März 2026\n\nk7wqa-2mzdb\n")).toBe(true);
  });
});

describe("SessionList", () => {
  it("lists the sessions with this device marked, and more a cursor page at a time", async () => {
    const first = json(200, {
      next: "http://localhost:8000/api/v1/auth/sessions/?cursor=cD0y",
      previous: null,
      results: [session("a1", FIREFOX, true), session("b2", IPHONE, false)],
    });
    bff.answer(first, first, json(200, { next: null, previous: null, results: [session("c3", "python-requests/2.32.3", false)] }));
    withQueries(<SessionList locale="en" api={api()} />);

    const current = (await screen.findByText("Firefox on Linux")).closest("tr")!;
    expect(within(current).getByText("This device")).toBeTruthy();
    expect(within(current).getByRole("button", { name: "Sign out here" }).closest("form")?.getAttribute("action")).toBe(
      "/bff/sign-out",
    );
    const other = screen.getByText("Safari on iOS").closest("tr")!;
    expect(within(other).queryByText("This device")).toBeNull();
    expect(within(other).getByText("203.0.113.7")).toBeTruthy();
    expect(within(other).getByRole("button", { name: /^Sign out Safari on iOS, last used / })).toBeTruthy();
    expect(bff.requests[0]?.url).toBe("/bff/api/v1/auth/sessions/");

    await userEvent.setup().click(screen.getByRole("button", { name: "Show more sessions" }));
    expect(await screen.findByText("python-requests/2.32.3")).toBeTruthy();
    expect(screen.getByText("Safari on iOS")).toBeTruthy(); // the first page's rows stay
    // The pages shown are asked for again in turn, then the next one (by its cursor).
    expect(bff.requests.map((request) => request.url)).toEqual([
      "/bff/api/v1/auth/sessions/",
      "/bff/api/v1/auth/sessions/",
      "/bff/api/v1/auth/sessions/?cursor=cD0y",
    ]);
    expect(screen.queryByRole("button", { name: "Show more sessions" })).toBeNull();
  });

  it("signs another session out and asks for the list again", async () => {
    bff.answer(
      json(200, { next: null, previous: null, results: [session("a1", FIREFOX, true), session("b2", IPHONE, false)] }),
      { status: 204 },
      json(200, { next: null, previous: null, results: [session("a1", FIREFOX, true)] }),
    );
    withQueries(<SessionList locale="en" api={api()} />);
    await userEvent.setup().click(await screen.findByRole("button", { name: /^Sign out Safari on iOS/ }));

    await waitFor(() => expect(screen.queryByText("Safari on iOS")).toBeNull());
    expect(bff.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      "GET /bff/api/v1/auth/sessions/",
      "DELETE /bff/api/v1/auth/sessions/b2/",
      "GET /bff/api/v1/auth/sessions/",
    ]);
  });

  it("says what went wrong when the list cannot be loaded", async () => {
    bff.answer(problem(502, "control_plane_unreachable", "The portal could not reach Tenantry's API."));
    withQueries(<SessionList locale="en" api={api()} />);
    expect((await screen.findByRole("alert")).textContent).toContain("The portal could not reach Tenantry's API.");
  });

  it("names devices by browser and system", () => {
    expect(describeAgent(FIREFOX, t)).toBe("Firefox on Linux");
    expect(describeAgent("", t)).toBe("Unknown device");
    expect(describeAgent(IPHONE, translator("de"))).toBe("Safari auf iOS");
  });
});

describe("TwoFactorPanel", () => {
  it("sets up an app: QR code and key, a wrong code refused at the field, then the backup codes", async () => {
    const uri = "otpauth://totp/Tenantry:olive%40example.test?secret=JBSWY3DPEHPK3PXP&issuer=Tenantry";
    bff.answer(
      json(201, { otpauth_uri: uri, qr_code: "data:image/svg+xml,x", secret: "JBSWY3DPEHPK3PXP" }),
      problem(400, "two_factor_code_invalid", "That code is wrong; enter the code your authenticator app shows now."),
      json(200, { backup_codes: CODES }),
      json(200, { enabled: true, methods: ["totp", "backup_code"], backup_codes_remaining: 3, required: false }),
    );
    withQueries(<TwoFactorPanel locale="en" initial={{ enabled: false, methods: [], backup_codes_remaining: 0, required: false }} api={api()} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set up an authenticator app" }));

    // The steps load on the click (the first import in a test run takes a moment).
    const qr = await screen.findByRole("img", { name: /QR code/ }, { timeout: 3000 });
    expect(qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
    expect(screen.getByText("JBSW Y3DP EHPK 3PXP")).toBeTruthy();

    await user.type(screen.getByLabelText("Code"), "000000");
    await user.click(screen.getByRole("button", { name: "Turn on" }));
    expect((await screen.findByText(/That code is wrong/)).id).toBe("enrol-error");

    await user.clear(screen.getByLabelText("Code"));
    await user.type(screen.getByLabelText("Code"), "123456");
    await user.click(screen.getByRole("button", { name: "Turn on" }));
    expect(await screen.findByRole("list", { name: "Backup codes" })).toBeTruthy();
    expect(JSON.parse(bff.requests[2]?.body ?? "")).toEqual({ code: "123456" });
    expect(bff.requests.map((request) => `${request.method} ${request.url}`).slice(0, 3)).toEqual([
      "POST /bff/api/v1/auth/two-factor/totp/",
      "POST /bff/api/v1/auth/two-factor/totp/confirm/",
      "POST /bff/api/v1/auth/two-factor/totp/confirm/",
    ]);

    await user.click(screen.getByRole("button", { name: "I have saved them" }));
    expect(await screen.findByText("Unused backup codes: 3")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Turn off two-step verification" })).toBeTruthy();
  });

  it("says why a new key could not be made, and tries again on the click", async () => {
    const uri = "otpauth://totp/Tenantry:olive%40example.test?secret=JBSWY3DPEHPK3PXP&issuer=Tenantry";
    bff.answer(
      problem(409, "two_factor_enabled", "Two-step verification is on already."),
      json(201, { otpauth_uri: uri, qr_code: "data:image/svg+xml,x", secret: "JBSWY3DPEHPK3PXP" }),
    );
    withQueries(<TwoFactorPanel locale="en" initial={{ enabled: false, methods: [], backup_codes_remaining: 0, required: false }} api={api()} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Set up an authenticator app" }));

    expect((await screen.findByRole("alert", {}, { timeout: 3000 })).textContent).toBe("Two-step verification is on already.");
    await user.click(screen.getByRole("button", { name: "Set up an authenticator app" }));
    expect(await screen.findByText("JBSW Y3DP EHPK 3PXP")).toBeTruthy();
    expect(bff.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      "POST /bff/api/v1/auth/two-factor/totp/",
      "POST /bff/api/v1/auth/two-factor/totp/",
    ]);
  });

  it("renews the backup codes with an app code, and turns two-step verification off with a backup code", async () => {
    const on = { enabled: true, methods: ["totp", "backup_code"] as ("totp" | "backup_code")[], backup_codes_remaining: 2, required: false };
    bff.answer(
      json(200, { backup_codes: CODES }),
      json(200, { ...on, backup_codes_remaining: 3 }),
      { status: 204 },
      json(200, { enabled: false, methods: [], backup_codes_remaining: 0, required: false }),
    );
    withQueries(<TwoFactorPanel locale="en" initial={on} api={api()} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Get new backup codes" }));
    // The form loads on the click and takes the focus.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText("Code")), { timeout: 3000 });
    await user.type(screen.getByLabelText("Code"), "k7wqa-2mzdb");
    await user.click(screen.getByRole("button", { name: "Get new codes" }));
    // A backup code does not renew them: the form says so before asking.
    expect(await screen.findByText("Enter the 6 digits your authenticator app shows, such as 123456.")).toBeTruthy();
    await user.clear(screen.getByLabelText("Code"));
    await user.type(screen.getByLabelText("Code"), "654321");
    await user.click(screen.getByRole("button", { name: "Get new codes" }));
    expect(await screen.findByRole("list", { name: "Backup codes" })).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "I have saved them" }));
    expect(await screen.findByText("Unused backup codes: 3")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Turn off two-step verification" }));
    await user.type(screen.getByLabelText("Code"), "k7wqa-2mzdb");
    await user.click(screen.getByRole("button", { name: "Turn off" }));
    expect(await screen.findByRole("button", { name: "Set up an authenticator app" })).toBeTruthy();
    expect(bff.requests.map((request) => `${request.method} ${request.url} ${request.body}`)).toEqual([
      'POST /bff/api/v1/auth/two-factor/backup-codes/ {"code":"654321"}',
      "GET /bff/api/v1/auth/two-factor/ ",
      'POST /bff/api/v1/auth/two-factor/disable/ {"code":"k7wqa-2mzdb"}',
      "GET /bff/api/v1/auth/two-factor/ ",
    ]);
  });

  it("keeps two-step verification on for an account that must have it", async () => {
    withQueries(
      <TwoFactorPanel locale="de" initial={{ enabled: true, methods: ["totp"], backup_codes_remaining: 0, required: true }} api={api()} />,
      "de",
    );
    expect(await screen.findByText("Ihr Konto muss die Bestätigung in zwei Schritten eingeschaltet lassen.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Bestätigung in zwei Schritten ausschalten" })).toBeNull();
  });
});

describe("PasswordChange", () => {
  it("loads the form on \"Change the password…\", moves the focus into it, and checks before sending", async () => {
    bff.answer({ status: 204 });
    withQueries(<PasswordChange api={api()} />);
    expect(screen.queryByLabelText("Current password")).toBeNull();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Change the password…" }));
    const current = await screen.findByLabelText("Current password", {}, { timeout: 3000 });
    await waitFor(() => expect(document.activeElement).toBe(current));
    expect(screen.queryByRole("button", { name: "Change the password…" })).toBeNull();

    await user.click(screen.getByRole("button", { name: "Change the password" }));
    expect(await screen.findByText(t("field.required"), { selector: "#pw-current_password-error" })).toBeTruthy();
    expect(bff.requests).toEqual([]);

    await user.type(current, "old password here");
    await user.type(screen.getByLabelText("New password"), "a new passphrase");
    await user.type(screen.getByLabelText("New password again"), "a new passphrase");
    await user.click(screen.getByRole("button", { name: "Change the password" }));
    expect((await screen.findByRole("status")).textContent).toBe("Your password is changed; your other sessions are signed out.");
    expect(JSON.parse(bff.requests[0]?.body ?? "")).toEqual({ current_password: "old password here", new_password: "a new passphrase" });
  });
});

describe("SignInForm's enrolment step", () => {
  it("sets up the app while signing in, shows the backup codes, then goes on", async () => {
    const signedIn: string[] = [];
    bff.answer(
      json(200, { status: "enrolment_required", challenge: "ch-1", methods: ["totp"], expires_in: 300 }),
      json(200, { otpauth_uri: "otpauth://totp/Tenantry:x?secret=JBSWY3DPEHPK3PXP", secret: "JBSWY3DPEHPK3PXP" }),
      problem(400, "two_factor_code_invalid", "That code is wrong; enter the code your authenticator app shows now."),
      json(200, { status: "signed_in", backup_codes: CODES }),
    );
    render(<SignInForm locale="en" next="/account/security" bffUrl={bff.url} onSignedIn={(next) => signedIn.push(next)} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email address"), "staff@example.test");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("img", { name: /QR code/ })).toBeTruthy();
    await user.type(screen.getByLabelText("Code"), "111111");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));
    expect(await screen.findByText(/That code is wrong/)).toBeTruthy();
    await user.clear(screen.getByLabelText("Code"));
    await user.type(screen.getByLabelText("Code"), "222222");
    await user.click(screen.getByRole("button", { name: "Verify and sign in" }));

    expect(await screen.findByRole("list", { name: "Backup codes" })).toBeTruthy();
    expect(signedIn).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(signedIn).toEqual(["/account/security"]);
    expect(bff.requests.map((request) => request.url)).toEqual([
      "/bff/sign-in",
      "/bff/sign-in/enrolment",
      "/bff/sign-in/enrolment/confirm",
      "/bff/sign-in/enrolment/confirm",
    ]);
    expect(JSON.parse(bff.requests[1]?.body ?? "")).toEqual({ challenge: "ch-1" });
    expect(JSON.parse(bff.requests[3]?.body ?? "")).toEqual({ challenge: "ch-1", code: "222222" });
  });
});

describe("SignInForm's code step", () => {
  it("says a wrong code at the code field", async () => {
    const wrong = "That code is wrong or was already used; enter the current code from your authenticator app or an unused backup code.";
    bff.answer(
      json(200, { status: "two_factor_required", challenge: "ch-2", methods: ["totp", "backup_code"], expires_in: 300 }),
      problem(401, "two_factor_code_invalid", wrong),
    );
    render(<SignInForm locale="en" bffUrl={bff.url} onSignedIn={() => undefined} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email address"), "olive@example.test");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await user.type(await screen.findByLabelText("Code"), "000000");
    await user.click(screen.getByRole("button", { name: "Verify" }));

    expect((await screen.findByText(wrong)).id).toBe("code-error");
    expect(screen.getByLabelText("Code").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Code").getAttribute("aria-describedby")).toBe("code-help code-error");
  });
});
