// The server's errors as sentences for people. The server's messages are written for programmers: they start with
// where (`field `left`: `), name Python parameters in backticks and end with the fix after a semicolon. The page says
// the same in the words of its own controls: "No label matches 'worst' (the Left pattern). Check the pattern and the
// column."
import type { ErrorBody } from "../api/types";

/** What the page calls each parameter the server may name (the field of its error, the names in backticks). */
const NAMES: Record<string, string> = {
  left: "the Left pattern",
  right: "the Right pattern",
  up: "the Up pattern",
  down: "the Down pattern",
  axes: "the PCA axes",
  n_components: "the number of dimensions",
  perplexity: "perplexity",
  n_iter: "iterations",
  learning_rate: "the learning rate",
  n_neighbors: "UMAP's neighbours",
  min_dist: "the minimum distance",
  random_state: "the seed",
  k: "the neighbour count",
  metric: "the distance",
  column: "the column",
  subset: "the isolated points",
  q: "the search text",
  regex: "Regex",
  spherize: "Spherize data",
  step: "the step",
  query: "the point",
};

const SIDE = /^`(left|right|up|down)` (?:pattern|regular expression) (.+) matches no value$/;

/** A parameter's name as the page says it (`params.perplexity` is perplexity). */
export function nameOf(field: string): string {
  const last = field.split(".").pop() ?? field;
  return NAMES[last] ?? last.replace(/_/g, " ");
}

/** A sentence's first letter up, unless it starts with a file name, a quoted value or a name such as t-SNE. */
function capital(text: string): string {
  const first = text.split(" ", 1)[0];
  if (/[./\\'"`A-Z]/.test(first) || !/^[a-z]/.test(text)) return text;
  return text[0].toUpperCase() + text.slice(1);
}

const stop = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** The error as one or two sentences; `column`: the metadata column the custom patterns are matched in. */
export function errorSentence(body: ErrorBody, { column }: { column?: string | null } = {}): string {
  let text = (body.message ?? "").trim() || body.kind.replace(/_/g, " ");
  const where = /^(?:field )?`([^`]*)`:\s*/.exec(text); // the field: the message names it again, or it is said here
  if (where) {
    text = text.slice(where[0].length);
    if (!text.includes("`")) text = `${nameOf(where[1])}: ${text[0]?.toLowerCase() ?? ""}${text.slice(1)}`;
  }
  const fix = body.fix?.trim() || null;
  if (fix && text.endsWith(`; ${fix}`)) text = text.slice(0, -fix.length - 2);
  const side = SIDE.exec(text);
  if (side) text = `No ${column || "value"} matches ${side[2]} (${nameOf(side[1])})`;
  text = text.replace(/`([^`]+)`/g, (_, name: string) => nameOf(name));
  text = stop(capital(text));
  return fix && !text.toLowerCase().includes(fix.toLowerCase()) ? `${text} ${stop(capital(fix))}` : text;
}
