import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { MAX_NOTICES, NoticeList, useNotices } from "../src/notices";

beforeEach(() => {
  useNotices.setState({ notices: [] });
});

afterEach(cleanup);

/** The end of an element's CSS animation. jsdom has no AnimationEvent, so React listens for the prefixed name
 * there: both are sent (dismissing twice is harmless). */
function animationEnds(element: Element | undefined) {
  act(() => {
    for (const name of ["animationend", "webkitAnimationEnd"]) element?.dispatchEvent(new Event(name, { bubbles: true }));
  });
}

const push = (tone: "info" | "success" | "error", text: string) => act(() => void useNotices.getState().push(tone, text));

describe("NoticeList", () => {
  it("lets success and info go when their life's animation ends; an error stays until closed", () => {
    render(<NoticeList dismissLabel="Dismiss" />);
    push("success", "Invitation sent");
    push("info", "The store is being deleted");
    push("error", "The invitation could not be sent. Try again.");
    const [sent, deleting] = screen.getAllByRole("status");
    expect(sent?.className).toBe("notice notice-success");
    expect(deleting?.className).toBe("notice notice-info");
    animationEnds(sent);
    expect(screen.queryByText("Invitation sent")).toBeNull();
    animationEnds(deleting);
    expect(screen.queryByText("The store is being deleted")).toBeNull();
    // An error has no animation (ui.css, checked below), and stays even if one ended.
    animationEnds(screen.getByRole("alert"));
    expect(screen.getByRole("alert").textContent).toContain("The invitation could not be sent");
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("keeps the newest few, closes one by its button", () => {
    render(<NoticeList dismissLabel="Schließen" />);
    for (let n = 1; n <= MAX_NOTICES + 2; n++) push("error", `Problem ${n}`);
    const alerts = screen.getAllByRole("alert");
    expect(alerts.map((alert) => alert.textContent?.replace("×", ""))).toEqual(
      Array.from({ length: MAX_NOTICES }, (_, index) => `Problem ${index + 3}`),
    );
    fireEvent.click(screen.getAllByRole("button", { name: "Schließen" })[0] as HTMLElement);
    expect(screen.queryByText("Problem 3")).toBeNull();
    expect(screen.getAllByRole("alert")).toHaveLength(MAX_NOTICES - 1);
  });
});

describe("ui.css", () => {
  // The timing and its pause are CSS (jsdom runs no animations): the rules NoticeList relies on must be there.
  it("gives success and info a life that pauses on hover and focus, errors none; narrow screens in the flow", async () => {
    const css = (await readFile(join(__dirname, "..", "src", "ui.css"), "utf8")).replace(/\s+/g, " ");
    expect(css).toContain(".notice-success, .notice-info { animation: ui-notice-life var(--ui-notice-life, 6s) linear forwards; }");
    expect(css).toContain(".notices:hover .notice, .notices:focus-within .notice { animation-play-state: paused; }");
    expect(css).not.toMatch(/\.notice-error[^{]*\{[^}]*animation/);
    expect(css).toMatch(/@media \(max-width: 40rem\) \{ \.notices \{ position: static;/);
  });
});
