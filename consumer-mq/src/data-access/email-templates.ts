import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { LOCALES, type Locale } from '@regflow/common';

/** The three parts every email has, one template file each. */
const PARTS = ['subject', 'text', 'html'] as const;
type Part = (typeof PARTS)[number];
/** Plain-text parts end in .txt, so the formatter (which reads .hbs as HTML) leaves their lines alone. */
const FILES: Record<Part, string> = { subject: 'subject.txt', text: 'text.txt', html: 'html.hbs' };

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * The email templates kept in the repo (consumer-mq/emails), Handlebars:
 *
 *   emails/layout.html.hbs                 the HTML frame every email shares ({{{content}}}, {{lang}})
 *   emails/<kind>/<locale>/subject.txt     one line
 *   emails/<kind>/<locale>/text.txt        the plain-text part
 *   emails/<kind>/<locale>/html.hbs        the HTML part, inside the layout
 *
 * Loaded and compiled once at start-up, where a kind missing a locale or a part fails the start
 * (not the first email that needs it). Values are HTML-escaped in the HTML part and the layout, and
 * left as they are in the subject and the text. `strict`: a variable a template names but the caller
 * did not pass is an error, not an empty string in someone's inbox.
 */
export class EmailTemplates {
  private constructor(
    private readonly templates: Map<string, Record<Part, Handlebars.TemplateDelegate>>,
    private readonly layout: Handlebars.TemplateDelegate,
  ) {}

  static load(folder: string): EmailTemplates {
    const html = (source: string) => Handlebars.compile(source, { strict: true });
    const plain = (source: string) => Handlebars.compile(source, { strict: true, noEscape: true });
    const read = (...parts: string[]) => fs.readFileSync(path.join(folder, ...parts), 'utf8');
    const layout = html(read('layout.html.hbs'));
    const templates = new Map<string, Record<Part, Handlebars.TemplateDelegate>>();
    const kinds = fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const missing: string[] = [];
    for (const kind of kinds) {
      for (const locale of LOCALES) {
        const files = PARTS.map((part) => path.join(kind, locale, FILES[part]));
        const absent = files.filter((file) => !fs.existsSync(path.join(folder, file)));
        if (absent.length > 0) {
          missing.push(...absent);
          continue;
        }
        templates.set(`${kind}/${locale}`, {
          subject: plain(read(kind, locale, FILES.subject).trim()),
          text: plain(read(kind, locale, FILES.text)),
          html: html(read(kind, locale, FILES.html)),
        });
      }
    }
    if (missing.length > 0) throw new Error(`email templates missing in ${folder}: ${missing.join(', ')}`);
    return new EmailTemplates(templates, layout);
  }

  kinds(): string[] {
    return [...new Set([...this.templates.keys()].map((key) => key.split('/')[0]!))];
  }

  render(kind: string, locale: Locale, vars: Record<string, unknown>): RenderedEmail {
    const template = this.templates.get(`${kind}/${locale}`);
    if (!template) throw new Error(`no email template ${kind}/${locale}`);
    const subject = template.subject(vars).replace(/\s+/g, ' ').trim();
    return {
      subject,
      text: template.text(vars),
      html: this.layout({ lang: locale, subject, content: template.html(vars) }),
    };
  }
}
