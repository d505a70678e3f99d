// Many points drawn as GL_POINTS sprites: one vertex per point, a round disc cut in the fragment shader. A software
// renderer (SwiftShader: CI, browsers without a GPU) runs deck.gl's instanced quads (ScatterplotLayer) instance by
// instance, ~10x slower than plain points (1,000,000 points: ~13 s against ~1.5 s a frame). Same binary attributes
// as the scatterplot (x, y, z float32 and RGBA bytes per point); not pickable (pick.ts picks on the CPU). With
// keepEvery = k > 1 it draws rows 0, k, 2k, ... only (the same buffers read with k times their stride): SwiftShader's
// cost is per vertex, so a software renderer draws such a sample while the camera moves (layers.ts movingStride).
import { Layer, color, project32, type DefaultProps, type LayerProps, type Position, type Color } from "@deck.gl/core";
import type { Accessor } from "@deck.gl/core";
import { Model } from "@luma.gl/engine";
import type { ShaderModule } from "@luma.gl/shadertools";

type SpriteProps = { radiusPixels: number };

const uniformBlock = `\
layout(std140) uniform pointSpritesUniforms {
  float radiusPixels;
} pointSprites;
`;

const pointSpritesUniforms = {
  name: "pointSprites",
  vs: uniformBlock,
  fs: uniformBlock,
  source: "",
  uniformTypes: { radiusPixels: "f32" },
} as const satisfies ShaderModule<SpriteProps>;

const vs = `\
#version 300 es
#define SHADER_NAME point-sprites-vertex-shader
in vec3 positions;
in vec4 colors;
out vec4 vColor;
void main(void) {
  geometry.worldPosition = positions;
  geometry.pickingColor = vec3(0.0);
  gl_Position = project_position_to_clipspace(positions, vec3(0.0), vec3(0.0), geometry.position);
  DECKGL_FILTER_GL_POSITION(gl_Position, geometry);
  gl_PointSize = (2.0 * pointSprites.radiusPixels + 1.0) * project.devicePixelRatio; // a pixel for the soft edge
  vColor = vec4(colors.rgb, colors.a * layer.opacity);
  DECKGL_FILTER_COLOR(vColor, geometry);
}
`;

const fs = `\
#version 300 es
#define SHADER_NAME point-sprites-fragment-shader
precision highp float;
in vec4 vColor;
out vec4 fragColor;
void main(void) {
  float outer = pointSprites.radiusPixels + 0.5;
  float r = length(gl_PointCoord * 2.0 - 1.0) * outer; // CSS pixels from the centre
  float inside = clamp(outer - r, 0.0, 1.0); // round, with a one-pixel soft edge
  if (inside == 0.0) discard;
  fragColor = vec4(vColor.rgb, vColor.a * inside);
  DECKGL_FILTER_COLOR(fragColor, geometry);
}
`;

type PointSpritesLayerProps = LayerProps & {
  data: unknown;
  radiusPixels?: number;
  keepEvery?: number; // draw one row in this many (1: all)
  getPosition?: Accessor<unknown, Position>;
  getFillColor?: Accessor<unknown, Color>;
};

const defaultProps: DefaultProps<PointSpritesLayerProps> = {
  radiusPixels: { type: "number", min: 0, value: 2 },
  keepEvery: { type: "number", min: 1, value: 1 },
  getPosition: { type: "accessor", value: (x: unknown) => (x as { position: Position }).position },
  getFillColor: { type: "accessor", value: [0, 0, 0, 255] },
};

export class PointSpritesLayer extends Layer<Required<PointSpritesLayerProps>> {
  static defaultProps = defaultProps;
  static layerName = "PointSpritesLayer";

  declare state: { model?: Model; every?: number }; // every: the row stride the model's buffer layout reads

  getShaders() {
    return super.getShaders({ vs, fs, modules: [project32, color, pointSpritesUniforms] });
  }

  initializeState() {
    this.getAttributeManager()!.add({
      positions: { size: 3, type: "float32", transition: true, accessor: "getPosition" },
      colors: { size: 4, type: "unorm8", transition: true, accessor: "getFillColor", defaultValue: [0, 0, 0, 255] },
    } as never);
    this.state.model = this.getModel();
  }

  private getModel(): Model {
    return new Model(this.context.device, {
      ...this.getShaders(),
      id: this.props.id,
      bufferLayout: this.getAttributeManager()!.getBufferLayouts({ isInstanced: false }),
      topology: "point-list",
      vertexCount: 0,
      isInstanced: false,
    });
  }

  updateAttributes(changed: Parameters<Layer["updateAttributes"]>[0]) {
    // New buffers (each frame of a glide) are bound under the model's current layout, strided or not; only a changed
    // attribute layout makes deck.gl set the plain layout again (one row apart), which `every` must then say.
    const relaid = Object.values(changed).some((attribute) => attribute.layoutChanged());
    super.updateAttributes(changed);
    if (relaid) this.state.every = 1;
  }

  draw() {
    const model = this.state.model;
    if (!model) return;
    const n = this.getNumInstances();
    const every = Math.max(1, Math.round(this.props.keepEvery));
    if (every !== this.state.every) {
      const manager = this.getAttributeManager()!;
      const layouts = manager.getBufferLayouts(model).map((layout) => ({
        ...layout,
        byteStride: (layout.byteStride ?? 0) * every,
      }));
      model.setBufferLayout(layouts);
      this._setModelAttributes(model, manager.getAttributes()); // every buffer bound again under the new layout
      this.state.every = every;
    }
    model.setVertexCount(Math.ceil(n / every));
    model.shaderInputs.setProps({ pointSprites: { radiusPixels: this.props.radiusPixels } });
    model.draw(this.context.renderPass);
  }
}
