// Uploading a metadata TSV (the data panel's "Load"): POST .../metadata as multipart, field `file`.
import { request } from "./http";
import type { EmbeddingInfo } from "./types";

/** Replace the embedding's metadata (in the server's memory) with the file; answers the embedding's new info. */
export async function uploadMetadata(run: string, tensor: string, file: Blob, filename: string): Promise<EmbeddingInfo> {
  const form = new FormData();
  form.append("file", file, filename);
  const path = `runs/${encodeURIComponent(run)}/embeddings/${encodeURIComponent(tensor)}/metadata`;
  return (await (await request(path, { method: "POST", body: form })).json()) as EmbeddingInfo;
}
