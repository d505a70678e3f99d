import { describe, expect, it } from "vitest";
import { errorSentence, nameOf } from "./errorSentence";

describe("errorSentence", () => {
  it("says a custom pattern that matches nothing in the words of the panel", () => {
    const body = {
      kind: "parameter",
      message: "field `left`: `left` pattern 'worst' matches no value; check the pattern and the column",
      field: "left",
      fix: "check the pattern and the column",
    };
    expect(errorSentence(body, { column: "label" })).toBe(
      "No label matches 'worst' (the Left pattern). Check the pattern and the column.",
    );
    expect(errorSentence(body)).toMatch(/^No value matches 'worst'/);
  });

  it("drops the field prefix and names parameters as the page does", () => {
    expect(
      errorSentence({
        kind: "parameter",
        message: "field `perplexity`: `perplexity` must be a number from 1 to 1,000, got -3.0",
        field: "perplexity",
      }),
    ).toBe("Perplexity must be a number from 1 to 1,000, got -3.0.");
    expect(
      errorSentence({
        kind: "parameter",
        message: "field `axes`: `axes` must be 2 different components, got [1, 1]: a component on two axes draws a flat line",
        field: "axes",
      }),
    ).toBe("The PCA axes must be 2 different components, got [1, 1]: a component on two axes draws a flat line.");
  });

  it("reads a request validation error (dotted field)", () => {
    const body = { kind: "parameter", message: "`params.n_neighbors`: Input should be greater than 1, got 0", field: "params.n_neighbors" };
    expect(errorSentence(body)).toBe("UMAP's neighbours: input should be greater than 1, got 0.");
    expect(nameOf("params.n_neighbors")).toBe("UMAP's neighbours");
  });

  it("keeps a message that starts with a file name as it is, and the fix once", () => {
    const body = { kind: "metadata", message: "metadata.tsv has 11 lines for 10 vectors", fix: "remove the header row" };
    expect(errorSentence(body)).toBe("metadata.tsv has 11 lines for 10 vectors. Remove the header row.");
    const told = { kind: "x", message: "bad pattern; match the pattern as plain text", fix: "match the pattern as plain text" };
    expect(errorSentence(told)).toBe("Bad pattern. Match the pattern as plain text.");
  });

  it("falls back on the kind when there is no message", () => {
    expect(errorSentence({ kind: "too_large", message: " " })).toBe("Too large.");
  });
});
