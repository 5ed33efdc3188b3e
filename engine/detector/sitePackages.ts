import { join } from "node:path";
import { realRootSync } from "../workspace/index.js";
import { isDirectory, isFolderInside, safeReaddir } from "./dependencies.js";

const skippedFolders = new Set(["node_modules", ".git", "__pycache__", ".hg", ".svn"]);

/**
 * Folders named site-packages (virtualenvs such as .venv/lib/python3.x/site-packages) within a few levels of
 * the root; a symbolic link out of the root is not followed.
 */
export function findSitePackages(root: string, maxDepth = 5): string[] {
  const realRoot = realRootSync(root);
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    for (const entry of safeReaddir(dir)) {
      if (skippedFolders.has(entry)) continue;
      const path = join(dir, entry);
      if (!isFolderInside(realRoot, path)) continue;
      if (entry === "site-packages" || entry === "dist-packages") found.push(path);
      else if (depth < maxDepth) visit(path, depth + 1);
    }
  };
  visit(root, 1);
  return found;
}

/**
 * Top-level import names installed in a site-packages folder (packages, modules, compiled extensions) and
 * their paths.
 */
export function installedPythonModules(sitePackages: string): Map<string, string> {
  const modules = new Map<string, string>();
  for (const entry of safeReaddir(sitePackages)) {
    const path = join(sitePackages, entry);
    if (entry.endsWith(".dist-info") || entry.endsWith(".egg-info")) {
      continue;
    } else if (entry.endsWith(".py")) {
      modules.set(entry.slice(0, -3), path);
    } else if (/\.(so|pyd)$/.test(entry)) {
      modules.set(entry.split(".")[0]!, path);
    } else if (!entry.startsWith(".") && !entry.startsWith("_") && isDirectory(path)) {
      modules.set(entry, path);
    }
  }
  return modules;
}
