// io.kestra.plugin.core.http.Download: stream a response body into internal storage.
import { z } from "zod";
import { defineTask } from "../define.ts";
import { failUnlessAllowed, headerMap, requestProps, sendRequest } from "./client.ts";

/** The stored file's name: Content-Disposition's filename, else the URL's last segment. */
export function fileNameFor(url: string, disposition: string | null): string {
  const fromHeader = disposition && /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  let name = fromHeader ? decodeURIComponent(fromHeader) : decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  name = name.replace(/[\/\\\0]/g, "_").replace(/^\.+/, "");
  return name || "download";
}

export default defineTask({
  type: "io.kestra.plugin.core.http.Download",
  aliases: ["io.kestra.plugin.fs.http.Download"],
  description: "Download a file over HTTP into internal storage (streamed, never held in memory); outputs its kestra:/// URI.",
  schema: z.object({
    ...requestProps,
    failOnEmptyResponse: z.boolean().default(true).meta({ description: "Fail when the response body is empty" }),
  }),
  examples: [
    {
      title: "Download a CSV",
      code: "id: download\ntype: io.kestra.plugin.core.http.Download\nuri: https://example.com/data/orders.csv",
    },
  ],
  async run(ctx, p) {
    const sent = await sendRequest(ctx, p);
    try {
      const res = sent.response;
      if (res.status >= 400) failUnlessAllowed(res.status, sent.url, p.allowFailed || p.options?.allowFailed === true, await res.text().catch(() => ""));
      let length = 0;
      // Count bytes (and re-arm the read timeout) as they flow to storage.
      const counted = (res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })).pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, c) {
            sent.touch();
            length += chunk.byteLength;
            c.enqueue(chunk);
          },
        }),
      );
      const uri = await ctx.storage.put(fileNameFor(sent.url, res.headers.get("content-disposition")), counted);
      if (length === 0 && p.failOnEmptyResponse) {
        await ctx.storage.delete(uri);
        throw new Error(`empty response from ${sent.url} (failOnEmptyResponse)`);
      }
      ctx.logger.debug(`downloaded ${length} bytes from ${sent.url} to ${uri}`);
      return { uri, code: res.status, length, headers: headerMap(res.headers) };
    } finally {
      sent.done();
    }
  },
});
