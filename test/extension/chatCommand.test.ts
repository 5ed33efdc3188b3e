import assert from "node:assert/strict";
import { test } from "node:test";
import { fenceTagFor, parseChatCommand } from "../../extension/chat/chatCommand.js";

test("/code asks for a code-only answer; other text is a plain question", () => {
  assert.deepEqual(parseChatCommand("/code a function that sums prices"), {
    question: "a function that sums prices",
    codeOnly: true,
  });
  assert.deepEqual(parseChatCommand("  /code\n  sort the list"), {
    question: "sort the list",
    codeOnly: true,
  });
  assert.equal(parseChatCommand("/code").codeOnly, true);
  assert.ok(parseChatCommand("/code").question.length > 0, "a bare /code still asks something");
  assert.deepEqual(parseChatCommand("/codebase question"), {
    question: "/codebase question",
    codeOnly: false,
  });
  assert.deepEqual(parseChatCommand("What does /code do?"), {
    question: "What does /code do?",
    codeOnly: false,
  });
});

test("VS Code language ids become fence tags the engine accepts", () => {
  assert.equal(fenceTagFor("typescript"), "typescript");
  assert.equal(fenceTagFor("typescriptreact"), "tsx");
  assert.equal(fenceTagFor("cpp"), "cpp");
  assert.equal(fenceTagFor(undefined), "text");
  assert.equal(fenceTagFor("weird lang!"), "text");
});
