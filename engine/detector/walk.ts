import type { SyntaxNode } from "../syntax/index.js";
import type { TreeCursor } from "web-tree-sitter";

export interface Ancestor {
  type: string;
  /** The field this ancestor occupies in its own parent. */
  field: string | null;
}

/**
 * Depth-first walk with a tree cursor (far cheaper than materialising every node in the wasm binding).
 * The visitor sees the cursor and the ancestors (nearest last); returning false skips the subtree.
 * leave() runs when a node is done, with the ancestors of that node.
 */
export function walkTree(
  root: SyntaxNode,
  visit: (cursor: TreeCursor, ancestors: Ancestor[]) => boolean | void,
  leave?: (cursor: TreeCursor, ancestors: Ancestor[]) => void,
): void {
  const cursor = root.walk();
  const ancestors: Ancestor[] = [];
  try {
    for (;;) {
      const descend = visit(cursor, ancestors) !== false;
      if (descend) {
        const entry = { type: cursor.nodeType, field: cursor.currentFieldName };
        if (cursor.gotoFirstChild()) {
          ancestors.push(entry);
          continue;
        }
      }
      leave?.(cursor, ancestors);
      for (;;) {
        if (cursor.gotoNextSibling()) break;
        if (!cursor.gotoParent()) return;
        ancestors.pop();
        leave?.(cursor, ancestors);
      }
    }
  } finally {
    cursor.delete();
  }
}
