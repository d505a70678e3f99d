// The page's modules import one way: no module reaches itself again through its imports (type-only imports, erased
// by the compiler, left out). A cycle makes the order modules start in matter, and hides which one owns what.
import { describe, expect, it } from "vitest";

const sources = import.meta.glob<string>(["./**/*.{ts,tsx}", "!./**/*.test.{ts,tsx}", "!./**/*.d.ts"], {
  query: "?raw",
  import: "default",
  eager: true,
});

const IMPORT = /^\s*(import|export)\s+(type\s+)?([^"';]*?\sfrom\s+)?["']([^"']+)["']/gm;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The module a relative specifier names, as a key of `sources` ("./state/store.ts"); null for packages. */
function resolve(from: string, spec: string, known: Set<string>): string | null {
  if (!spec.startsWith(".")) return null;
  const parts = from.split("/").slice(0, -1);
  for (const part of spec.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  const base = parts.join("/");
  return [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((p) => known.has(p)) ?? null;
}

/** What each module imports at run time. */
function importGraph(files: Record<string, string>): Map<string, string[]> {
  const known = new Set(Object.keys(files));
  const graph = new Map<string, string[]>();
  for (const [file, text] of Object.entries(files)) {
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      if (m[2]) continue; // import type / export type
      const target = resolve(file, m[4], known);
      if (target) targets.push(target);
    }
    for (const m of text.matchAll(DYNAMIC)) {
      const target = resolve(file, m[1], known);
      if (target) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle's modules (strongly connected components of more than one module, or a module importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("import cycles", () => {
  it("finds a cycle, and leaves type-only imports and packages out", () => {
    const graph = importGraph({
      "./a.ts": 'import { b } from "./b";\nimport type { C } from "./c";\nimport { h } from "preact";',
      "./b.ts": 'export { a } from "./a";',
      "./c.ts": 'import { a } from "./a";',
      "./d.tsx": 'const x = () => import("./e");',
      "./e.ts": 'import {\n  d,\n} from "./d";',
    });
    expect(cycles(graph)).toEqual([
      ["./a.ts", "./b.ts"],
      ["./d.tsx", "./e.ts"],
    ]);
  });

  it("finds none in the page's modules", () => {
    expect(Object.keys(sources)).toContain("./state/store.ts");
    expect(cycles(importGraph(sources))).toEqual([]);
  });
});
