/**
 * What a suite's before() hook acquires, released by its after() hook newest first. before() adds the
 * release of each resource as soon as it has the resource, so when it fails partway after() releases
 * exactly what was acquired, never touching the variables left unassigned.
 */
export class Teardown {
  readonly #releases: (() => Promise<unknown> | void)[] = [];

  /** Registers the release of a resource just acquired. */
  add(release: () => Promise<unknown> | void): void {
    this.#releases.push(release);
  }

  /** Releases what was registered, the newest first, each once. */
  async run(): Promise<void> {
    for (let release = this.#releases.pop(); release !== undefined; release = this.#releases.pop())
      await release();
  }
}
