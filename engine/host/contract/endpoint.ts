/**
 * A server's base URL in one canonical spelling (scheme, lowercase host, port, path without a
 * trailing slash): the catalog stores it so, the extension keys its stored API keys by it, and the
 * engine looks the keys up by it. Undefined when `url` is not an http(s) URL, or carries credentials,
 * a query or a fragment (those never belong in a setting or a catalog).
 */
export function normalizeEndpoint(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
  if (parsed.username !== "" || parsed.password !== "" || parsed.search !== "" || parsed.hash !== "")
    return undefined;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, "")}`;
}

/** Why `url` is not an endpoint normalizeEndpoint() accepts, as the end of "expected …" in a message. */
export function endpointProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return "an http:// or https:// URL of the server, e.g. http://gpu-box:8080";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return "an http:// or https:// URL of the server, e.g. http://gpu-box:8080";
  if (parsed.username !== "" || parsed.password !== "")
    return 'a URL without a user name or password (store the API key with "Coop: Set Remote Server API Key")';
  if (parsed.search !== "" || parsed.hash !== "") return "a URL without a query or fragment";
  return undefined;
}
