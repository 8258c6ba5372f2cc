/**
 * Request bodies as Medusa (Express body-parser) reads them: JSON in strict mode (an object
 * or an array; an empty body is `{}`), form-urlencoded with nesting (`qs`), and text/plain as
 * a string (which then fails validation as Medusa's does). Other media types get a 415, and
 * so does a charset other than UTF-8; bytes that are not valid UTF-8 get a 400 (rather than
 * becoming U+FFFD and being stored).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import qs from "qs";

export class BodySyntaxError extends Error {
  readonly statusCode = 400;
}

export class UnsupportedMediaType extends Error {
  readonly statusCode = 415;
}

/** body-parser's strict JSON: only `{` or `[` may start the document, with its error texts. */
export function parseStrictJson(text: string): unknown {
  if (text.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.)/s.exec(text)?.[1];
  if (first !== "{" && first !== "[") throw strictSyntaxError(text, first);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodySyntaxError((error as Error).message);
  }
}

function strictSyntaxError(text: string, first: string | undefined): BodySyntaxError {
  const index = first === undefined ? -1 : text.indexOf(first);
  const partial = index === -1 ? "" : text.substring(0, index) + "#".repeat(text.length - index);
  try {
    JSON.parse(partial);
  } catch (error) {
    // The placeholder stands for the original text in JSON.parse's own message.
    return new BodySyntaxError((error as Error).message.replace(/#+/g, (run) => text.substring(index, index + run.length)));
  }
  return new BodySyntaxError("strict violation");
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The body as text: UTF-8 only, whatever the charset parameter claims, and valid. */
export function bodyText(contentType: string | undefined, body: Buffer): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new UnsupportedMediaType(`Unsupported charset "${charset.slice(0, 40)}": send the body in UTF-8`);
  }
  try {
    return UTF8.decode(body);
  } catch {
    throw new BodySyntaxError("The request body is not valid UTF-8 text");
  }
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  /** A parser of the body's text, with the charset and encoding checked first. */
  const fromText =
    (parse: (text: string) => unknown) =>
    (request: FastifyRequest, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
      try {
        done(null, parse(bodyText(request.headers["content-type"], body as Buffer)));
      } catch (error) {
        done(error as Error, undefined);
      }
    };
  const json = fromText(parseStrictJson);
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, json);
  app.addContentTypeParser(/^application\/[^;\s]+\+json/, { parseAs: "buffer" }, json);
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "buffer" },
    fromText((text) => qs.parse(text, { depth: 32, parameterLimit: 1000, arrayLimit: 100 })),
  );
  app.addContentTypeParser("text/plain", { parseAs: "buffer" }, fromText((text) => text));
  app.addContentTypeParser("*", (request, _payload, done) => {
    done(new UnsupportedMediaType(`Unsupported content type: ${request.headers["content-type"] ?? "none"}`), undefined);
  });
}
