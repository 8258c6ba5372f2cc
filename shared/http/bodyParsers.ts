/**
 * Request bodies as Medusa (Express body-parser) reads them: JSON in strict mode (an object
 * or an array; an empty body is `{}`), form-urlencoded with nesting (`qs`), and text/plain as
 * a string (which then fails validation as Medusa's does). Other media types get a 415.
 */
import type { FastifyInstance } from "fastify";
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

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const json = (_request: unknown, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => {
    try {
      done(null, parseStrictJson(body.toString()));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
  app.addContentTypeParser("application/json", { parseAs: "string" }, json);
  app.addContentTypeParser(/^application\/[^;\s]+\+json/, { parseAs: "string" }, json);
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) => {
    done(null, qs.parse(body.toString(), { depth: 32, parameterLimit: 1000, arrayLimit: 100 }));
  });
  app.addContentTypeParser("text/plain", { parseAs: "string" }, (_request, body, done) => done(null, body.toString()));
  app.addContentTypeParser("*", (request, _payload, done) => {
    done(new UnsupportedMediaType(`Unsupported content type: ${request.headers["content-type"] ?? "none"}`), undefined);
  });
}
