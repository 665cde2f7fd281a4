/**
 * The service worker's update prompt (src/components/ServiceWorker.tsx) with a stand-in for the browser's
 * `navigator.serviceWorker` and registration: a worker waiting behind the one in control shows a polite notice,
 * and Reload asks it to take over, then reloads once it has.
 */

import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { ServiceWorker } from "@/components/ServiceWorker";
import { SKIP_WAITING } from "@/components/ServiceWorkerUpdate";

/** A worker: its state, the messages posted to it, and its statechange listeners. */
class FakeWorker extends EventTarget {
  posted: unknown[] = [];
  constructor(public state: ServiceWorkerState) {
    super();
  }
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  become(state: ServiceWorkerState) {
    this.state = state;
    this.dispatchEvent(new Event("statechange"));
  }
}

class FakeRegistration extends EventTarget {
  waiting: FakeWorker | null = null;
  installing: FakeWorker | null = null;
}

class FakeContainer extends EventTarget {
  registered: string[] = [];
  constructor(
    public registration: FakeRegistration,
    public controller: FakeWorker | null,
  ) {
    super();
  }
  async register(url: string) {
    this.registered.push(url);
    return this.registration;
  }
}

function show(container: FakeContainer, lang = "en") {
  document.documentElement.lang = lang;
  const reloads: number[] = [];
  render(<ServiceWorker container={container as unknown as ServiceWorkerContainer} enabled reload={() => reloads.push(1)} />);
  return reloads;
}

afterEach(() => {
  cleanup();
});

describe("ServiceWorker", () => {
  it("shows a new version waiting, and Reload lets it take over and then reloads the page", async () => {
    const registration = new FakeRegistration();
    const waiting = new FakeWorker("installed");
    registration.waiting = waiting;
    const container = new FakeContainer(registration, new FakeWorker("activated"));
    const reloads = show(container);

    const notice = await screen.findByRole("status");
    expect(notice.textContent).toContain("A new version of the portal is available.");
    expect(notice.parentElement?.getAttribute("aria-live")).toBe("polite");
    expect(container.registered).toEqual(["/sw.js"]);

    fireEvent.click(screen.getByRole("button", { name: "Reload" }));
    expect(waiting.posted).toEqual([SKIP_WAITING]);
    expect(reloads).toHaveLength(0); // not before the new worker controls the page

    act(() => {
      container.dispatchEvent(new Event("controllerchange"));
    });
    expect(reloads).toHaveLength(1);
    act(() => {
      container.dispatchEvent(new Event("controllerchange"));
    });
    expect(reloads).toHaveLength(1); // once
  });

  it("notices a worker that finishes installing later, in the page's language", async () => {
    const registration = new FakeRegistration();
    const container = new FakeContainer(registration, new FakeWorker("activated"));
    show(container, "de");
    await waitFor(() => expect(container.registered).toHaveLength(1));
    expect(screen.queryByRole("status")).toBeNull();

    const installing = new FakeWorker("installing");
    registration.installing = installing;
    act(() => {
      registration.dispatchEvent(new Event("updatefound"));
    });
    registration.waiting = installing;
    act(() => installing.become("installed"));

    expect((await screen.findByRole("status")).textContent).toContain("Eine neue Version des Portals ist verfügbar.");
    expect(screen.getByRole("button", { name: "Neu laden" })).toBeTruthy();
  });

  it("says nothing about the first worker of all, nor when another tab's change reloads nothing here", async () => {
    const registration = new FakeRegistration();
    registration.waiting = new FakeWorker("installed");
    const container = new FakeContainer(registration, null); // nothing controls the page: a first install
    const reloads = show(container);
    await waitFor(() => expect(container.registered).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByRole("status")).toBeNull();

    act(() => {
      container.dispatchEvent(new Event("controllerchange"));
    });
    expect(reloads).toHaveLength(0);
  });
});
