import { describe, expect, it } from "vitest";
import { type Figure, figureSVG, withDpi } from "./figure";

const figure: Figure = {
  width: 400,
  height: 300,
  background: "#ffffff",
  ink: "#111111",
  muted: "#666666",
  title: "Digits <UMAP> & co",
  radius: 3,
  points: [
    { x: 10, y: 20, color: [255, 0, 0, 255] },
    { x: 30, y: 40, color: [0, 0, 255, 100] },
  ],
  labels: [{ x: 50, y: 60, text: "sea, ship", size: 13, bold: true, anchor: "middle", halo: true }],
  legend: { title: "digit", entries: [{ label: "0", color: [1, 2, 3] }] },
  axes: { x: "left → right", y: "down → up" },
};

describe("figures", () => {
  it("write every part as SVG, text escaped", () => {
    const svg = figureSVG(figure);
    expect(svg.match(/<circle /g)?.length).toBe(3); // two points and the legend's swatch
    expect(svg).toContain('fill="rgb(0,0,255)" fill-opacity="0.39"');
    expect(svg).toContain("Digits &lt;UMAP&gt; &amp; co");
    expect(svg.match(/sea, ship/g)?.length).toBe(2); // the halo and the text
    expect(svg).toContain(">digit</text>");
    expect(svg).toContain("left → right");
  });

  it("put a pHYs chunk with the resolution after the PNG header", () => {
    const ihdr = new Uint8Array(33); // signature (8) + length, type, 13 bytes, CRC
    ihdr.set([137, 80, 78, 71, 13, 10, 26, 10]);
    const png = withDpi(new Uint8Array([...ihdr, 1, 2, 3]), 300);
    expect(png.length).toBe(36 + 21);
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe("pHYs");
    const view = new DataView(png.buffer);
    expect(view.getUint32(41)).toBe(11811); // 300 per inch, per metre
    expect(png[49]).toBe(1);
    expect(Array.from(png.subarray(54))).toEqual([1, 2, 3]);
  });
});
