/// <reference lib="dom" />
import type { Page } from "playwright-core";

/**
 * Times keystroke to ghost text inside the page, on the browser's clock: a capturing keydown
 * listener notes when the key arrived (the event's timestamp), and a MutationObserver on the
 * editors notes when the focused editor next shows ghost text after the keystroke removed the
 * previous one (or shows different ghost text). Nothing is sampled from Node, whose round trips to
 * the browser would add their own delay.
 */
export class GhostTextProbe {
  private constructor(private readonly page: Page) {}

  static async install(page: Page): Promise<GhostTextProbe> {
    // tsx compiles with esbuild's keepNames, which wraps the named functions below in a __name()
    // helper the page does not have: give it one that leaves the function as it is.
    await page.evaluate("globalThis.__name ??= (fn) => fn");
    await page.evaluate(() => {
      const ghostSelector =
        ".monaco-editor.focused .ghost-text-decoration, .monaco-editor.focused .ghost-text";
      const ghostText = (): string =>
        Array.from(document.querySelectorAll(ghostSelector))
          .map((element) => element.textContent)
          .join("");
      interface Pending {
        keydownAt?: number;
        before: string;
        gone: boolean;
        resolve: (ms: number) => void;
      }
      let pending: Pending | undefined;
      const check = (): void => {
        if (!pending || pending.keydownAt === undefined) return;
        const now = ghostText();
        if (now === "") {
          pending.gone = true;
          return;
        }
        if (pending.gone || now !== pending.before) {
          const ms = performance.now() - pending.keydownAt;
          const done = pending;
          pending = undefined;
          done.resolve(ms);
        }
      };
      document.addEventListener(
        "keydown",
        (event) => {
          if (pending && pending.keydownAt === undefined) pending.keydownAt = event.timeStamp;
        },
        true,
      );
      new MutationObserver(check).observe(document.body, {
        childList: true,
        subtree: true,
        characterData: true,
      });
      (window as unknown as { coopGhostProbe: unknown }).coopGhostProbe = {
        /** Starts a measurement: the next keydown starts the clock. */
        arm(): Promise<number> {
          return new Promise<number>((resolve) => {
            const before = ghostText();
            pending = { before, gone: before === "", resolve };
          });
        },
        text: ghostText,
      };
    });
    return new GhostTextProbe(page);
  }

  /** The ghost text shown now ("" when none). */
  text(): Promise<string> {
    return this.page.evaluate(() =>
      (window as unknown as { coopGhostProbe: { text(): string } }).coopGhostProbe.text(),
    );
  }

  /**
   * Presses `key` and returns the milliseconds until ghost text showed again, or undefined after the timeout.
   */
  async measure(key: string, timeoutMs = 10_000): Promise<number | undefined> {
    // Armed in the page before the key is sent; the promise is collected afterwards.
    await this.page.evaluate(() => {
      const probe = (
        window as unknown as { coopGhostProbe: { arm(): Promise<number>; result?: Promise<number> } }
      ).coopGhostProbe;
      probe.result = probe.arm();
    });
    await this.page.keyboard.press(key);
    return this.page.evaluate(
      (timeout) =>
        Promise.race([
          (window as unknown as { coopGhostProbe: { result: Promise<number> } }).coopGhostProbe.result,
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeout)),
        ]),
      timeoutMs,
    );
  }
}
