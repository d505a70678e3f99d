// Selecting a ball in 3-D, as TensorBoard's projector does: the drag starts at the point under the pointer (or the
// spot at the camera target's depth) and its length is the ball's radius, measured at that depth.
import { distance, pointsInSphere, type Vec3 } from "./selection";

/** The last sphere selected (3-D): its centre and radius in normalised world units (for tests and the console). */
export interface Sphere {
  centre: Vec3;
  radius: number;
  picked: number | null; // the point under the pointer-down, when there was one
}

interface Viewport {
  project(xyz: number[]): number[];
  unproject(xyz: number[]): number[];
}

export class SphereSelect {
  private centre: { world: Vec3; depth: number; screen: [number, number]; picked: number | null } | null = null;
  last: Sphere | null = null;

  /** Start at (x, y): at point `picked` when there is one there, else at the depth of `target`. The centre on screen. */
  start(viewport: Viewport, positions: Float32Array, picked: number | null, target: number[], x: number, y: number): [number, number] {
    if (picked !== null) {
      const world: Vec3 = [positions[picked * 3], positions[picked * 3 + 1], positions[picked * 3 + 2]];
      const [sx, sy, depth] = viewport.project(world);
      this.centre = { world, depth, screen: [sx, sy], picked };
      return [sx, sy];
    }
    const depth = viewport.project(target)[2];
    const world = viewport.unproject([x, y, depth]);
    this.centre = { world: [world[0], world[1], world[2]], depth, screen: [x, y], picked: null };
    return [x, y];
  }

  /** The points inside the ball whose outline was drawn `pixels` wide around the centre. */
  done(viewport: Viewport, positions: Float32Array, n: number, pixels: number): number[] | null {
    const c = this.centre;
    if (!c) return null;
    const edge = viewport.unproject([c.screen[0] + pixels, c.screen[1], c.depth]);
    const radius = distance(edge, viewport.unproject([c.screen[0], c.screen[1], c.depth]));
    this.last = { centre: c.world, radius, picked: c.picked };
    return pointsInSphere(positions, n, c.world, radius);
  }
}
