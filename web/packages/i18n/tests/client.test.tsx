import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

const refresh = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh }) }));

const { MessagesProvider, useHasMessage, useT } = await import("../src/client");
const { LocaleSelect } = await import("../src/locale-select");

afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  refresh.mockReset();
});

function Say({ word, values }: { word: string; values?: Record<string, string> }) {
  const t = useT();
  const has = useHasMessage();
  return <p>{`${t(word, values)} ${has("other.word") ? "with other" : "without other"}`}</p>;
}

describe("useT", () => {
  it("says a given word with its values filled in", () => {
    render(
      <MessagesProvider messages={{ "a.sent": "Sent to {email}" }} app="store">
        <Say word="a.sent" values={{ email: "ada@example.com" }} />
      </MessagesProvider>,
    );
    expect(screen.getByText("Sent to ada@example.com without other")).toBeTruthy();
  });

  it("throws on a word the page did not give, outside production, naming the app", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined); // React reports the throw too
    expect(() =>
      render(
        <MessagesProvider messages={{ "a.sent": "Sent" }} app="store">
          <Say word="other.word" />
        </MessagesProvider>,
      ),
    ).toThrow("store: missing message other.word");
  });

  it("in production, says so on the console and shows the key rather than break the page", () => {
    vi.stubEnv("NODE_ENV", "production");
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    render(
      <MessagesProvider messages={{}} app="portal">
        <Say word="other.word" />
      </MessagesProvider>,
    );
    expect(screen.getByText("other.word without other")).toBeTruthy();
    expect(errors).toHaveBeenCalledWith("portal: missing message other.word");
  });
});

describe("LocaleSelect", () => {
  it("keeps the choice in the cookie and renders the page again", () => {
    render(<LocaleSelect locale="en" locales={["en", "de"]} names={{ en: "English", de: "Deutsch" }} label="Language" cookie="app_locale" />);
    const select = screen.getByLabelText("Language") as HTMLSelectElement;
    expect(select.value).toBe("en");
    expect(screen.getByRole("option", { name: "Deutsch" }).getAttribute("lang")).toBe("de");
    fireEvent.change(select, { target: { value: "de" } });
    expect(document.cookie).toContain("app_locale=de");
    expect(refresh).toHaveBeenCalledOnce();
  });
});
