import { defineConfig } from "vitest/config";

// The built files are committed and CI rebuilds and diffs them, so names are fixed (no hashes)
// and nothing time- or machine-dependent goes into the output. Paths are relative to frontend/.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: "../static/annotator",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: { annotate: "src/main.ts", dashboard: "src/dashboard.ts", review: "src/review.ts" },
      formats: ["es"],
      fileName: (_format, name) => `${name}.js`,
      cssFileName: "annotate",
    },
    // The annotation and review pages share their drawing modules: one chunk, with a fixed name.
    rollupOptions: { output: { chunkFileNames: "shared-[name].js" } },
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
