import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { MAX_NOTICES, NoticeList, useNotices } from "../src/notices";

beforeEach(() => {
  vi.useFakeTimers();
  useNotices.setState({ notices: [] });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const push = (tone: "info" | "success" | "error", text: string) => act(() => void useNotices.getState().push(tone, text));
const later = (ms: number) => act(() => void vi.advanceTimersByTime(ms));

describe("NoticeList", () => {
  it("lets success and info go after the timeout; an error stays until closed", () => {
    render(<NoticeList dismissLabel="Dismiss" timeout={5000} />);
    push("success", "Invitation sent");
    push("info", "The store is being deleted");
    push("error", "The invitation could not be sent. Try again.");
    expect(screen.getAllByRole("status")).toHaveLength(2);
    later(4900);
    expect(screen.queryByText("Invitation sent")).not.toBeNull();
    later(200);
    expect(screen.queryByText("Invitation sent")).toBeNull();
    expect(screen.queryByText("The store is being deleted")).toBeNull();
    later(60_000);
    expect(screen.getByRole("alert").textContent).toContain("The invitation could not be sent");
    fireEvent.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("waits while the pointer is over the list, then only for the time that was left", () => {
    render(<NoticeList dismissLabel="Dismiss" timeout={5000} />);
    push("success", "Saved");
    later(3000);
    fireEvent.mouseEnter(screen.getByRole("status").parentElement as HTMLElement);
    later(20_000);
    expect(screen.queryByText("Saved")).not.toBeNull();
    fireEvent.mouseLeave(screen.getByRole("status").parentElement as HTMLElement);
    later(1900);
    expect(screen.queryByText("Saved")).not.toBeNull();
    later(200);
    expect(screen.queryByText("Saved")).toBeNull();
  });

  it("waits while focus is in the list (on a close button)", () => {
    render(<NoticeList dismissLabel="Dismiss" timeout={5000} />);
    push("success", "Saved");
    push("info", "Also");
    act(() => screen.getAllByRole("button", { name: "Dismiss" })[0]?.focus());
    later(10_000);
    expect(screen.getAllByRole("status")).toHaveLength(2);
    act(() => (document.activeElement as HTMLElement).blur());
    later(5100);
    expect(screen.queryAllByRole("status")).toHaveLength(0);
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
