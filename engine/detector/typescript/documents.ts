import type ts from "typescript";

interface Document {
  version: number;
  /** The editor's text, when it differs from the disk's; undefined: the file on disk. */
  text?: string;
  snapshot?: ts.IScriptSnapshot;
}

/**
 * The texts the language service sees, each with a version that changes with its text so the service
 * reparses only what changed. A file is its disk contents until the editor's text replaces it.
 */
export class Documents {
  private readonly documents = new Map<string, Document>();

  constructor(private readonly typescript: typeof ts) {}

  version(fileName: string): string {
    return String(this.documents.get(fileName)?.version ?? 0);
  }

  /** The file's text as the service sees it, or undefined when it is neither open nor on disk. */
  text(fileName: string): string | undefined {
    const document = this.documents.get(fileName);
    if (document?.text !== undefined) return document.text;
    const snapshot = this.snapshot(fileName);
    return snapshot?.getText(0, snapshot.getLength());
  }

  /** The editor's text of the file, if it has one (for restoring it after a check). */
  editorText(fileName: string): string | undefined {
    return this.documents.get(fileName)?.text;
  }

  snapshot(fileName: string): ts.IScriptSnapshot | undefined {
    let document = this.documents.get(fileName);
    if (document?.snapshot) return document.snapshot;
    const text = document?.text ?? this.typescript.sys.readFile(fileName);
    if (text === undefined) return undefined;
    document ??= { version: 0 };
    document.snapshot = this.typescript.ScriptSnapshot.fromString(text);
    this.documents.set(fileName, document);
    return document.snapshot;
  }

  /** Sets the file's text (undefined: back to its disk contents), as a new version. */
  set(fileName: string, text: string | undefined): void {
    const version = (this.documents.get(fileName)?.version ?? 0) + 1;
    this.documents.set(fileName, text === undefined ? { version } : { version, text });
  }
}
