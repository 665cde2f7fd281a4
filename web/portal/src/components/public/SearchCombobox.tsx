"use client";

/**
 * The marketplace search box: a plain GET form to /search (it works without JavaScript), enhanced with
 * suggestions from the autocomplete API as one types (debounced, through the BFF, no session needed).
 *
 * The ARIA 1.2 combobox pattern: the input is a combobox that controls a listbox; Down/Up move through the
 * options (the active one is aria-activedescendant, focus stays in the input), Enter searches for the active
 * option (or submits what was typed), Escape closes the list (and clears the input when it is already closed).
 */

import { createControlPlaneClient } from "@tenantry/api-client";
import { useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, useEffect, useId, useMemo, useState } from "react";

import { searchHref } from "@/components/public/links";
import { Marked } from "@/components/public/Marked";
import { BFF_BASE } from "@/lib/browser-api";
import { useT } from "@tenantry/i18n/client";

export const DEBOUNCE_MS = 200;
const MIN_LENGTH = 2;
const LIMIT = 8;

export interface SearchComboboxProps {
  /** What the box holds at first (the results page passes its query). */
  initial?: string;
  /** The BFF's origin: "" (the page's own) but in tests. */
  bffUrl?: string;
  /** Where to go to search for `q`; by default, load /search?q=… */
  onSearch?: (q: string) => void;
  /** The input's id (a page may have two boxes). */
  id?: string;
}

function useDebounced(value: string, delay: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

export function SearchCombobox({ initial = "", bffUrl = "", onSearch, id }: SearchComboboxProps) {
  const t = useT();
  const generated = useId();
  const inputId = id ?? `search-${generated}`;
  const listId = `${inputId}-list`;
  const api = useMemo(() => createControlPlaneClient(`${bffUrl}${BFF_BASE}`, () => null), [bffUrl]);
  const [text, setText] = useState(initial);
  // Suggestions only once the box was typed in: the results page's box holds its query, and asking for its
  // suggestions on every page load would cost the API (and the portal's BFF) a call per view that nobody sees.
  const [typedIn, setTypedIn] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const typed = text.trim();
  const settled = useDebounced(typed, DEBOUNCE_MS);
  const go = onSearch ?? ((q: string) => window.location.assign(searchHref(q)));

  const suggestions = useQuery({
    queryKey: ["search-autocomplete", settled],
    queryFn: async ({ signal }) => {
      const { data } = await api.GET("/api/v1/search/autocomplete/", {
        params: { query: { q: settled, limit: LIMIT } },
        signal,
      });
      return data?.suggestions ?? [];
    },
    enabled: typedIn && settled.length >= MIN_LENGTH && settled === typed, // not the stale text while typing on
    staleTime: 60_000,
    retry: false, // the next key asks again; a stale suggestion is worth less than a quick "unavailable"
  });

  const options = typedIn && settled.length >= MIN_LENGTH && settled === typed ? (suggestions.data ?? []) : [];
  const expanded = open && options.length > 0;
  useEffect(() => setActive(-1), [settled]);

  function pick(index: number) {
    const option = options[index];
    if (!option) return;
    setText(option.text);
    setOpen(false);
    go(option.text);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!options.length) return;
      setOpen(true);
      setActive((index) => (index + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (!options.length) return;
      setOpen(true);
      setActive((index) => (index <= 0 ? options.length - 1 : index - 1));
    } else if (event.key === "Enter") {
      if (expanded && active >= 0) {
        event.preventDefault();
        pick(active);
      }
      // else: the form submits what was typed
    } else if (event.key === "Escape") {
      if (expanded) {
        event.preventDefault();
        setOpen(false);
        setActive(-1);
      } else if (text) {
        event.preventDefault();
        setText("");
      }
    }
  }

  let status = "";
  if (open && typedIn && settled.length >= MIN_LENGTH && settled === typed) {
    if (suggestions.isError) status = t("public.suggestionsDown");
    else if (suggestions.isSuccess)
      status =
        options.length === 0
          ? t("public.noSuggestions")
          : options.length === 1
            ? t("public.suggestionOne")
            : t("public.suggestionCount", { count: String(options.length) });
  }

  return (
    <form className="search-box" role="search" method="get" action="/search">
      <label htmlFor={inputId}>{t("public.searchLabel")}</label>
      <div className="search-row">
        <div className="combobox">
          <input
            id={inputId}
            name="q"
            type="search"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={expanded}
            aria-controls={listId}
            aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
            autoComplete="off"
            required
            maxLength={200}
            placeholder={t("public.searchPlaceholder")}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setTypedIn(true);
              setOpen(true);
            }}
            onFocus={() => setOpen(true)}
            onBlur={() => setOpen(false)}
            onKeyDown={onKeyDown}
          />
          <ul id={listId} role="listbox" aria-label={t("public.suggestions")} className="suggestions" hidden={!expanded}>
            {options.map((option, index) => (
              <li
                key={`${option.kind}-${option.tenant?.slug ?? ""}-${option.text}`}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={index === active}
                className={index === active ? "active" : undefined}
                // mousedown, not click: the input keeps focus (its blur would close the list first)
                onMouseDown={(event) => {
                  event.preventDefault();
                  pick(index);
                }}
                onMouseMove={() => setActive(index)}
              >
                <span>
                  <Marked html={option.text_html} />
                </span>
                {option.kind === "tenant" ? (
                  <span className="muted"> · {t("public.suggestionStore")}</span>
                ) : option.tenant ? (
                  <span className="muted"> · {option.tenant.name}</span>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
        <button type="submit">{t("public.searchSubmit")}</button>
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
    </form>
  );
}
