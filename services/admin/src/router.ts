/**
 * Routes in the address's fragment (`/app/#/customers/cus_123`), so the service serves one
 * page for all of them and a reload or a shared link opens the same screen.
 */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const hash = window.location.hash.replace(/^#\/?/, "");
  const [path = "", query = ""] = hash.split("?", 2);
  return { path: path.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
}

/** The address of a screen: `href("customers", id)`, with a query when given. */
export function href(...parts: Array<string | URLSearchParams>): string {
  const query = parts.find((part): part is URLSearchParams => part instanceof URLSearchParams);
  const path = parts.filter((part): part is string => typeof part === "string").map(encodeURIComponent).join("/");
  const search = query?.toString();
  return `#/${path}${search ? `?${search}` : ""}`;
}

export function navigate(to: string): void {
  if (window.location.hash === to) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else window.location.hash = to;
}
