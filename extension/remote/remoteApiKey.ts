import * as vscode from "vscode";
import { endpointProblem, normalizeEndpoint, type RemoteApiKey } from "../../engine/host/contract/index.js";
import { loadCatalog, remoteEndpointsOf, type Catalog } from "../../engine/catalog/index.js";
import { CoopError, coopErrorCodes, describeError } from "../../engine/errors/index.js";

/** SecretStorage keys: this prefix and the server's normalized URL. */
const secretPrefix = "coop.remoteApiKey:";

/**
 * The API keys of remote inference servers, in VS Code's SecretStorage (the OS keychain), one per
 * server URL. They are read only to hand them to the engine host in memory; they never go into a
 * setting, a catalog or a log line.
 */
export class RemoteApiKeys implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the server's URL when its key is stored or deleted (in this window or another). */
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((event) => {
      if (event.key.startsWith(secretPrefix)) this.changed.fire(event.key.slice(secretPrefix.length));
    });
  }

  async get(endpoint: string): Promise<string | undefined> {
    const normalized = normalizeEndpoint(endpoint);
    return normalized === undefined ? undefined : this.secrets.get(secretPrefix + normalized);
  }

  async store(endpoint: string, apiKey: string): Promise<void> {
    await this.secrets.store(secretPrefix + requireEndpoint(endpoint), apiKey);
  }

  async delete(endpoint: string): Promise<void> {
    await this.secrets.delete(secretPrefix + requireEndpoint(endpoint));
  }

  /** The keys stored for these servers (servers without one are left out), for the engine host. */
  async forEndpoints(endpoints: readonly string[]): Promise<RemoteApiKey[]> {
    const keys: RemoteApiKey[] = [];
    for (const endpoint of new Set(endpoints.flatMap((url) => normalizeEndpoint(url) ?? []))) {
      const apiKey = await this.secrets.get(secretPrefix + endpoint);
      if (apiKey) keys.push({ endpoint, apiKey });
    }
    return keys;
  }

  /**
   * The keys of the servers the catalog's variants run on. A catalog that cannot be read gives none:
   * loading the variant then reports what is wrong with it.
   */
  async forCatalog(catalogFiles: readonly string[]): Promise<RemoteApiKey[]> {
    let catalog: Catalog;
    try {
      catalog = await loadCatalog(catalogFiles);
    } catch {
      return [];
    }
    return this.forEndpoints(remoteEndpointsOf(catalog));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

interface ServerItem extends vscode.QuickPickItem {
  endpoint?: string;
}

/**
 * Coop: Set Remote Server API Key: pick a server of the catalog (or type another URL), then type its
 * key in a password box; an empty key deletes the stored one. Resolves with the server's URL when a
 * key was stored or deleted, undefined when cancelled.
 */
export async function setRemoteApiKey(
  keys: RemoteApiKeys,
  catalogFiles: readonly string[],
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  const endpoint = await pickServer(keys, catalogFiles, log);
  if (endpoint === undefined) return undefined;
  const stored = (await keys.get(endpoint)) !== undefined;
  const apiKey = await vscode.window.showInputBox({
    title: `Coop: API key for ${endpoint}`,
    prompt: `Kept in VS Code's secret storage, sent only to ${endpoint}.${stored ? " A key is stored: leave empty to delete it." : " Leave empty to keep none."}`,
    password: true,
    ignoreFocusOut: true,
  });
  if (apiKey === undefined) return undefined;
  if (apiKey.trim() === "") {
    if (!stored) return undefined;
    await keys.delete(endpoint);
    log.info(`Deleted the stored API key for ${endpoint}.`);
    void vscode.window.showInformationMessage(`Coop: the API key for ${endpoint} was deleted.`);
    return endpoint;
  }
  await keys.store(endpoint, apiKey.trim());
  log.info(`Stored an API key for ${endpoint}.`);
  void vscode.window.showInformationMessage(
    `Coop: the API key for ${endpoint} is stored; variants on that server use it from their next request.`,
  );
  return endpoint;
}

async function pickServer(
  keys: RemoteApiKeys,
  catalogFiles: readonly string[],
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  let catalog: Catalog | undefined;
  try {
    catalog = await loadCatalog(catalogFiles);
  } catch (error) {
    log.warn(`The model catalog could not be read, so its servers are not offered: ${describeError(error)}`);
  }
  const endpoints = catalog ? remoteEndpointsOf(catalog) : [];
  if (endpoints.length > 0) {
    const items: ServerItem[] = [];
    for (const endpoint of endpoints) {
      const variants = [...catalog!.variants.values()]
        .filter((variant) => variant.remote?.url === endpoint)
        .map((variant) => variant.id);
      items.push({
        label: endpoint,
        description: (await keys.get(endpoint)) !== undefined ? "key stored" : "no key",
        detail: `Variants: ${variants.join(", ")}`,
        endpoint,
      });
    }
    items.push({
      label: "Another server…",
      detail: "Type the URL of a server the catalog does not name (yet)",
    });
    const picked = await vscode.window.showQuickPick(items, {
      title: "Coop: Set Remote Server API Key",
      placeHolder: "The server the key is for",
    });
    if (!picked) return undefined;
    if (picked.endpoint) return picked.endpoint;
  }
  const typed = await vscode.window.showInputBox({
    title: "Coop: Set Remote Server API Key",
    prompt: "The server's URL, as in the remote.url of its variants in models.json",
    placeHolder: "http://gpu-box:8080",
    ignoreFocusOut: true,
    validateInput: (value) => {
      const problem = value.trim() === "" ? undefined : endpointProblem(value);
      return problem === undefined ? undefined : `Expected ${problem}`;
    },
  });
  if (typed === undefined || typed.trim() === "") return undefined;
  return normalizeEndpoint(typed);
}

/** A URL given to Coop: Set Remote Server API Key that is not a server Coop can keep a key for. */
export class ServerUrlError extends CoopError {
  constructor(endpoint: string) {
    super(
      coopErrorCodes.serverUrl,
      `Not a server URL Coop can keep a key for: expected ${endpointProblem(endpoint)}`,
    );
    this.name = "ServerUrlError";
  }
}

function requireEndpoint(endpoint: string): string {
  const normalized = normalizeEndpoint(endpoint);
  if (normalized === undefined) throw new ServerUrlError(endpoint);
  return normalized;
}
