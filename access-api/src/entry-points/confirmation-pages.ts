import type { Locale } from '@regflow/common';

/**
 * The small public pages a confirmation link lands on, in the applicant's language. Plain HTML built
 * here: a handful of fixed sentences, every value that comes from a request escaped, inline styles
 * only (helmet's default CSP allows them; no script at all).
 */
export type PageName =
  | 'confirmed'
  | 'already-confirmed'
  | 'link-expired'
  | 'expired'
  | 'invalid'
  | 'resent'
  | 'rate-limited'
  | 'unavailable';

interface PageText {
  title: string;
  body: string;
  resend?: string;
}

const TEXT: Record<Locale, Record<PageName, PageText>> = {
  en: {
    confirmed: {
      title: 'Email confirmed',
      body: 'Thank you. Your registration is now waiting for review; you will hear from us when it is decided.',
    },
    'already-confirmed': {
      title: 'Already confirmed',
      body: 'This email was already confirmed. There is nothing more to do: your registration is with the reviewers.',
    },
    'link-expired': {
      title: 'This link has expired',
      body: 'Your registration is still waiting for its confirmation. Ask for a new link and use it instead.',
      resend: 'Send me a new link',
    },
    expired: {
      title: 'This registration has expired',
      body: 'It was not confirmed in time and has been discarded. You are welcome to sign up again.',
    },
    invalid: {
      title: 'This link is not valid',
      body: 'It may have been copied incompletely. Open the link from the email again, or sign up again.',
    },
    resent: {
      title: 'A new link is on its way',
      body: 'Check your inbox (and the spam folder) in a minute.',
    },
    'rate-limited': {
      title: 'Too many requests',
      body: 'A new link was asked for too often. Wait a while and try again; the last one we sent still works.',
    },
    unavailable: {
      title: 'Please try again in a moment',
      body: 'We could not handle this link right now; nothing was changed. Reload this page in a minute.',
    },
  },
  'pt-BR': {
    confirmed: {
      title: 'E-mail confirmado',
      body: 'Obrigado. Seu cadastro agora aguarda análise; avisaremos quando houver uma decisão.',
    },
    'already-confirmed': {
      title: 'E-mail já confirmado',
      body: 'Este e-mail já foi confirmado. Não há mais nada a fazer: seu cadastro está com a equipe de análise.',
    },
    'link-expired': {
      title: 'Este link expirou',
      body: 'Seu cadastro ainda aguarda a confirmação. Peça um novo link e use-o no lugar deste.',
      resend: 'Enviar um novo link',
    },
    expired: {
      title: 'Este cadastro expirou',
      body: 'Ele não foi confirmado a tempo e foi descartado. Você pode se cadastrar novamente.',
    },
    invalid: {
      title: 'Este link não é válido',
      body: 'Talvez tenha sido copiado pela metade. Abra de novo o link do e-mail, ou cadastre-se novamente.',
    },
    resent: {
      title: 'Um novo link está a caminho',
      body: 'Confira sua caixa de entrada (e a pasta de spam) em um minuto.',
    },
    'rate-limited': {
      title: 'Muitos pedidos',
      body: 'Um novo link foi pedido vezes demais. Aguarde um pouco e tente de novo; o último link enviado ainda vale.',
    },
    unavailable: {
      title: 'Tente de novo em instantes',
      body: 'Não conseguimos tratar este link agora; nada foi alterado. Recarregue a página em um minuto.',
    },
  },
};

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The page; `resendAction` (a same-origin path) adds the form that asks for a new link. */
export function confirmationPage(name: PageName, locale: Locale, resendAction?: string): string {
  const text = TEXT[locale][name];
  const form =
    text.resend && resendAction
      ? `<form method="post" action="${escape(resendAction)}"><button type="submit" style="background:#2563eb;color:#fff;border:0;border-radius:6px;padding:12px 20px;font-size:16px;cursor:pointer;">${escape(text.resend)}</button></form>`
      : '';
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(text.title)}</title>
</head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2933;">
<main style="max-width:520px;margin:10vh auto 0;background:#fff;border-radius:8px;padding:32px;line-height:1.5;">
<h1 style="font-size:22px;margin:0 0 12px;">${escape(text.title)}</h1>
<p>${escape(text.body)}</p>
${form}
</main>
</body>
</html>
`;
}
