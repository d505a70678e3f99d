import { afterEach, describe, expect, it, vi } from "vitest";
import { type Camera, cameraView } from "./camera";

const CAM: Camera = { dims: 2, target: [1, 2, 0], zoom: 3 };

function holder() {
  let now: Camera = { dims: 2, target: [0, 0, 0], zoom: 0 };
  return {
    camera: () => now,
    setCamera: vi.fn((c: Camera) => (now = c)),
    resetView: vi.fn(),
    pan: vi.fn(),
    zoomBy: vi.fn(),
  };
}

afterEach(() => cameraView.attach(null));

describe("the camera seen from the state", () => {
  it("keeps a camera set before the view is loaded, and gives it to the view when it comes", () => {
    cameraView.attach(null);
    cameraView.set(CAM);
    expect(cameraView.get()).toEqual(CAM); // a URL written meanwhile keeps it
    const view = holder();
    cameraView.attach(view);
    expect(view.setCamera).toHaveBeenCalledWith(CAM);
    cameraView.attach(null);
    expect(cameraView.get()).toBeNull(); // given once
  });

  it("sets the view's camera directly once it is there", () => {
    const view = holder();
    cameraView.attach(view);
    cameraView.set(CAM);
    expect(view.setCamera).toHaveBeenCalledTimes(1);
    expect(cameraView.get()).toEqual(CAM);
  });
});
