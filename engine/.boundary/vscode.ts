// engine/'s tsconfig maps the module "vscode" to this file, so that any import of it under engine/
// fails the type-check with the reason below (the engine runs where there is no editor: CLI, tests,
// the engine host process). Declare what you need from the editor as an interface in engine/ and
// implement it in extension/.
export const vscodeIsNotAvailableInEngine: "engine/ must not import vscode: declare an interface in engine/ and implement it in extension/" =
  "imported";
