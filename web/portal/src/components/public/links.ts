/** Addresses of the public pages, for server and client components alike. */

export function searchHref(q: string): string {
  return `/search?q=${encodeURIComponent(q)}`;
}
