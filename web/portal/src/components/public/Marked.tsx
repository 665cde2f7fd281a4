/**
 * Text the search API marked with <mark> (name_html, snippet_html, text_html), shown as React text: only the
 * <mark> tags become elements, every other character is text (no innerHTML, whatever the API sends).
 */

import type { ReactNode } from "react";

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", "#x27": "'" };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#39|#x27);/g, (_, name: string) => ENTITIES[name] ?? "");
}

/** The parts of `html`: [text, marked?] pairs, in order. */
export function markedParts(html: string): Array<{ text: string; marked: boolean }> {
  const parts: Array<{ text: string; marked: boolean }> = [];
  let marked = false;
  for (const piece of html.split(/(<\/?mark>)/)) {
    if (piece === "<mark>") marked = true;
    else if (piece === "</mark>") marked = false;
    else if (piece) parts.push({ text: decode(piece), marked });
  }
  return parts;
}

/** Plain text stays a string (no element to render and to send in the page's flight data); only marks are elements. */
export function Marked({ html }: { html: string }): ReactNode {
  return markedParts(html).map((part, index) => (part.marked ? <mark key={index}>{part.text}</mark> : part.text));
}
