import manifest from "../../package.json" with { type: "json" };

/** What a request asks for, as the router sees it. */
export type RequestKind = "inline-single-line" | "inline-multi-line" | "chat";

/** The workspace's trade-off between answering fast and answering with the strongest model. */
export type SpeedQuality = "speed" | "balanced" | "quality";

/** Whether the variant's target model can answer yet. */
export type TargetState = "loaded" | "loading";

export interface RouteInput {
  kind: RequestKind;
  /** Tokens of context the request brings (prompt before generation). */
  contextTokens: number;
  preference: SpeedQuality;
  target: TargetState;
  /** Whether the variant has a draft model ready to answer on its own. */
  draftAvailable: boolean;
}

/**
 * draft: the draft alone answers. cascade: the draft answers first and the target takes over when the
 * answer is flagged or unsure. target: the target answers, with the draft speculating when there is one
 * (lossless: the same text as the target alone).
 */
export type Route = "draft" | "cascade" | "target";

export interface RouteDecision {
  route: Route;
  /** Served from the draft only because the target is still loading: the user should be told. */
  draftWhileTargetLoads: boolean;
  /** Why, in a few words (for the log and "Explain Last Suggestion"). */
  reason: string;
}

export interface RouterOptions {
  /**
   * Above this many context tokens the draft is not trusted to answer first: a small model uses a long
   * context worse, and a cascade that escalates pays for the long prompt twice.
   */
  longContextTokens: number;
}

/** coop.ensemble.longContextTokens's default in package.json, for callers that do not pass one. */
export const defaultRouterOptions: RouterOptions = {
  longContextTokens: manifest.contributes.configuration.properties["coop.ensemble.longContextTokens"].default,
};

/**
 * Picks the model per request before inference. The target answers whenever it can unless the
 * setting favours speed for short inline work; while it loads the draft answers rather than nothing.
 */
export function routeRequest(
  input: RouteInput,
  options: RouterOptions = defaultRouterOptions,
): RouteDecision {
  if (input.target === "loading") {
    if (input.draftAvailable)
      return {
        route: "draft",
        draftWhileTargetLoads: true,
        reason: "the target model is still loading; the draft answers meanwhile",
      };
    return {
      route: "target",
      draftWhileTargetLoads: false,
      reason: "the target model is loading and there is no draft: waiting for it",
    };
  }
  const decide = (route: Route, reason: string): RouteDecision => ({
    route,
    draftWhileTargetLoads: false,
    reason,
  });
  if (!input.draftAvailable) return decide("target", "the variant has no draft model");
  if (input.kind === "chat")
    return decide("target", "chat answers come from the target (the draft speculates)");
  if (input.preference === "quality")
    return decide("target", "the quality setting: the target answers (the draft speculates)");
  const longContext = input.contextTokens > options.longContextTokens;
  if (input.preference === "speed") {
    if (input.kind === "inline-single-line" && !longContext)
      return decide("draft", "speed setting, one line, short context: the draft alone");
    return decide(
      "cascade",
      "speed setting: the draft first, the target when its answer is flagged or unsure",
    );
  }
  if (input.kind === "inline-single-line" && !longContext)
    return decide(
      "cascade",
      "one line, short context: the draft first, the target when its answer is flagged or unsure",
    );
  return decide(
    "target",
    longContext
      ? "long context: the target answers (the draft speculates)"
      : "multi-line: the target answers (the draft speculates)",
  );
}
