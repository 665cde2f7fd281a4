/**
 * The provisioning page's live part with a stand-in EventSource (the real stream through the BFF is
 * the browser test's): steps and the bar follow each `status`, `end` closes the stream and shows the
 * store's link, `expired` opens a new stream from the last event, a refused stream says what to do,
 * a failure says so. And the helpers: the steps of a status, the address of a name, the strength meter.
 */

import { act, cleanup, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { ProvisioningProgress } from "@/components/ProvisioningProgress";
import { passwordStrength, progressOf, slugFromName, stepsOf } from "@/lib/signup";
import { render } from "./render";

class FakeSource {
  static opened: FakeSource[] = [];
  readonly CLOSED = 2;
  readyState = 0;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
  constructor(readonly url: string) {
    FakeSource.opened.push(this);
  }
  addEventListener(name: string, listener: (event: MessageEvent<string>) => void) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
  }
  close() {
    this.readyState = 2;
  }
  emit(name: string, data: object, id = "") {
    act(() => {
      for (const listener of this.listeners.get(name) ?? []) {
        listener(new MessageEvent(name, { data: JSON.stringify(data), lastEventId: id }));
      }
    });
  }
  fail(closed: boolean) {
    act(() => {
      this.readyState = closed ? 2 : 0;
      this.onerror?.();
    });
  }
}

const INITIAL = { slug: "acme", state: "pending", state_reason: "", url: null, conditions: [] };
const condition = (type: string) => ({ type, status: "True", reason: "Provisioned" });

beforeEach(() => {
  FakeSource.opened = [];
});
afterEach(() => {
  cleanup();
});

function renderProgress(initial = INITIAL) {
  render(
    <ProvisioningProgress slug="acme" name="Acme" initial={initial} eventSource={FakeSource as unknown as typeof EventSource} />,
  );
  return FakeSource.opened.at(-1) as FakeSource;
}

const stateOf = (name: string) => screen.getByText(name).closest("li")?.getAttribute("data-state");

describe("ProvisioningProgress", () => {
  it("follows the stream through the BFF until the store is ready, then shows its address", () => {
    const source = renderProgress();
    expect(source.url).toBe("/bff/api/v1/tenants/acme/events/");
    expect(screen.getByText("Waiting to start…")).toBeTruthy();
    expect(stateOf("Database")).toBe("pending");

    act(() => source.onopen?.());
    source.emit("status", { ...INITIAL, state: "provisioning", conditions: [condition("DatabaseReady")], version: 5 }, "5");
    expect(screen.getByText("Setting up…")).toBeTruthy();
    expect(screen.getByText("Live")).toBeTruthy();
    expect(stateOf("Set-up started")).toBe("done");
    expect(stateOf("Database")).toBe("done");
    expect(stateOf("Message queues")).toBe("pending");
    expect((screen.getByLabelText(/Set-up progress/) as HTMLProgressElement).value).toBe(50);

    const url = "http://acme.localhost:8000/";
    source.emit("status", { ...INITIAL, state: "ready", url, conditions: ["DatabaseReady", "BrokerReady", "WorkloadReady", "Ready"].map(condition), version: 6 }, "6");
    source.emit("end", { state: "ready", url });
    expect(source.readyState).toBe(2);
    expect(screen.getByText("Your store is ready.")).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Acme is ready");
    expect(screen.getByRole("link", { name: "Open your store" }).getAttribute("href")).toBe(url);
    expect((screen.getByLabelText(/Set-up progress/) as HTMLProgressElement).value).toBe(100);
    expect(FakeSource.opened).toHaveLength(1);
  });

  it("says it reconnects while EventSource retries, and opens a new stream from the last event when one expires", () => {
    const source = renderProgress();
    source.emit("status", { ...INITIAL, state: "provisioning", version: 7 }, "7");
    source.fail(false);
    expect(screen.getByText("Connection lost; reconnecting…")).toBeTruthy();
    source.emit("expired", { message: "time limit" });
    expect(source.readyState).toBe(2);
    expect(FakeSource.opened[1]?.url).toBe("/bff/api/v1/tenants/acme/events/?last_event_id=7");
  });

  it("says what to do when the stream is refused, and when the set-up failed", () => {
    const source = renderProgress();
    source.fail(true);
    expect(screen.getByRole("alert").textContent).toContain("Reload the page");
    cleanup();

    const again = renderProgress();
    again.emit("status", { ...INITIAL, state: "failed", state_reason: "OperationalError: no shard", conditions: [condition("DatabaseReady")], version: 9 }, "9");
    again.emit("end", { state: "failed", url: null });
    expect(screen.getByText("Setting up your store failed.", { selector: ".progress-state" })).toBeTruthy();
    expect(screen.getByText("Reason: OperationalError: no shard")).toBeTruthy();
    expect(stateOf("Message queues")).toBe("failed");
    expect(screen.getByRole("alert").textContent).toContain("write to support");
  });

  it("opens no stream for a store that is ready already", () => {
    render(
      <ProvisioningProgress
        slug="acme"
        name="Acme"
        initial={{ ...INITIAL, state: "ready", url: "http://acme.localhost:8000/" }}
        eventSource={FakeSource as unknown as typeof EventSource}
      />,
    );
    expect(FakeSource.opened).toHaveLength(0);
    expect(screen.getByRole("link", { name: "Open your store" })).toBeTruthy();
  });
});

describe("the sign-up helpers", () => {
  it("derives the address as the API does", () => {
    expect(slugFromName("Café Müller & Söhne")).toBe("cafe-muller-sohne");
    expect(slugFromName("42 Things")).toBe("store-42-things");
    expect(slugFromName("  --  ")).toBe("");
    expect(slugFromName("x".repeat(60))).toHaveLength(40);
  });

  it("lists the steps of a status", () => {
    const steps = stepsOf({ state: "provisioning", conditions: [condition("DatabaseReady"), condition("CustomThing")] });
    expect(steps.map((step) => `${step.key}:${step.state}`)).toEqual([
      "created:done",
      "provisioning:done",
      "DatabaseReady:done",
      "BrokerReady:pending",
      "WorkloadReady:pending",
      "Ready:pending",
      "CustomThing:done",
    ]);
    expect(progressOf(steps)).toBe(57);
  });

  it("rates passwords: short or digits only are very weak, a long passphrase is strong, names in it count less", () => {
    expect(passwordStrength("Sh0rt!")).toBe(0);
    expect(passwordStrength("12345678901234")).toBe(0);
    expect(passwordStrength("password1234")).toBeLessThanOrEqual(1);
    expect(passwordStrength("correct horse battery staple")).toBe(4);
    expect(passwordStrength("acmecoffee2026", ["acmecoffee"])).toBeLessThan(passwordStrength("quokkaventure2026"));
  });
});
