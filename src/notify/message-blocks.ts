/**
 * A message body as a few kinds of blocks, rendered once as wrapped plain text and once as
 * escaped HTML, so both alternatives always say the same thing and every value from the
 * database passes through one escaping function.
 */

export type Block =
  /** `\n` in the text is a hard line break (a sign-off). */
  | { type: 'paragraph'; text: string }
  | { type: 'heading'; text: string }
  | { type: 'list'; items: string[]; ordered?: boolean }
  /** Label/value rows: the key facts of a lock. */
  | { type: 'facts'; rows: Array<[label: string, value: string]> }
  | { type: 'link'; label: string; url: string }
  /** A message from staff, shown as written (line breaks kept). */
  | { type: 'quote'; text: string }
  /** Commands to type, never wrapped. */
  | { type: 'code'; text: string };

const WIDTH = 76;

/** Greedy word wrap; a word longer than the width (a URL) gets a line of its own. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  for (const hardLine of text.split('\n')) {
    let line = '';
    for (const word of hardLine.split(/ +/)) {
      if (word === '') continue;
      if (line === '') line = word;
      else if (indent.length + line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines.map((l, i) => (i === 0 ? l : indent + l));
}

export function blocksToText(blocks: readonly Block[]): string {
  const parts: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'paragraph':
        parts.push(wrap(block.text, WIDTH).join('\n'));
        break;
      case 'heading':
        parts.push(`${block.text}\n${'-'.repeat(Math.min(block.text.length, WIDTH))}`);
        break;
      case 'list':
        parts.push(
          block.items
            .map((item, i) => {
              const marker = block.ordered === true ? `${i + 1}. ` : '- ';
              return marker + wrap(item, WIDTH, ' '.repeat(marker.length)).join('\n');
            })
            .join('\n'),
        );
        break;
      case 'facts': {
        const labelWidth = Math.max(...block.rows.map(([label]) => label.length)) + 2;
        parts.push(block.rows.map(([label, value]) => `${`${label}:`.padEnd(labelWidth)}${wrap(value, WIDTH, ' '.repeat(labelWidth)).join('\n')}`).join('\n'));
        break;
      }
      case 'link':
        parts.push(`${block.label}:\n${block.url}`);
        break;
      case 'quote':
        parts.push(
          block.text
            .trim()
            .split(/\r?\n/)
            .map((line) => `  ${line}`.trimEnd())
            .join('\n'),
        );
        break;
      case 'code':
        parts.push(
          block.text
            .split('\n')
            .map((line) => `    ${line}`)
            .join('\n'),
        );
        break;
    }
  }
  return `${parts.join('\n\n')}\n`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Only web links become anchors; anything else (a `javascript:` URL) stays inert text. */
function isWebUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function blocksToHtml(blocks: readonly Block[], title: string, language: string): string {
  const body: string[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'paragraph':
        body.push(`<p>${escapeHtml(block.text).replace(/\n/g, '<br>\n')}</p>`);
        break;
      case 'heading':
        body.push(`<h3>${escapeHtml(block.text)}</h3>`);
        break;
      case 'list': {
        const tag = block.ordered === true ? 'ol' : 'ul';
        body.push(`<${tag}>\n${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</${tag}>`);
        break;
      }
      case 'facts':
        body.push(
          `<table>\n${block.rows
            .map(([label, value]) => `<tr><th align="left" valign="top">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
            .join('\n')}\n</table>`,
        );
        break;
      case 'link':
        body.push(
          isWebUrl(block.url)
            ? `<p><a href="${escapeHtml(block.url)}">${escapeHtml(block.label)}</a><br>\n${escapeHtml(block.url)}</p>`
            : `<p>${escapeHtml(block.label)}: ${escapeHtml(block.url)}</p>`,
        );
        break;
      case 'quote':
        body.push(`<blockquote style="white-space:pre-wrap">${escapeHtml(block.text.trim())}</blockquote>`);
        break;
      case 'code':
        body.push(`<pre>${escapeHtml(block.text)}</pre>`);
        break;
    }
  }
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(language)}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:sans-serif">',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
