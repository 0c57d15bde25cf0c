/**
 * Where credentials sit in a URI, found tolerantly. A password filled in from `${VAR}`
 * often holds `/ # ? @ :`, which WHATWG URL parsing would move into the path, query or
 * fragment. Here the password is everything between the first `:` after the scheme's `//`
 * and the LAST `@` that is followed by a host (`name` or `[v6]`, an optional `:port`,
 * then `/`, `?`, `#` or the end). The user name (before that `:`) must not hold
 * `/ ? # @` or spaces unencoded; an `@` in a path or query value must be written `%40`
 * (otherwise the text up to it is read as userinfo: over-redaction, never a leak).
 * @module
 */
import { isSecretParam } from "./secrets.ts";

/** A URI split around its userinfo. User and password are as written (still encoded). */
export interface UriParts {
  /** The scheme, as written, without `://`. */
  scheme: string;
  user?: string;
  password?: string;
  /** Offset of the password in the text, when there is one. */
  passwordOffset?: number;
  /** Everything after the userinfo (or after `//` without one): host, port, path, query. */
  rest: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const HOST_THEN_END = /^(\[[0-9a-f:.]*\]|[^\s/?#@[\]:]*)(:\d*)?(?=[/?#]|$)/i;
const BAD_USER = /[/?#@\s]/;

/** Splits `scheme://[user[:password]@]rest`; undefined when the text has no `scheme://`. */
export function splitUri(text: string): UriParts | undefined {
  const scheme = SCHEME.exec(text);
  if (!scheme) return undefined;
  const start = scheme[0].length;
  const body = text.slice(start);
  let at = body.lastIndexOf("@");
  while (at >= 0) {
    const userinfo = body.slice(0, at);
    const colon = userinfo.indexOf(":");
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (HOST_THEN_END.test(body.slice(at + 1)) && !BAD_USER.test(user)) {
      return {
        scheme: scheme[1],
        user,
        ...(colon < 0
          ? {}
          : { password: userinfo.slice(colon + 1), passwordOffset: start + colon + 1 }),
        rest: body.slice(at + 1),
      };
    }
    if (at === 0) break;
    at = body.lastIndexOf("@", at - 1);
  }
  return { scheme: scheme[1], rest: body };
}

/** A secret found in a URI, and where it sits. */
export interface UriSecret {
  /** The userinfo password, or a query parameter (named by `param`). */
  where: "password" | "query";
  /** The query parameter's name. */
  param?: string;
  /** As written in the URI. */
  raw: string;
  /** Percent-decoded (`+` is a space in a query), when that differs and is valid. */
  decoded?: string;
}

/** The password and the values of secret-named query parameters (`?password=`, `token=`). */
export function uriSecrets(text: string): UriSecret[] {
  const parts = splitUri(text);
  if (!parts) return [];
  const found: UriSecret[] = [];
  if (parts.password) {
    found.push({ where: "password", ...decoded(parts.password, false) });
  }
  const query = /\?([^#]*)/.exec(parts.rest)?.[1] ?? "";
  for (const piece of query.split("&")) {
    const equals = piece.indexOf("=");
    if (equals <= 0) continue;
    const name = decodeOrRaw(piece.slice(0, equals), true);
    const raw = piece.slice(equals + 1);
    if (raw !== "" && isSecretParam(name)) {
      found.push({ where: "query", param: name, ...decoded(raw, true) });
    }
  }
  return found;
}

function decoded(raw: string, query: boolean): { raw: string; decoded?: string } {
  const text = decodeOrRaw(raw, query);
  return text === raw ? { raw } : { raw, decoded: text };
}

function decodeOrRaw(text: string, query: boolean): string {
  try {
    return decodeURIComponent(query ? text.replaceAll("+", " ") : text);
  } catch {
    return text;
  }
}
