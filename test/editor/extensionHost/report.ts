/**
 * Set by the runners: where run() writes a JSON summary of each test (the extension host's stdout may go
 * nowhere).
 */
export const reportEnvVariable = "COOP_EXTENSION_TESTS_REPORT";

export interface ExtensionTestReport {
  tests: { title: string; passed: boolean; ms: number; error?: string }[];
}
