import { describe, expect, it } from "vitest";
import type { EmbeddingInfo } from "../api/types";
import { configBookmarksOf } from "./configBookmarks";

const emb = (config_bookmarks: unknown): EmbeddingInfo => ({
  id: "e0",
  run: "r0",
  name: "words",
  shape: [50, 8],
  label_column: "word",
  columns: [
    { name: "word", type: "string" },
    { name: "pos", type: "string", distinct: [{ value: "noun", count: 30 }, { value: "verb", count: 20 }] },
    { name: "freq", type: "numeric", min: 1, max: 900 },
  ],
  sprite: null,
  config_bookmarks,
});

// as TensorBoard's projector saves them (fields it writes that we do not use are kept to show they are ignored)
const PCA_3D = {
  label: "PCA of nouns",
  isSelected: false,
  selectedProjection: "pca",
  pcaComponentDimensions: [0, 2, 3],
  dataSetDimensions: [50, 8],
  selectedPoints: [1, 4, 9],
  selectedColorOptionName: "pos",
  selectedLabelOption: "word",
  cameraDef: { orthographic: false, position: { x: 1, y: 2, z: 3 }, target: { x: 0, y: 0, z: 0 }, zoom: 1 },
  projections: [{ "pca-0": 0.1, "pca-1": 0.2 }],
};

describe("configBookmarksOf", () => {
  it("maps a 3-D PCA state: components, selection, colour and label", () => {
    const [b] = configBookmarksOf(emb([PCA_3D]));
    expect(b.label).toBe("PCA of nouns");
    expect(b.doc).toEqual({
      embedding: { run: "r0", id: "e0" },
      projection: { method: "pca", dims: 3, axes: [0, 2, 3] },
      params: {},
      isolated: null,
      selection: [1, 4, 9],
      colorBy: "pos",
      colorMode: "category",
      labelBy: "word",
    });
  });

  it("maps t-SNE and UMAP with their dimensions and parameters", () => {
    const [tsne, umap] = configBookmarksOf(
      emb([
        {
          label: "t",
          selectedProjection: "tsne",
          tSNEis3d: false,
          tSNEPerplexity: 12,
          tSNEIteration: 300,
          tSNELearningRate: 50,
        },
        { label: "u", selectedProjection: "umap", umapIs3d: true, umapNeighbors: 8, pcaComponentDimensions: [0, 1] },
      ]),
    );
    expect(tsne.doc.projection).toMatchObject({ method: "tsne", dims: 2 });
    expect(tsne.doc.params).toEqual({ perplexity: 12, iterations: 300, learningRate: 50 });
    expect(umap.doc.projection).toMatchObject({ method: "umap", dims: 3 });
    expect(umap.doc.params).toEqual({ neighbors: 8 });
  });

  it("maps custom axes with their column, patterns and regex flag", () => {
    const [b] = configBookmarksOf(
      emb([
        {
          selectedProjection: "custom",
          customSelectedSearchByMetadataOption: "word",
          customXLeftText: "^man$",
          customXLeftRegex: true,
          customXRightText: "^woman$",
          customYUpText: "good",
          customYDownText: "",
        },
      ]),
    );
    expect(b.label).toBe("State 1");
    expect(b.doc.projection).toMatchObject({ method: "custom", dims: 2 });
    expect(b.doc.params).toEqual({ column: "word", left: "^man$", right: "^woman$", up: "good", down: "", regex: true });
  });

  it("turns one selected point into a clicked point, a numeric colour into a continuous one", () => {
    const [b] = configBookmarksOf(emb([{ selectedProjection: "pca", selectedPoints: [7], selectedColorOptionName: "freq" }]));
    expect(b.doc.focus).toBe(7);
    expect(b.doc.selection).toBeUndefined();
    expect(b.doc).toMatchObject({ colorBy: "freq", colorMode: "numeric", projection: { dims: 2, axes: [0, 1, 2] } });
  });

  it("drops what this data set does not have and skips entries that are not states", () => {
    const got = configBookmarksOf(
      emb([
        null,
        "a string",
        {
          selectedProjection: "lle",
          selectedPoints: [3, 99, 5, -1, 2.5],
          selectedColorOptionName: "No color map",
          selectedLabelOption: "gone",
        },
      ]),
    );
    expect(got).toHaveLength(1);
    expect(got[0].label).toBe("State 3");
    expect(got[0].doc).toMatchObject({ projection: { method: "pca" }, selection: [3, 5], colorBy: null });
    expect(got[0].doc.labelBy).toBeUndefined();
    expect(configBookmarksOf(emb({ not: "a list" }))).toEqual([]);
    expect(configBookmarksOf(emb(undefined))).toEqual([]);
    expect(configBookmarksOf(null)).toEqual([]);
  });
});
