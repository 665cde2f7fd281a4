/** A message's `{name}` placeholders filled from `values` (a name without a value stays as it is). */
export function fill(message: string, values?: Record<string, string>): string {
  return values ? message.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole) : message;
}
