// Uploading a metadata TSV (the data panel's "Load"): POST .../metadata as multipart, field `file`.
import { ApiError, CANNOT_REACH, apiUrl, connection } from "./client";
import type { EmbeddingInfo, ErrorBody } from "./types";

export { errorText } from "./client"; // one readable line for every server error (ApiError's message)

/** Replace the embedding's metadata (in the server's memory) with the file; answers the embedding's new info. */
export async function uploadMetadata(run: string, tensor: string, file: Blob, filename: string): Promise<EmbeddingInfo> {
  const form = new FormData();
  form.append("file", file, filename);
  const path = `runs/${encodeURIComponent(run)}/embeddings/${encodeURIComponent(tensor)}/metadata`;
  let response: Response;
  try {
    response = await fetch(apiUrl(path), { method: "POST", body: form });
  } catch (err) {
    connection.lost();
    throw new ApiError(0, { kind: "connection", message: `${CANNOT_REACH}: ${String(err)}` });
  }
  connection.alive();
  if (!response.ok) {
    let body: ErrorBody = { kind: "http", message: `${response.status} ${response.statusText}` };
    if (response.status === 413) body = { kind: "too_large", message: "the file is larger than the server accepts" };
    try {
      const json = await response.json();
      if (json && json.error) body = json.error as ErrorBody;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, body);
  }
  return (await response.json()) as EmbeddingInfo;
}
