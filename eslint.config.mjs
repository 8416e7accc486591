// Lint rules for splai-release: typescript-eslint's recommended set, no Outputs in template literals, `??` over `||` for defaults.
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".state/**",
      "bin/**",
      "test/fixtures/**",
      "**/*.mjs",
      "tools/toolchain/recipes/**",
      "program.js",
      "step.js",
      "ts-loader.js",
      "policy/pack.js",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/prefer-nullish-coalescing": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-require-imports": "off",
      // Service hooks share one async signature whether or not a given one awaits.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // node:test's describe/it return promises the runner itself awaits.
    files: ["test/**/*.ts", "**/*.test.ts"],
    rules: { "@typescript-eslint/no-floating-promises": "off" },
  },
);
