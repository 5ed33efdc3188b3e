import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CooperativeEngine,
  RequestInputError,
  editorWindow,
  inputLimits,
  type EngineChatRequest,
  type EngineCompletionRequest,
  type VariantSpec,
} from "../../engine/host/index.js";
import { keepEnd, keepStart } from "../../engine/host/contract/inputLimits.js";
import { boundChatRequest, boundCompletionRequest } from "../../engine/pipeline/requestLimits.js";
import { testEngineHost } from "../support/engineHost.js";
import { fixtures } from "../support/fixtures.js";

const near = "export function total(items: number[]): number {\n  return items.";
const fiveMegabytes = "const filler = 1;\n".repeat(Math.ceil((5 * 1024 * 1024) / 18)) + near;

function completion(prefix: string, suffix = "\n}\n"): EngineCompletionRequest {
  return { document: "file:///shop/src/total.ts", path: "src/total.ts", prefix, suffix };
}

const mib = 1024 * 1024;

describe("input limits where requests enter the engine", () => {
  test("a prefix is trimmed from its start and a suffix from its end, keeping the text at the cursor, with the reason", () => {
    const suffix = "\n}\n" + "x".repeat(inputLimits.suffixChars);
    const { request, trimmed } = boundCompletionRequest(completion(fiveMegabytes, suffix));
    assert.equal(request.prefix.length, inputLimits.prefixChars);
    assert.ok(request.prefix.endsWith(near));
    assert.equal(request.suffix.length, inputLimits.suffixChars);
    assert.ok(request.suffix.startsWith("\n}\n"));
    assert.deepEqual(
      trimmed.map((trim) => trim.field),
      ["prefix", "suffix"],
    );
    assert.match(
      trimmed[0]!.reason,
      /the prefix had 5,242,\d{3} characters: only the last 32,000, nearest the cursor/,
    );
  });

  test("what the editor sends is within the limits: the engine trims nothing of it", () => {
    const { trimmed } = boundCompletionRequest(
      completion("a".repeat(editorWindow.prefixChars), "b".repeat(editorWindow.suffixChars)),
    );
    assert.deepEqual(trimmed, []);
  });

  test("trimming never splits a character made of two UTF-16 units", () => {
    assert.equal(keepEnd("a😀b", 2), "b"); // the end of 😀 alone would be half a character
    assert.equal(keepEnd("a😀b", 3), "😀b");
    assert.equal(keepStart("a😀b", 2), "a");
    assert.equal(keepStart("a😀b", 3), "a😀");
  });

  test("names and grammars over their limit, and text that is not text, are refused with the field named", () => {
    const long = "p".repeat(inputLimits.nameChars + 1);
    assert.throws(() => boundCompletionRequest({ ...completion("x"), path: long }), {
      name: "RequestInputError",
      message: /path has 4,097 characters; the engine takes at most 4,096/,
    });
    assert.throws(
      () => boundCompletionRequest({ ...completion("x"), grammar: "g".repeat(inputLimits.grammarChars + 1) }),
      (error: unknown) => error instanceof RequestInputError && error.field === "grammar",
    );
    assert.throws(() => boundCompletionRequest({ ...completion("x"), prefix: 5 as unknown as string }), {
      message: "The request's prefix must be text",
    });
    const chunks = Array.from({ length: 40 }, (_, index) => ({
      path: `c${index}.ts`,
      text: "y".repeat(20_000),
    }));
    const bounded = boundCompletionRequest({ ...completion("x"), chunks });
    assert.equal(bounded.request.chunks?.length, inputLimits.contextChunks);
    assert.ok(bounded.request.chunks.every((chunk) => chunk.text.length === inputLimits.contextChunkChars));
    assert.deepEqual(
      bounded.trimmed.map((trim) => trim.field),
      ["chunks"],
    );
  });

  test("a chat message over the limit is refused naming the limit; old turns and long attachments are trimmed", () => {
    const ask = (content: string, extra: Partial<EngineChatRequest> = {}) =>
      boundChatRequest({ messages: [{ role: "user", content }], ...extra });
    assert.throws(() => ask("q".repeat(inputLimits.messageChars + 1)), {
      name: "RequestInputError",
      message:
        "The question has 200,001 characters; the engine takes a message of at most 200,000. Shorten it.",
    });
    assert.doesNotThrow(() => ask("q".repeat(inputLimits.messageChars)));

    const turns = Array.from({ length: 10 }, (_, index) => ({
      role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: `${index}`.repeat(100_000),
    }));
    const history = boundChatRequest({ messages: [...turns, { role: "user", content: "and now?" }] });
    assert.equal(history.request.messages.at(-1)?.content, "and now?");
    assert.equal(history.request.messages.length, 5, "four earlier turns fit in 400,000 characters");
    assert.match(history.trimmed[0]!.reason, /the 6 oldest turns of the conversation were left out/);

    const attachment = { kind: "file" as const, path: "src/big.ts", text: "z".repeat(100_000) };
    const attached = ask("what is this?", { attachments: [attachment] });
    assert.equal(attached.request.attachments?.[0]?.text.length, inputLimits.attachmentChars);
    assert.match(attached.trimmed[0]!.reason, /src\/big.ts had 100,000 characters: only its first 60,000/);
    assert.throws(() => ask("what?", { attachments: Array.from({ length: 9 }, () => attachment) }), {
      message: "A question has 9 attachments; the engine takes at most 8",
    });
    // The request's shape is checked first, as before.
    assert.throws(() => boundChatRequest({ messages: [] }), { name: "ChatRequestError" });
  });
});

describe("the limits hold at the engine's entry", () => {
  test("at the pipeline's entry, an over-limit request is refused before anything else", async () => {
    const tooLong: EngineChatRequest = {
      messages: [{ role: "user", content: "q".repeat(inputLimits.messageChars + 1) }],
    };
    {
      const engine = new CooperativeEngine();
      try {
        // No variant is loaded: the refusal comes from the entry, not from a model.
        await assert.rejects(engine.chat(tooLong), { name: "RequestInputError", message: /at most 200,000/ });
        await assert.rejects(engine.complete({ ...completion("x"), document: "d".repeat(5000) }), {
          name: "RequestInputError",
        });
      } finally {
        await engine.dispose();
      }
    }
  });

  test("through the engine host, a 5 MB prefix is trimmed with the reason and the engine's memory does not balloon", async () => {
    const set = await fixtures();
    // A small context: the prompt the trimmed prefix fills is evaluated quickly.
    const variant: VariantSpec = {
      id: "coop-tiny",
      target: set.target,
      draft: set.draft,
      gpu: "cpu",
      contextSize: 512,
    };
    const host = testEngineHost();
    try {
      await host.loadVariant(variant);
      // The longest prefix taken whole: the model's buffers are at their full size before measuring.
      const whole = await host.complete({
        ...completion(keepEnd(fiveMegabytes, inputLimits.prefixChars)),
        maxTokens: 4,
      });
      assert.equal(whole.trimmedInput, undefined);
      const before = await host.memory();
      for (let round = 0; round < 3; round++) {
        const answer = await host.complete({ ...completion(`${round}${fiveMegabytes}`), maxTokens: 4 });
        assert.deepEqual(
          answer.trimmedInput?.map((trim) => trim.field),
          ["prefix"],
        );
        assert.match(
          answer.trimmedInput[0]?.reason ?? "",
          /the prefix had 5,242,\d{3} characters: only the last 32,000/,
        );
      }
      const grown = (await host.memory()).rssBytes - before.rssBytes;
      // Before the limits, one such prefix took the engine from 319 to 594 MiB, and kept it there.
      assert.ok(grown < 64 * mib, `the engine grew by ${(grown / mib).toFixed(0)} MiB`);
    } finally {
      await host.dispose();
    }
  });
});
