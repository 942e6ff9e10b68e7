/** Die deutschen Texte der Kundenbenachrichtigungen (Sie-Form). */
import type { Block } from './message-blocks.ts';
import { type MessageLanguage, type TemplateContext, traceTarget, utcParts } from './message-language.ts';
import type { LockReason, NoticeKind } from './notice.ts';

const REASON_NAMES: Record<LockReason, string> = {
  attack_from_server: 'Angriff von Ihrem Server',
  attack_on_server: 'Angriff auf Ihren Server',
  netscan: 'Netzwerkscan (Portscan) von Ihrem Server',
  network_configuration: 'Fehlerhafte Netzwerkkonfiguration',
  non_payment: 'Zahlungsverzug',
  abuse_phishing: 'Missbrauch: Phishing-Seite',
  abuse_malware: 'Missbrauch: Schadsoftware',
  abuse_copyright: 'Missbrauch: Urheberrechtsverletzung',
  abuse_spam: 'Missbrauch: Spam',
  other: 'Sonstiger Grund',
};

const REPORTED = 'Uns liegt eine begründete Meldung vor, dass';

const REASON_EXPLANATIONS: Record<LockReason, string> = {
  attack_from_server:
    'Unsere Systeme haben Angriffsverkehr (zum Beispiel eine Flut von Paketen) von Ihrem Server zu anderen Systemen festgestellt. Das geschieht meist, wenn ein Server kompromittiert wurde oder ein Dienst darauf als Verstärker missbraucht wird.',
  attack_on_server:
    'Ihr Server wird angegriffen, und der Angriff gefährdet unser Netz. Wir haben ihn gesperrt, um den Angriffsverkehr von unserem Netz fernzuhalten; das ist kein Vorwurf an Sie.',
  netscan:
    'Ihr Server hat in kurzer Zeit sehr viele Adressen oder Ports angesprochen (Netzwerk- bzw. Portscan). Das stört andere Netze und ist meist ein Zeichen dafür, dass der Server kompromittiert wurde.',
  network_configuration:
    'Ihr Server hat Datenverkehr mit IP- oder MAC-Adressen gesendet, die ihm nicht zugewiesen sind. Das stört das Netz anderer Kunden; meist ist eine Adresse konfiguriert, die jemand anderem gehört.',
  non_payment: 'Für Ihr Kundenkonto sind Rechnungen überfällig.',
  abuse_phishing: `${REPORTED} auf Ihrem Server eine Phishing-Seite betrieben wird.`,
  abuse_malware: `${REPORTED} Ihr Server Schadsoftware verbreitet.`,
  abuse_copyright: `${REPORTED} Ihr Server urheberrechtlich geschütztes Material ohne Berechtigung bereitstellt.`,
  abuse_spam: `${REPORTED} von Ihrem Server Spam versendet wird.`,
  other: 'Den Grund nennt Ihnen die Nachricht unseres Abuse-Teams.',
};

function explanation(ctx: TemplateContext): string {
  const hasMessage = (ctx.notice.message?.trim() ?? '') !== '';
  if (ctx.reason === 'other' && !hasMessage) return 'Die Einzelheiten zu dieser Sperre erfahren Sie von unserem Support.';
  return REASON_EXPLANATIONS[ctx.reason];
}

const FIRST_STEP: Record<LockReason, string> = {
  attack_from_server:
    'Finden und beheben Sie die Ursache, zum Beispiel indem Sie Schadsoftware entfernen, kompromittierte Software aktualisieren oder einen als Verstärker missbrauchten Dienst schließen.',
  attack_on_server: 'Warten Sie, bis der Angriff vorüber ist. Wenn Sie wissen, warum Ihr Server angegriffen wird, beheben Sie auch diese Ursache.',
  netscan: 'Finden und entfernen Sie den Prozess, der scannt, und schließen Sie den Weg, auf dem er auf den Server gelangt ist (meist ein schwaches Passwort oder veraltete Software).',
  network_configuration: 'Korrigieren Sie die Netzwerkkonfiguration, sodass der Server nur die ihm zugewiesenen IP- und MAC-Adressen verwendet.',
  non_payment: 'Begleichen Sie die überfälligen Rechnungen.',
  abuse_phishing: 'Entfernen Sie die Phishing-Seite und finden Sie heraus, wie sie auf Ihren Server gelangt ist.',
  abuse_malware: 'Entfernen Sie die Schadsoftware und finden Sie heraus, wie sie auf Ihren Server gelangt ist.',
  abuse_copyright: 'Entfernen Sie das beanstandete Material.',
  abuse_spam: 'Stoppen Sie den Spamversand: Finden Sie das kompromittierte Konto, das Skript oder das offene Relay, über das er läuft.',
  other: 'Beheben Sie das von unserem Abuse-Team beschriebene Problem.',
};

const SUBJECTS: Record<NoticeKind, (server: string) => string> = {
  locked: (s) => `Ihr Server ${s} wurde gesperrt`,
  warning: (s) => `Warnung: Missbrauch von Ihrem Server ${s}`,
  unblock_received: (s) => `Ihre Entsperranfrage für ${s} ist eingegangen`,
  released: (s) => `Ihr Server ${s} wurde entsperrt`,
  rejected: (s) => `Ihre Entsperranfrage für ${s} wurde abgelehnt`,
};

function time(ms: number): string {
  const t = utcParts(ms);
  return `${t.day}.${t.month}.${t.year} um ${t.hour}:${t.minute} Uhr (UTC)`;
}

function greeting(ctx: TemplateContext): Block {
  return { type: 'paragraph', text: `Guten Tag ${ctx.notice.customer.name},` };
}

const SIGN_OFF: Block = { type: 'paragraph', text: 'Mit freundlichen Grüßen\nIhr Abuse-Team' };

function facts(ctx: TemplateContext): Block {
  const n = ctx.notice;
  return {
    type: 'facts',
    rows: [
      ['Blocking ID', n.blockingId],
      ['Server', ctx.server],
      ['Gesperrte Adressen', n.scope.join(', ')],
      ['Grund', REASON_NAMES[ctx.reason]],
      ['Gesperrt seit', time(n.sinceMs)],
    ],
  };
}

function staffMessage(ctx: TemplateContext, heading: string): Block[] {
  const message = ctx.notice.message?.trim();
  return message === undefined || message === '' ? [] : [{ type: 'heading', text: heading }, { type: 'quote', text: message }];
}

function logFile(ctx: TemplateContext): Block[] {
  const log = ctx.notice.logFile;
  if (log === undefined) return [{ type: 'heading', text: 'Logdatei' }, { type: 'paragraph', text: 'Zu dieser Sperre gibt es keine Logdatei.' }];
  return [
    { type: 'heading', text: 'Logdatei' },
    {
      type: 'paragraph',
      text: `Zur Analyse des Problems finden Sie im Anhang die Datei ${log.filename} mit allen Informationen, die uns vorliegen. Weitere Informationen oder Logdateien haben wir nicht. Wir haben keinen Zugriff auf die Software Ihres Servers und können nicht sehen, was dort genau vor sich geht. Bitte prüfen Sie die Logdateien Ihres Servers und analysieren Sie das Problem selbst.`,
    },
  ];
}

function portalLink(ctx: TemplateContext): Block {
  return { type: 'link', label: 'Kundenportal', url: ctx.notice.portalUrl };
}

function accessWhileLocked(): Block {
  return {
    type: 'paragraph',
    text: 'Um während der Sperre am Server zu arbeiten, können Sie im Kundenportal eine Remote-Konsole anfordern, die Ihnen vollen Zugriff auf den Server gibt. Alternativ können Sie im Kundenportal die statische IP-Adresse Ihres Büros oder Ihres Anschlusses zu Hause eintragen; der Server bleibt dann von dieser Adresse aus erreichbar. Diese Möglichkeit besteht nicht bei jeder Sperre.',
  };
}

function locked(ctx: TemplateContext): Block[] {
  const n = ctx.notice;
  const target = traceTarget(n) ?? '<IP-Adresse>';
  return [
    greeting(ctx),
    {
      type: 'paragraph',
      text: `wir haben Ihren Server ${ctx.server} am ${time(n.sinceMs)} gesperrt. Datenverkehr von und zu den gesperrten Adressen wird blockiert.`,
    },
    facts(ctx),
    { type: 'paragraph', text: explanation(ctx) },
    ...staffMessage(ctx, 'Nachricht unseres Abuse-Teams'),
    { type: 'heading', text: 'Warum wir Server sperren' },
    {
      type: 'paragraph',
      text: 'Wir sperren Server, um unsere Infrastruktur und unsere anderen Kunden zu schützen, um weiteren Missbrauch vorsorglich zu verhindern und um Sie als Betreiber des Servers zu schützen.',
    },
    ...logFile(ctx),
    { type: 'heading', text: 'So prüfen Sie, ob Ihr Server gesperrt ist' },
    {
      type: 'paragraph',
      text: 'Führen Sie einen Traceroute zu einer der gesperrten Adressen aus. Endet er an unserem Uplink-Gateway (dem ersten Router vor Ihrem Server), ist der Server gesperrt. Unter Linux und unter Windows:',
    },
    { type: 'code', text: `traceroute ${target}\ntracert.exe ${target}` },
    { type: 'heading', text: 'So wird Ihr Server entsperrt' },
    {
      type: 'list',
      ordered: true,
      items: [
        FIRST_STEP[ctx.reason],
        `Sobald das Problem dauerhaft behoben ist, senden Sie uns im Kundenportal eine Entsperranfrage für die Blocking ID ${n.blockingId} und füllen Sie das Formular vollständig aus.`,
      ],
    },
    portalLink(ctx),
    accessWhileLocked(),
    { type: 'paragraph', text: `Bitte geben Sie bei allen Rückfragen zu dieser Sperre die Blocking ID ${n.blockingId} an.` },
    SIGN_OFF,
  ];
}

function unblockReceived(ctx: TemplateContext): Block[] {
  const n = ctx.notice;
  return [
    greeting(ctx),
    {
      type: 'paragraph',
      text: `wir haben Ihre Entsperranfrage für Ihren Server ${ctx.server} (Blocking ID ${n.blockingId}) erhalten und prüfen sie so bald wie möglich. Bis dahin bleibt der Server gesperrt. Über unsere Entscheidung informieren wir Sie per E-Mail.`,
    },
    facts(ctx),
    ...staffMessage(ctx, 'Nachricht unseres Abuse-Teams'),
    { type: 'paragraph', text: 'Den Stand Ihrer Anfrage sehen Sie im Kundenportal:' },
    portalLink(ctx),
    SIGN_OFF,
  ];
}

function released(ctx: TemplateContext): Block[] {
  const n = ctx.notice;
  return [
    greeting(ctx),
    {
      type: 'paragraph',
      text: `wir haben die Sperre Ihres Servers ${ctx.server} (Blocking ID ${n.blockingId}) aufgehoben. Datenverkehr von und zu ${n.scope.join(', ')} wird nicht mehr blockiert.`,
    },
    ...staffMessage(ctx, 'Nachricht unseres Abuse-Teams'),
    { type: 'paragraph', text: 'Bitte behalten Sie Ihren Server im Blick. Tritt das Problem erneut auf, müssen wir den Server unter Umständen wieder sperren.' },
    SIGN_OFF,
  ];
}

function rejected(ctx: TemplateContext): Block[] {
  const n = ctx.notice;
  const reasonGiven = staffMessage(ctx, 'Warum wir den Server noch nicht entsperren können');
  return [
    greeting(ctx),
    {
      type: 'paragraph',
      text: `wir haben Ihre Entsperranfrage für Ihren Server ${ctx.server} (Blocking ID ${n.blockingId}) geprüft und können die Sperre noch nicht aufheben. Der Server bleibt gesperrt.`,
    },
    facts(ctx),
    ...(reasonGiven.length > 0
      ? reasonGiven
      : [{ type: 'paragraph', text: 'Bitte wenden Sie sich an unseren Support, wenn Ihnen der Grund nicht klar ist.' } satisfies Block]),
    ...(n.logFile !== undefined ? logFile(ctx) : []),
    {
      type: 'paragraph',
      text: `Bitte beheben Sie das Problem vollständig und senden Sie uns anschließend im Kundenportal eine neue Entsperranfrage für die Blocking ID ${n.blockingId}.`,
    },
    portalLink(ctx),
    accessWhileLocked(),
    SIGN_OFF,
  ];
}

function warning(ctx: TemplateContext): Block[] {
  const n = ctx.notice;
  return [
    greeting(ctx),
    {
      type: 'paragraph',
      text: `unsere Systeme haben von Ihrem Server ${ctx.server} Datenverkehr festgestellt, der normalerweise zu einer Sperrung führt (Vorgang ${n.blockingId}). Ihr Server wurde dieses Mal NICHT gesperrt. Bitte prüfen Sie das umgehend: Tritt es erneut auf, müssen wir den Server gegebenenfalls sperren.`,
    },
    facts(ctx),
    ...(n.logFile !== undefined ? logFile(ctx) : []),
    SIGN_OFF,
  ];
}

const BODIES: Record<NoticeKind, (ctx: TemplateContext) => Block[]> = {
  locked,
  warning,
  unblock_received: unblockReceived,
  released,
  rejected,
};

export const german: MessageLanguage = {
  subject: (kind, serverName) => SUBJECTS[kind](serverName),
  body: (ctx) => BODIES[ctx.notice.kind](ctx),
  reasonName: (reason) => REASON_NAMES[reason],
};
