import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Finding } from "../../engine/detector/index.js";
import {
  answerConfidence,
  decideEscalation,
  routeRequest,
  type RouteInput,
} from "../../engine/ensemble/index.js";

const base: RouteInput = {
  kind: "inline-single-line",
  contextTokens: 200,
  preference: "balanced",
  target: "loaded",
  draftAvailable: true,
};

function finding(kind: Finding["kind"], name: string): Finding {
  return { kind, name, span: { start: 0, end: name.length }, evidence: "test", suggestions: [] };
}

describe("the router", () => {
  test("serves from the draft while the target loads, and says so", () => {
    for (const kind of ["inline-single-line", "inline-multi-line", "chat"] as const) {
      for (const preference of ["speed", "balanced", "quality"] as const) {
        const decision = routeRequest({ ...base, kind, preference, target: "loading" });
        assert.equal(decision.route, "draft");
        assert.equal(decision.draftWhileTargetLoads, true);
      }
    }
    const noDraft = routeRequest({ ...base, target: "loading", draftAvailable: false });
    assert.deepEqual([noDraft.route, noDraft.draftWhileTargetLoads], ["target", false]);
  });

  test("the target answers chat, quality, and any request of a variant without a draft", () => {
    assert.equal(routeRequest({ ...base, kind: "chat", preference: "speed" }).route, "target");
    assert.equal(routeRequest({ ...base, preference: "quality" }).route, "target");
    assert.equal(routeRequest({ ...base, preference: "speed", draftAvailable: false }).route, "target");
  });

  test("balanced: a cascade for one short line, the target for multi-line or long context", () => {
    assert.equal(routeRequest(base).route, "cascade");
    assert.equal(routeRequest({ ...base, kind: "inline-multi-line" }).route, "target");
    assert.equal(routeRequest({ ...base, contextTokens: 1025 }).route, "target");
    assert.equal(
      routeRequest({ ...base, contextTokens: 1025 }, { longContextTokens: 2048 }).route,
      "cascade",
    );
  });

  test("speed: the draft alone for one short line, a cascade otherwise", () => {
    const speed = { ...base, preference: "speed" as const };
    const alone = routeRequest(speed);
    assert.deepEqual([alone.route, alone.draftWhileTargetLoads], ["draft", false]);
    assert.equal(routeRequest({ ...speed, kind: "inline-multi-line" }).route, "cascade");
    assert.equal(routeRequest({ ...speed, contextTokens: 5000 }).route, "cascade");
  });
});

describe("the escalation decision", () => {
  test("the answer's confidence is the geometric mean of its tokens' probabilities", () => {
    assert.equal(answerConfidence([]), 1);
    assert.ok(Math.abs(answerConfidence([0.5, 0.125]) - 0.25) < 1e-12);
    assert.ok(answerConfidence([1, 0]) < 1e-100);
  });

  test("escalates exactly when the answer is empty, the detector flags it, or its confidence is below the threshold", () => {
    const sure = [0.9, 0.8, 0.95];
    const unsure = [0.2, 0.1, 0.3];
    assert.deepEqual(
      decideEscalation({ text: "x + 1", tokenProbabilities: sure, findings: [], minConfidence: 0.3 })
        .escalate,
      false,
    );
    assert.equal(
      decideEscalation({ text: "  ", tokenProbabilities: sure, findings: [], minConfidence: 0.3 }).reason,
      "empty",
    );
    assert.equal(
      decideEscalation({
        text: "x + 1",
        tokenProbabilities: sure,
        findings: [finding("unknownSymbol", "x")],
        minConfidence: 0.3,
      }).reason,
      "detector",
    );
    assert.equal(
      decideEscalation({ text: "x + 1", tokenProbabilities: unsure, findings: [], minConfidence: 0.3 })
        .reason,
      "lowConfidence",
    );
    // A low-confidence finding is not a certain one: it alone does not escalate a confident answer.
    assert.equal(
      decideEscalation({
        text: "x + 1",
        tokenProbabilities: sure,
        findings: [finding("lowConfidence", "x")],
        minConfidence: 0.3,
      }).escalate,
      false,
    );
    assert.equal(
      decideEscalation({ text: "x", tokenProbabilities: [0.31], findings: [], minConfidence: 0.3 }).escalate,
      false,
    );
    assert.equal(
      decideEscalation({ text: "x", tokenProbabilities: [0.29], findings: [], minConfidence: 0.3 }).escalate,
      true,
    );
  });
});
