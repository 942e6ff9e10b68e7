/** The English texts of the customer notices. */
import type { Block } from './message-blocks.ts';
import { type MessageLanguage, type TemplateContext, traceTarget, utcParts } from './message-language.ts';
import type { LockReason, NoticeKind } from './notice.ts';

const REASON_NAMES: Record<LockReason, string> = {
  attack_from_server: 'Attack from your server',
  attack_on_server: 'Attack on your server',
  netscan: 'Network scan (port scan) from your server',
  network_configuration: 'Incorrect network configuration',
  non_payment: 'Unpaid invoices',
  abuse_phishing: 'Abuse: phishing site',
  abuse_malware: 'Abuse: malware',
  abuse_copyright: 'Abuse: copyright infringement',
  abuse_spam: 'Abuse: spam',
  other: 'Other reason',
};

const REPORTED = 'We have received a well-founded report that';

const REASON_EXPLANATIONS: Record<LockReason, string> = {
  attack_from_server:
    'Our systems recorded attack traffic (for example a flood of packets) sent from your server to other hosts. Servers usually do this after they have been compromised, or when a service on them is misused as an amplifier.',
  attack_on_server:
    'Your server is the target of an attack that endangers our network. We have locked it to keep the attack traffic out of our network; this is no accusation against you.',
  netscan:
    'Your server contacted a large number of addresses or ports within a short time (a network or port scan). This disturbs other networks and usually means that the server has been compromised.',
  network_configuration:
    'Your server sent traffic from IP or MAC addresses that are not assigned to it. This disturbs the network of other customers; usually an address that belongs to someone else has been configured.',
  non_payment: 'Invoices for your account are overdue.',
  abuse_phishing: `${REPORTED} your server hosts a phishing site.`,
  abuse_malware: `${REPORTED} your server distributes malware.`,
  abuse_copyright: `${REPORTED} your server hosts material that infringes copyright.`,
  abuse_spam: `${REPORTED} spam is being sent from your server.`,
  other: 'The reason is explained in the message from our abuse team.',
};

function explanation(ctx: TemplateContext): string {
  const hasMessage = (ctx.notice.message?.trim() ?? '') !== '';
  if (ctx.reason === 'other' && !hasMessage) return 'Please contact our support for the details of this lock.';
  return REASON_EXPLANATIONS[ctx.reason];
}

const FIRST_STEP: Record<LockReason, string> = {
  attack_from_server: 'Find the cause and resolve it, for example by removing malware, updating compromised software or closing a service that is misused as an amplifier.',
  attack_on_server: 'Wait until the attack is over. If you know why your server attracts it, address that as well.',
  netscan: 'Find the process that scans and remove it, together with the way it got onto the server (usually a weak password or outdated software).',
  network_configuration: 'Correct the network configuration so that the server only uses the IP and MAC addresses assigned to it.',
  non_payment: 'Pay the overdue invoices.',
  abuse_phishing: 'Remove the phishing site and find out how it got onto your server.',
  abuse_malware: 'Remove the malware and find out how it got onto your server.',
  abuse_copyright: 'Remove the infringing material.',
  abuse_spam: 'Stop the spam: find the compromised account, script or open relay that sends it.',
  other: 'Resolve the problem described by our abuse team.',
};

const SUBJECTS: Record<NoticeKind, (server: string) => string> = {
  locked: (s) => `Your server ${s} has been locked`,
  warning: (s) => `Warning: abuse from your server ${s}`,
  unblock_received: (s) => `We have received your unblock request for ${s}`,
  released: (s) => `Your server ${s} has been unlocked`,
  rejected: (s) => `Your unblock request for ${s} has been rejected`,
};

function time(ms: number): string {
  const t = utcParts(ms);
  return `${t.year}-${t.month}-${t.day} ${t.hour}:${t.minute} UTC`;
}

function greeting(ctx: TemplateContext): Block {
  return { type: 'paragraph', text: `Dear ${ctx.notice.customer.name},` };
}

const SIGN_OFF: Block = { type: 'paragraph', text: 'Kind regards\nYour abuse team' };

function facts(ctx: TemplateContext): Block {
  const n = ctx.notice;
  return {
    type: 'facts',
    rows: [
      ['Blocking ID', n.blockingId],
      ['Server', ctx.server],
      ['Locked addresses', n.scope.join(', ')],
      ['Reason', REASON_NAMES[ctx.reason]],
      ['Locked since', time(n.sinceMs)],
    ],
  };
}

function staffMessage(ctx: TemplateContext, heading: string): Block[] {
  const message = ctx.notice.message?.trim();
  return message === undefined || message === '' ? [] : [{ type: 'heading', text: heading }, { type: 'quote', text: message }];
}

function logFile(ctx: TemplateContext): Block[] {
  const log = ctx.notice.logFile;
  if (log === undefined) return [{ type: 'heading', text: 'Log file' }, { type: 'paragraph', text: 'There is no log file for this lock.' }];
  return [
    { type: 'heading', text: 'Log file' },
    {
      type: 'paragraph',
      text: `To help you analyse the problem, the attached file ${log.filename} contains all the information we have. We have no further information or log files. We have no access to the software on your server and cannot see what exactly is happening on it, so please check your server's own logs and analyse the issue yourself.`,
    },
  ];
}

function portalLink(ctx: TemplateContext): Block {
  return { type: 'link', label: 'Customer portal', url: ctx.notice.portalUrl };
}

function accessWhileLocked(): Block {
  return {
    type: 'paragraph',
    text: 'To work on the server while it is locked, you can request a remote console in the customer portal, which gives you full access to the server. Alternatively, you can enter the static IP address of your home or office in the portal; the server then stays reachable from that address. This option is not available for every lock.',
  };
}

function locked(ctx: TemplateContext): Block[] {
  const n = ctx.notice;
  const target = traceTarget(n) ?? '<IP address>';
  return [
    greeting(ctx),
    { type: 'paragraph', text: `we have locked your server ${ctx.server} on ${time(n.sinceMs)}. Traffic to and from the locked addresses is blocked.` },
    facts(ctx),
    { type: 'paragraph', text: explanation(ctx) },
    ...staffMessage(ctx, 'Message from our abuse team'),
    { type: 'heading', text: 'Why we lock servers' },
    {
      type: 'paragraph',
      text: 'We lock a server to protect our infrastructure and our other customers, as a precaution against further abuse, and to protect you as the owner of the server.',
    },
    ...logFile(ctx),
    { type: 'heading', text: 'How to check whether your server is locked' },
    {
      type: 'paragraph',
      text: 'Run a traceroute to one of the locked addresses. If it ends at our uplink gateway (the first router in front of your server), the server is locked. On Linux and on Windows:',
    },
    { type: 'code', text: `traceroute ${target}\ntracert.exe ${target}` },
    { type: 'heading', text: 'How to get your server unlocked' },
    {
      type: 'list',
      ordered: true,
      items: [
        FIRST_STEP[ctx.reason],
        `Once the problem has been resolved for good, send us an unblock request for Blocking ID ${n.blockingId} in the customer portal and fill in the form completely.`,
      ],
    },
    portalLink(ctx),
    accessWhileLocked(),
    { type: 'paragraph', text: `Please quote the Blocking ID ${n.blockingId} in all correspondence about this lock.` },
    SIGN_OFF,
  ];
}

function unblockReceived(ctx: TemplateContext): Block[] {
  const n = ctx.notice;
  return [
    greeting(ctx),
    {
      type: 'paragraph',
      text: `we have received your unblock request for your server ${ctx.server} (Blocking ID ${n.blockingId}) and will review it as soon as possible. The server stays locked until then. We will let you know by e-mail once we have decided.`,
    },
    facts(ctx),
    ...staffMessage(ctx, 'Message from our abuse team'),
    { type: 'paragraph', text: 'You can follow the status of your request in the customer portal:' },
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
      text: `we have lifted the lock of your server ${ctx.server} (Blocking ID ${n.blockingId}). Traffic to and from ${n.scope.join(', ')} is no longer blocked.`,
    },
    ...staffMessage(ctx, 'Message from our abuse team'),
    { type: 'paragraph', text: 'Please keep an eye on your server. If the problem occurs again, we may have to lock the server again.' },
    SIGN_OFF,
  ];
}

function rejected(ctx: TemplateContext): Block[] {
  const n = ctx.notice;
  const reasonGiven = staffMessage(ctx, 'Why we cannot unlock the server yet');
  return [
    greeting(ctx),
    {
      type: 'paragraph',
      text: `we have reviewed your unblock request for your server ${ctx.server} (Blocking ID ${n.blockingId}) and cannot lift the lock yet. The server stays locked.`,
    },
    facts(ctx),
    ...(reasonGiven.length > 0 ? reasonGiven : [{ type: 'paragraph', text: 'Please contact our support if the reason is not clear to you.' } satisfies Block]),
    ...(n.logFile !== undefined ? logFile(ctx) : []),
    {
      type: 'paragraph',
      text: `Please resolve the problem completely and then send a new unblock request for Blocking ID ${n.blockingId} in the customer portal.`,
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
      text: `our systems have detected traffic from your server ${ctx.server} that would normally lead to a lock (case ${n.blockingId}). Your server has NOT been locked this time. Please look into it at once: if it happens again, we may lock the server.`,
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

export const english: MessageLanguage = {
  subject: (kind, serverName) => SUBJECTS[kind](serverName),
  body: (ctx) => BODIES[ctx.notice.kind](ctx),
  reasonName: (reason) => REASON_NAMES[reason],
};
