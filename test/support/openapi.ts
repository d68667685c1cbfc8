import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '@regflow/common/http';

type Json = Record<string, unknown>;

/**
 * Checks real answers against an OpenAPI 3.1 document: the status is documented for the operation, the
 * content type is one it documents, the body matches that content's schema (JSON Schema 2020-12, the
 * document's own `$ref`s resolved), and every required header is there. Each check returns the
 * operation and status it matched, so a test can count what it covered.
 */
export function contractChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats.default(ajv);
  ajv.addSchema(document as unknown as Json, 'openapi');
  const covered = new Set<string>();

  async function check(method: string, path: string, res: Response): Promise<unknown> {
    const operation = (document.paths?.[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
    if (!operation) throw new Error(`${method} ${path} is not in the document`);
    const responses = operation.responses as Record<string, Json>;
    const status = String(res.status);
    const documented = responses[status];
    const text = await res.text();
    if (!documented)
      throw new Error(
        `${method} ${path} answered ${status}, which it does not document (${Object.keys(responses).join(', ')}): ${text.slice(0, 300)}`,
      );
    covered.add(`${method.toUpperCase()} ${path} ${status}`);
    for (const [name, header] of Object.entries((documented.headers ?? {}) as Record<string, Json>)) {
      if (header.required && !res.headers.has(name))
        throw new Error(`${method} ${path} ${status}: the required header ${name} is missing`);
    }
    const content = documented.content as Record<string, Json> | undefined;
    if (!content) {
      if (text !== '') throw new Error(`${method} ${path} ${status} documents no body but sent ${text.slice(0, 200)}`);
      return undefined;
    }
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!(type in content))
      throw new Error(
        `${method} ${path} ${status}: content type ${type}, documented: ${Object.keys(content).join(', ')}`,
      );
    const body = type.endsWith('json') ? (JSON.parse(text) as unknown) : text;
    const pointer = ['paths', path, method.toLowerCase(), 'responses', status, 'content', type, 'schema']
      .map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    const validate = ajv.getSchema(`openapi#/${pointer}`);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    if (!validate(body))
      throw new Error(
        `${method} ${path} ${status}: the body does not match the document: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`,
      );
    return body;
  }

  return { check, covered, document };
}
