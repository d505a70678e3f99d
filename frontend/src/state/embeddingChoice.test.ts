import { describe, expect, it } from "vitest";
import type { EmbeddingInfo, RunsInfo } from "../api/types";
import { choicesOf, defaultEmbedding, filterChoices, shapeOf } from "./embeddingChoice";

const emb = (id: string, name: string, shape: [number, number], marked = false): EmbeddingInfo => ({
  id,
  run: "r0",
  name,
  shape,
  label_column: null,
  columns: [],
  sprite: null,
  default: marked,
});

const MINILM: RunsInfo = {
  source: "model.safetensors",
  runs: [
    {
      id: "r0",
      name: ".",
      embeddings: [
        emb("e0", "embeddings.position_embeddings.weight", [512, 384]),
        emb("e1", "embeddings.token_type_embeddings.weight", [2, 384]),
        emb("e2", "embeddings.word_embeddings.weight", [30_522, 384], true),
        emb("e3", "encoder.layer.0.attention.output.dense.weight", [384, 384]),
      ],
    },
  ],
};

describe("defaultEmbedding", () => {
  it("opens on the loader's default, not the first tensor", () => {
    expect(defaultEmbedding(MINILM)?.name).toBe("embeddings.word_embeddings.weight");
  });

  it("opens on the first when none is marked (an older server), and on nothing without embeddings", () => {
    const unmarked = { ...MINILM, runs: [{ ...MINILM.runs[0], embeddings: MINILM.runs[0].embeddings.map((e) => ({ ...e, default: undefined })) }] };
    expect(defaultEmbedding(unmarked)?.id).toBe("e0");
    expect(defaultEmbedding({ source: null, runs: [{ id: "r0", name: ".", embeddings: [] }] })).toBeNull();
  });
});

describe("the picker's words", () => {
  it("shows whole names and shapes", () => {
    const [first] = choicesOf(MINILM);
    expect(first).toMatchObject({ value: "r0/e0", run: "", emb: { name: "embeddings.position_embeddings.weight" } });
    expect(shapeOf(MINILM.runs[0].embeddings[2])).toBe("30,522 × 384");
  });

  it("filters by every word typed, in any case", () => {
    const all = choicesOf(MINILM);
    expect(filterChoices(all, "word").map((c) => c.emb.id)).toEqual(["e2"]);
    expect(filterChoices(all, "EMBEDDINGS weight").map((c) => c.emb.id)).toEqual(["e0", "e1", "e2"]);
    expect(filterChoices(all, "  ")).toHaveLength(4);
    expect(filterChoices(all, "nothing")).toEqual([]);
  });
});
