import { describe, expect, it } from "vitest";
import { homeView, panned, parseCamera, viewOf, zoomed } from "./camera";
import { pointsInScreenBox, pointsInSphere, pointsInWorldBox } from "./selection";

const positions = new Float32Array([0, 0, 0, 0.5, 0, 0, 0, 0, 0.9, Number.NaN, Number.NaN, Number.NaN, -1, 1, 0]);

describe("selection shapes", () => {
  it("a sphere holds the points within its radius, in all three axes", () => {
    expect(pointsInSphere(positions, 5, [0, 0, 0], 0.6)).toEqual([0, 1]);
    expect(pointsInSphere(positions, 5, [0, 0, 0], 1)).toEqual([0, 1, 2]);
    expect(pointsInSphere(positions, 5, [0, 0, 0.9], 0.1)).toEqual([2]);
  });
  it("a world box uses x and y only, whichever corners", () => {
    expect(pointsInWorldBox(positions, 5, [0.6, 0.1], [-0.1, -0.1])).toEqual([0, 1, 2]);
  });
  it("a screen box projects each drawn point", () => {
    const project = ([x, y]: number[]) => [x * 100 + 100, 100 - y * 100];
    expect(pointsInScreenBox(positions, 5, [0, 0, 50, 50], project)).toEqual([4]);
  });
});

describe("the camera", () => {
  it("reads only complete, finite cameras", () => {
    expect(parseCamera({ dims: 2, target: [0, 0, 0], zoom: 3 })).toEqual({ dims: 2, target: [0, 0, 0], zoom: 3 });
    expect(parseCamera({ dims: 3, target: [0, 0, 0], zoom: 3 })).toBeNull(); // no rotation
    expect(parseCamera({ dims: 2, target: [0, 0], zoom: 3 })).toBeNull();
    expect(parseCamera({ dims: 2, target: [0, 0, 0], zoom: Number.NaN })).toBeNull();
  });
  it("keeps the zoom within the home view's limits", () => {
    const home = homeView(2, 800, 600);
    expect(viewOf({ dims: 2, target: [1, 2, 0], zoom: 99 }, home).zoom).toBe(home.maxZoom);
    expect(zoomed(home, 2).zoom).toBeCloseTo(home.zoom + 1);
  });
  it("pans by the world distance of the screen step", () => {
    const view = { target: [0, 0, 0], zoom: 1 };
    const moved = panned(view, 10, -20, ([x, y]) => [x / 10, y / 10, 0], [50, 50]);
    expect(moved.target).toEqual([1, -2, 0]);
  });
});
