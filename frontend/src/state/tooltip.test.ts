import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import type { EmbeddingInfo, SpriteInfo } from "../api/types";
import { rowOf, showValue, thumbnailOf } from "./tooltip";

// 8 x 8 thumbnails in a grid of 43 columns (the digits demo: 1,797 images)
const DIGITS: SpriteInfo = { single_image_dim: [8, 8], grid: [43, 42], image_size: [344, 336] };

describe("thumbnailOf", () => {
  it("cuts row-major thumbnails out of the sheet, scaled up to the box", () => {
    expect(thumbnailOf(DIGITS, 0)).toEqual({
      width: 64,
      height: 64,
      backgroundSize: "2752px 2688px",
      backgroundPosition: "0px 0px",
      scale: 8,
    });
    const t = thumbnailOf(DIGITS, 45); // row 1, column 2
    expect(t.backgroundPosition).toBe("-128px -64px");
  });

  it("keeps the aspect of wide thumbnails and scales big ones down", () => {
    const wide: SpriteInfo = { single_image_dim: [200, 100], grid: [3, 2], image_size: [600, 200] };
    const t = thumbnailOf(wide, 4, 64);
    expect([t.width, t.height]).toEqual([64, 32]);
    expect(t.backgroundPosition).toBe("-64px -32px");
    expect(t.backgroundSize).toBe("192px 64px");
  });
});

describe("showValue", () => {
  it("writes numbers, text and missing values readably", () => {
    expect(showValue(60000)).toBe("60,000");
    expect(showValue(0.123456789)).toBe("0.123457");
    expect(showValue("in")).toBe("in");
    expect(showValue(null)).toBe("—");
    expect(showValue("")).toBe("—");
  });
});

describe("rowOf", () => {
  afterEach(() => vi.restoreAllMocks());
  const emb = { run: "r", id: "e", columns: [{ name: "word", type: "string" }] } as EmbeddingInfo;

  it("asks the server once per row and again after a failure", async () => {
    const get = vi
      .spyOn(api, "metadataRow")
      .mockRejectedValueOnce(new Error("offline"))
      .mockResolvedValue({ word: "in" });
    await expect(rowOf(emb, 3)).rejects.toThrow("offline");
    expect(await rowOf(emb, 3)).toEqual({ word: "in" });
    expect(await rowOf(emb, 3)).toEqual({ word: "in" });
    expect(get).toHaveBeenCalledTimes(2);
    expect(get).toHaveBeenLastCalledWith("r", "e", 3);
  });
});
