import { demoCommand, demoUsage } from "./commands/demo.js";
import { mergeCommand, mergeUsage } from "./commands/merge.js";
import { variantsCommand, variantsUsage } from "./commands/variants.js";
import { describeError } from "../errors/index.js";

const usage = `Usage: coop <command> [options]

Commands:
${demoUsage}
${mergeUsage}
${variantsUsage}
  help
      Shows this text.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "demo":
      return demoCommand(rest);
    case "merge":
      return mergeCommand(rest);
    case "variants":
      return variantsCommand(rest);
    case undefined:
    case "help":
    case "--help":
      console.log(usage);
      return 0;
    default:
      console.error(`coop: unknown command '${command}'\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`coop: ${describeError(error)}`);
    process.exit(1);
  },
);
