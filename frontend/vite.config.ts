// Builds the page into the Python package (src/embedscope/web/), which `embedscope serve` serves at /.
// `npm run dev` proxies the API to a server started with `embedscope serve DATA --port 6006`.
import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const target = process.env.EMBEDSCOPE_URL ?? "http://127.0.0.1:6006";

// Which vendor chunk a package goes to: WebGL and maths (luma.gl and below), deck.gl's layers and controllers on top,
// Arrow for metadata columns. Lower layers never import higher ones, so the chunks import each other without cycles.
const CHUNK_OF: Record<string, string> = {
  "@luma.gl": "luma",
  "@math.gl": "luma",
  "@probe.gl": "luma",
  "gl-matrix": "luma",
  "@deck.gl": "deck",
  "@loaders.gl": "deck",
  "@mapbox": "deck",
  "mjolnir.js": "deck",
  earcut: "deck",
  "apache-arrow": "arrow",
  flatbuffers: "arrow",
  tslib: "arrow",
  "json-with-bigint": "arrow",
  preact: "preact",
};

const OUT_DIR = fileURLToPath(new URL("../src/embedscope/web", import.meta.url));

/** The server's interactive API page (/docs) from files shipped with the page, so it works offline: Swagger UI. */
function apiDocsAssets(): Plugin {
  const files = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"];
  return {
    name: "embedscope-api-docs-assets",
    apply: "build",
    closeBundle() {
      const from = fileURLToPath(new URL("./node_modules/swagger-ui-dist/", import.meta.url));
      mkdirSync(`${OUT_DIR}/api-docs`, { recursive: true });
      for (const file of files) copyFileSync(`${from}${file}`, `${OUT_DIR}/api-docs/${file}`);
    },
  };
}

export default defineConfig({
  base: "./",
  plugins: [apiDocsAssets()],
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    rollupOptions: {
      output: {
        // Vendor code in a few chunks of its own: the app's chunk stays small, a new release of the page reuses the
        // cached vendor files, and index.html fetches them all at once (modulepreload).
        manualChunks(id: string) {
          // Vite's loader of the lazy chunks (the plot, Arrow): with the first chunk's code, not in luma.gl's (which
          // also uses it), so the page's first load does not wait for luma.gl
          if (id.includes("vite/preload-helper")) return "preact";
          const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id)?.[1];
          return pkg === undefined ? undefined : CHUNK_OF[pkg] ?? CHUNK_OF[pkg.split("/")[0]] ?? "vendor";
        },
      },
    },
  },
  server: {
    proxy: { "/api": { target, ws: true, changeOrigin: false } },
  },
});
