/**
 * Word tables without a prototype. Prompt words index these tables, and a plain object would
 * answer "constructor" or "__proto__" with something inherited from Object.
 */
export function table<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
