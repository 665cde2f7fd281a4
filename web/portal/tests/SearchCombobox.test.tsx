/**
 * The marketplace search box against a local HTTP server answering as the BFF's pass-through does: the
 * debounced autocomplete call, and the combobox's keyboard (arrows, Enter, Escape) and ARIA state.
 */

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { markedParts } from "@/components/public/Marked";
import { DEBOUNCE_MS, SearchCombobox } from "@/components/public/SearchCombobox";

import { json, type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";
import { render } from "./render";

const STORE = { slug: "kyoto", name: "Kyoto Tea House", url: "http://kyoto.localhost:8000/" };
const SUGGESTIONS = {
  query: "sen",
  suggestions: [
    { kind: "product", text: "Sencha Green Tea", text_html: "<mark>Sen</mark>cha Green Tea", tenant: STORE },
    { kind: "product", text: "Sencha & Rice", text_html: "<mark>Sen</mark>cha &amp; Rice", tenant: STORE },
    { kind: "tenant", text: "Sendai Supply", text_html: "<mark>Sen</mark>dai Supply", tenant: { ...STORE, slug: "sendai" } },
  ],
};

let bff: StandIn;
let searched: string[];

beforeAll(async () => {
  bff = await startStandIn();
});
afterAll(async () => {
  await bff.close();
});
beforeEach(() => {
  bff.requests.length = 0;
  searched = [];
});
afterEach(() => {
  cleanup();
});

function renderBox(locale: "en" | "de" = "en", initial?: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <SearchCombobox bffUrl={bff.url} onSearch={(q) => searched.push(q)} id="box" initial={initial} />
    </QueryClientProvider>,
    { locale },
  );
  return userEvent.setup();
}

const combobox = () => screen.getByRole("combobox", { name: "Search products and stores" });
const listbox = () => screen.getByRole("listbox", { hidden: true });

async function typeAndWaitForSuggestions(user: ReturnType<typeof userEvent.setup>, text: string) {
  bff.answer(json(200, SUGGESTIONS));
  await user.type(combobox(), text);
  await screen.findAllByRole("option");
}

describe("SearchCombobox", () => {
  it("asks once for what was typed, after a pause, through the BFF's pass-through", async () => {
    const user = renderBox();
    bff.answer(json(200, SUGGESTIONS));
    await user.type(combobox(), "sen"); // three keys within the debounce: one call

    const options = await screen.findAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual([
      "Sencha Green Tea · Kyoto Tea House",
      "Sencha & Rice · Kyoto Tea House",
      "Sendai Supply · store",
    ]);
    expect(bff.requests.map((request) => request.url)).toEqual(["/bff/api/v1/search/autocomplete/?q=sen&limit=8"]);
    expect(bff.requests[0]?.headers.authorization).toBeUndefined();
    expect(options[0]?.querySelector("mark")?.textContent).toBe("Sen");
    expect(combobox().getAttribute("aria-expanded")).toBe("true");
    expect(combobox().getAttribute("aria-controls")).toBe(listbox().id);
    expect(screen.getByRole("status").textContent).toBe("3 suggestions: use the up and down arrows to pick one.");
  });

  it("does not ask for fewer than two characters, nor before the pause", async () => {
    const user = renderBox();
    await user.type(combobox(), "s");
    await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS * 2));
    expect(bff.requests).toHaveLength(0);

    bff.answer(json(200, SUGGESTIONS));
    await user.type(combobox(), "e");
    expect(bff.requests).toHaveLength(0); // still within the pause
    await waitFor(() => expect(bff.requests).toHaveLength(1));
    expect(bff.requests[0]?.url).toContain("q=se&");
  });

  it("does not ask for the query it was given (the results page's), only for what is typed", async () => {
    const user = renderBox("en", "sencha");
    expect((combobox() as HTMLInputElement).value).toBe("sencha");
    await user.click(combobox());
    await new Promise((resolve) => setTimeout(resolve, DEBOUNCE_MS * 2));
    expect(bff.requests).toHaveLength(0);
    expect(combobox().getAttribute("aria-expanded")).toBe("false");

    bff.answer(json(200, SUGGESTIONS));
    await user.type(combobox(), "{Backspace}");
    await screen.findAllByRole("option");
    expect(bff.requests.map((request) => request.url)).toEqual(["/bff/api/v1/search/autocomplete/?q=sench&limit=8"]);
  });

  it("moves through the options with the arrows, wrapping, and searches for the one picked with Enter", async () => {
    const user = renderBox();
    await typeAndWaitForSuggestions(user, "sen");
    const options = screen.getAllByRole("option");

    await user.keyboard("{ArrowDown}");
    expect(combobox().getAttribute("aria-activedescendant")).toBe(options[0]?.id);
    expect(options[0]?.getAttribute("aria-selected")).toBe("true");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}");
    expect(combobox().getAttribute("aria-activedescendant")).toBe(options[0]?.id); // wrapped
    await user.keyboard("{ArrowUp}");
    expect(combobox().getAttribute("aria-activedescendant")).toBe(options[2]?.id); // wrapped back
    await user.keyboard("{ArrowUp}");
    expect(options[1]?.getAttribute("aria-selected")).toBe("true");
    expect(options[0]?.getAttribute("aria-selected")).toBe("false");

    await user.keyboard("{Enter}");
    expect(searched).toEqual(["Sencha & Rice"]);
    expect((combobox() as HTMLInputElement).value).toBe("Sencha & Rice");
    expect(combobox().getAttribute("aria-expanded")).toBe("false");
  });

  it("closes the list with Escape, then clears the box with a second Escape", async () => {
    const user = renderBox();
    await typeAndWaitForSuggestions(user, "sen");
    await user.keyboard("{ArrowDown}{Escape}");

    expect(combobox().getAttribute("aria-expanded")).toBe("false");
    expect(combobox().getAttribute("aria-activedescendant")).toBeNull();
    expect(listbox().hidden).toBe(true);
    expect((combobox() as HTMLInputElement).value).toBe("sen");

    await user.keyboard("{ArrowDown}"); // opens it again
    expect(combobox().getAttribute("aria-expanded")).toBe("true");
    await user.keyboard("{Escape}{Escape}");
    expect((combobox() as HTMLInputElement).value).toBe("");
    expect(searched).toEqual([]);
  });

  it("picks an option with the mouse", async () => {
    const user = renderBox();
    await typeAndWaitForSuggestions(user, "sen");
    await user.click(screen.getAllByRole("option")[2]!);

    expect(searched).toEqual(["Sendai Supply"]);
  });

  it("is a GET form to /search, so Enter without a picked option submits what was typed", async () => {
    renderBox();
    const form = combobox().closest("form");
    expect(form?.getAttribute("action")).toBe("/search");
    expect(form?.getAttribute("method")).toBe("get");
    expect(combobox().getAttribute("name")).toBe("q");
    expect(screen.getByRole("button", { name: "Search" }).getAttribute("type")).toBe("submit");
  });

  it("says when there is nothing to suggest, and when suggestions are down, in German too", async () => {
    const user = renderBox("de");
    bff.answer(json(200, { query: "zz", suggestions: [] }));
    await user.type(screen.getByRole("combobox", { name: "Produkte und Shops suchen" }), "zz");
    await waitFor(() =>
      expect(screen.getByRole("status").textContent).toBe(
        "Keine Vorschläge: Drücken Sie die Eingabetaste, um trotzdem zu suchen.",
      ),
    );
    expect(screen.queryAllByRole("option")).toHaveLength(0);

    bff.answer({ status: 502, contentType: "application/problem+json", body: "{}" });
    await user.type(screen.getByRole("combobox"), "x");
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Vorschläge sind gerade nicht verfügbar"));
  });
});

describe("markedParts", () => {
  it("turns only <mark> into marks and decodes entities, so no other markup can get through", () => {
    expect(markedParts("<mark>Sen</mark>cha &amp; &lt;b&gt;Rice&lt;/b&gt;")).toEqual([
      { text: "Sen", marked: true },
      { text: "cha & <b>Rice</b>", marked: false },
    ]);
  });
});
