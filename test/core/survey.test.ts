import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../src/core/html-text.js';
import {
  asksNothingMore,
  findAnswer,
  parseSurveyAnswer,
  quoteAnswer,
  scoreFromTags,
  sentAtFromTags,
  sentAtTag,
  stripQuoted,
  surveyFigures,
  type SurveyRecord,
} from '../../src/core/survey.js';

const score = (text: string, type: 'csat' | 'nps' | 'ces' = 'nps') => parseSurveyAnswer(text, type);

describe('parseSurveyAnswer: one score', () => {
  it.each([
    ['9', 9],
    ['9/10', 9],
    ['10/10 would recommend', 10],
    ['9 out of 10', 9],
    ["I'd give it a 9", 9],
    ['nine', 9],
    ['Nine out of ten!', 9],
    ['9 - quick and friendly, thanks', 9],
    ['Thanks Alex.\n\n8\n\nThe refund took a while.', 8],
    ['0', 0],
    ['9! Really, a 9.', 9],
    ['one', 1],
    ['I would rate it a one', 1],
    ['9️⃣', 9],
    ['Ticket #4211: 9', 9],
    ['order 12345 came late, 6', 6],
    ['Called on 2026-11-24 at 10:30, and on 24.11.2026 again. Still a 9', 9],
    ['👍 9', 9],
    ['9 👍👍', 9],
    ['10/10!!!', 10],
    ['Solid 8.', 8],
    ['eight out of ten', 8],
    ['NINE', 9],
    ['nine (9)', 9],
    ['🔟', 10],
    ['1️⃣0️⃣', 10],
    ['Thanks a million, 10', 10],
    ['Easy: 9/10. The refund of $40 came on the 2nd try.', 9],
    ['6\n\nSent from my iPhone', 6],
  ])('%j -> %i', (text, want) => {
    expect(score(text)).toEqual({ kind: 'score', score: want });
  });

  it('reads only the reply, not the quoted survey under it', () => {
    const reply = '7\n\nOn Tue, 24 Nov 2026 at 10:00, Alex Morgan <alex@example.com> wrote:\n> Please reply with a number from 0 to 10';
    expect(score(reply)).toEqual({ kind: 'score', score: 7 });
    expect(score('> from 0 to 10\n8')).toEqual({ kind: 'score', score: 8 });
    expect(stripQuoted('6\n-----Original Message-----\n0 to 10')).toBe('6');
    expect(stripQuoted('6\n________________________________\nFrom: Alex\n0 to 10')).toBe('6');
  });

  it.each([
    ['a "--" signature', '9\n\n--\nJohn Smith\nTel: +1 555 123 4567'],
    ['a "-- " signature', '9\n-- \nJohn Smith | Acme Ltd\n+44 20 7946 0958 | 07700 900123'],
    ['an Outlook header', '9\n\nFrom: Alex Morgan <alex@example.com>\nSent: Tuesday, November 24, 2026 10:00 AM\nTo: Sam <sam@example.com>\nSubject: Re: How likely are you to recommend us?\n\nPlease reply with a number from 0 to 10'],
    ['an Outlook header in bold, with Date:', '9\n\n*From:* Alex Morgan <alex@example.com>\n*Date:* 24 November 2026 at 10:00\n*Subject:* Re: 0 to 10'],
    ['a Gmail header wrapped onto two lines', '9\n\nOn Tue, 24 Nov 2026 at 10:00, Alex Morgan <\nalex@example.com> wrote:\n> Please reply with a number from 0 to 10'],
    ['a French header', '9\n\nLe mar. 24 nov. 2026 à 10:00, Alex Morgan <alex@example.com> a écrit :\nPlease reply with a number from 0 to 10'],
    ['a German header', '9\n\nAm 24.11.2026 um 10:00 schrieb Alex Morgan <alex@example.com>:\nPlease reply with a number from 0 to 10'],
    ['a German header wrapped', '9\n\nAm 24.11.2026 um 10:00 schrieb Alex Morgan\n<alex@example.com>:\nPlease reply with a number from 0 to 10'],
    ['a Spanish header', '9\n\nEl mar, 24 nov 2026 a las 10:00, Alex Morgan (<alex@example.com>) escribió:\nPlease reply with a number from 0 to 10'],
    ['an ISO-dated Gmail header', '9\n\n2024-03-04 10:00 GMT+01:00 Alex Morgan <s@x.com>:\n\n> Please reply with a number from 0 to 10'],
    ['a forwarded message', '9\n\n---------- Forwarded message ---------\nFrom: Alex\nPlease reply with a number from 0 to 10'],
    ['CRLF line ends', '9\r\n\r\nOn Tue, 24 Nov 2026 at 10:00, Alex Morgan <alex@example.com> wrote:\r\n> 0 to 10'],
    ['a Dutch header', '9\n\nOp di 24 nov. 2026 om 10:00 schreef Alex Morgan <alex@example.com>:\nGeef een cijfer van 0 tot 10'],
    ['an Italian header', '9\n\nIl giorno mar 24 nov 2026 alle ore 10:00 Alex Morgan <alex@example.com> ha scritto:\nda 0 a 10'],
    ['a Portuguese header', '9\n\nEm ter., 24 de nov. de 2026 às 10:00, Alex Morgan <alex@example.com> escreveu:\nde 0 a 10'],
    ['a German Outlook header', '9\n\nVon: Alex Morgan <alex@example.com>\nGesendet: Dienstag, 24. November 2026 10:00\nAn: Sam <sam@example.com>\nBetreff: AW: Umfrage\n\nBitte antworten Sie mit einer Zahl von 0 bis 10'],
    ['a French Outlook header', '9\n\nDe\u00a0: Alex Morgan <alex@example.com>\nEnvoyé\u00a0: mardi 24 novembre 2026 10:00\nÀ\u00a0: Sam\nObjet\u00a0: RE: enquête\n\nRépondez avec un chiffre de 0 à 10'],
    ['a Spanish Outlook header', '9\n\nDe: Alex Morgan <alex@example.com>\nEnviado el: martes, 24 de noviembre de 2026 10:00\nPara: Sam\nAsunto: RE: del 0 al 10'],
    ['"Best regards," and a signature', '9\n\nBest regards,\nJohn Smith\nTeam 4, Building 7\n+1 555 123 4567'],
    ['"Cordialement" and a signature', '9\n\nCordialement\nMarie Dubois\nPoste 3'],
    ['"Mit freundlichen Grüßen" and a signature', '9\n\nMit freundlichen Grüßen\nHans Müller\nDurchwahl 5'],
    ['"Saludos" and a signature', '9\n\nSaludos\nMaría García\nOficina 2'],
    ['a signature above the quoted survey', '9\nBest,\nJo\nDesk 4\n\n> How likely\n> from 0\n> to 10'],
    ['a phone\'s footer', '9\n\nSent from my iPhone 13'],
    ['a phone\'s footer in Spanish', '9\n\nEnviado desde mi iPhone 12'],
    ['a mail app\'s footer', '9\n\nSent from Mail for Windows 10'],
  ])('cuts the reply at %s', (_what, reply) => {
    expect(score(reply)).toEqual({ kind: 'score', score: 9 });
  });

  it('never reads the numbers in a signature under a closing line', () => {
    expect(score('Thanks for the help!\n\nBest regards,\nJohn Smith\nDesk 4')).toEqual({ kind: 'none' });
    expect(stripQuoted('Thanks for the help!\n\nKind regards\n\nJ. O\'Brien\nAcme Ltd\nRoom 5')).toBe('Thanks for the help!\n');
  });

  it('does not cut at a closing word with no name under it', () => {
    expect(score('Thanks,\n9')).toEqual({ kind: 'score', score: 9 });
    expect(score('Thanks\nGreat job\n9')).toEqual({ kind: 'score', score: 9 });
  });

  it('does not cut at words that only look like a header', () => {
    expect(score('On the whole a 9\nthe agent wrote: all fixed')).toEqual({ kind: 'score', score: 9 });
    expect(score('From: a happy customer\n9')).toEqual({ kind: 'score', score: 9 });
    expect(score('-- 9 --')).toEqual({ kind: 'score', score: 9 });
  });

  it('ignores numbers that are never a score: phones, dates, times, references, money, codes', () => {
    expect(score('Thanks, all sorted!\n\nJohn Smith\nTel: +1 555 123 4567')).toEqual({ kind: 'none' });
    expect(score('Thanks!\nJohn Smith\nMobile (0)20 7946 0958, 555-123-4567\nhttps://acme.example/t/12')).toEqual({ kind: 'none' });
    expect(score('Replied 2026-11-24, 24.11.2026 and 11/24/26 at 10:30 and 3pm about INC42 and Q3, paid 20 EUR')).toEqual({ kind: 'none' });
  });

  it('does not read "one" used as a word', () => {
    expect(score('9, one thing though: the wait')).toEqual({ kind: 'score', score: 9 });
    expect(score('no one answered for days')).toEqual({ kind: 'none' });
  });

  it('uses the scale of the survey', () => {
    expect(score('5', 'csat')).toEqual({ kind: 'score', score: 5 });
    expect(score('7', 'ces')).toEqual({ kind: 'score', score: 7 });
    expect(score('5/5', 'csat')).toEqual({ kind: 'score', score: 5 });
    expect(score('4 out of 5', 'csat')).toEqual({ kind: 'score', score: 4 });
    expect(score('6/7', 'ces')).toEqual({ kind: 'score', score: 6 });
    expect(score('5 stars', 'csat')).toEqual({ kind: 'score', score: 5 });
    expect(score('Four stars, the wait was long', 'csat')).toEqual({ kind: 'score', score: 4 });
  });
});

describe('parseSurveyAnswer: flagged for review, never guessed', () => {
  it.each([
    ['between 7 and 8', 'is not one score'],
    ['7-8', 'is not one score'],
    ['7 or 8', 'is not one score'],
    ['8, but the first agent was a 3', 'more than one number'],
    ['7.5', 'is not a whole number'],
    ['11', 'outside the NPS scale'],
    ['-2', 'is not a whole number'],
    ['8,5', 'is not a whole number'],
    ['9.5/10', 'is not a whole number'],
    ['9 (it took 2 days)', 'more than one number (9, 2)'],
    ["I'd say 8, maybe 9", 'more than one number (8, 9)'],
    ['seven or eight', 'more than one number'],
    ['9/10, 10/10 next time', 'more than one number'],
    ['4/5', '"4/5" is not on the NPS scale (0 to 10)'],
    ['4 out of 5', '"4 out of 5" is not on the NPS scale (0 to 10)'],
    ['90/100', '"90/100" is not on the NPS scale (0 to 10)'],
    ['5 stars', '"5 stars" is not on the NPS scale (0 to 10)'],
    ['11/10', 'outside the NPS scale'],
    ['eleven out of ten', '11 is outside the NPS scale'],
    ['a hundred out of ten', '100 is outside the NPS scale'],
    ['50% faster than last time, 9', '"50%" is a percentage'],
  ])('%j', (text, reason) => {
    const r = score(text);
    expect(r.kind).toBe('review');
    expect(r.kind === 'review' && r.reason).toContain(reason);
  });

  it('flags numbers off the scale of the survey type', () => {
    expect(score('0', 'csat')).toMatchObject({ kind: 'review' });
    expect(score('9', 'ces')).toMatchObject({ kind: 'review', reason: expect.stringContaining('CES scale (1 to 7)') });
    expect(score('9/10', 'csat')).toMatchObject({ kind: 'review', reason: '"9/10" is not on the CSAT scale (1 to 5)' });
    expect(score('3/10', 'csat')).toMatchObject({ kind: 'review', reason: '"3/10" is not on the CSAT scale (1 to 5)' });
    expect(score('5/5', 'ces')).toMatchObject({ kind: 'review', reason: '"5/5" is not on the CES scale (1 to 7)' });
    expect(score('5 stars', 'ces')).toMatchObject({ kind: 'review' });
    expect(score('0/5', 'csat')).toMatchObject({ kind: 'review', reason: expect.stringContaining('outside the CSAT scale') });
  });

  it('gives no answer for a reply with no number', () => {
    expect(score('Thanks, all good now')).toEqual({ kind: 'none' });
    expect(score('')).toEqual({ kind: 'none' });
  });
});

describe('parseSurveyAnswer: automatic replies are skipped, not read', () => {
  it.each([
    ['I am out of the office until 8 December', 'I am out of the office'],
    ['Automatic reply: How satisfied are you?\n\nI will be back on 2 December.', 'Automatic reply'],
    ['Out of office\nBack on 8 December. For urgent matters call ext 4.', 'Out of office'],
    ["Thank you for your email. I'm currently on annual leave, returning 8 December.", "I'm currently on annual leave"],
    ['Abwesenheitsnotiz: Ich bin bis 8.12. nicht im Büro.', 'Abwesenheitsnotiz'],
    ['Ich bin bis zum 8. Dezember im Urlaub.', 'bin bis zum 8. Dezember im Urlaub'],
    ["Réponse automatique : je suis absente jusqu'au 8 décembre", 'Réponse automatique'],
    ['Respuesta automática: estoy fuera de la oficina hasta el 8 de diciembre', 'Respuesta automática'],
  ])('%j', (text, phrase) => {
    for (const type of ['csat', 'nps', 'ces'] as const) {
      expect(score(text, type)).toEqual({ kind: 'automatic', reason: `an automatic reply ("${phrase}"), not the customer's answer` });
    }
  });

  it('reads the customer who was away as the customer', () => {
    expect(score('I was out of office until Monday, sorry for the late reply. 9')).toEqual({ kind: 'score', score: 9 });
  });
});

describe('parseSurveyAnswer: HTML bodies are read as text', () => {
  it.each([
    [
      'a Gmail reply (quote container and blockquote)',
      '<div dir="ltr">9</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, 24 Nov 2026 at 10:00, Alex &lt;<a href="mailto:alex@example.com">alex@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Please reply with a number from 0 to 10</blockquote></div>',
    ],
    ['a bare blockquote, nested', '<p>9</p>\n<blockquote type="cite">How likely? From 0 to 10<blockquote>an older 3</blockquote> and 5</blockquote>'],
    ['a blockquote never closed', '<p>9</p><blockquote>From 0 to 10'],
    ['Outlook on the web', '<p>9</p><div id="appendonsend"></div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg"><b>From:</b> Alex<br><b>Sent:</b> Tuesday<br></div><div>0 to 10</div>'],
    ['Outlook desktop (a rule, then the header block)', '<p>9<o:p></o:p></p><hr><p><b>From:</b> Alex<br><b>Sent:</b> Tuesday, 24 November 2026 10:00<br><b>Subject:</b> 0 to 10</p>'],
    ['a style sheet with numbers', '<html><head><style>p{margin:0 0 10px}</style></head><body><p>9</p></body></html>'],
    ['tags around the score, an entity dash, a line break in the source', '<p><b>9</b> &ndash; quick and\nfriendly</p>'],
    ['a signature in paragraphs', '<p>9</p><p>Best regards,<br>John Smith<br>Desk 4</p>'],
    ['a decimal entity for the digit', '<p>&#57;</p>'],
    ['entities inside words', '<p>Je donne&nbsp;neuf&nbsp;!</p>'],
  ])('%s', (_what, html) => {
    expect(score(html)).toEqual({ kind: 'score', score: 9 });
  });

  it('decodes named entities and keeps blocks on lines of their own', () => {
    expect(htmlToText('<div>Tr&egrave;s bien&nbsp;!</div><div>5 &eacute;toiles &amp; merci &#x2764;</div>')).toBe('Très bien !\n5 étoiles & merci ❤');
    expect(score('<p>Tr&egrave;s bien, 5 &eacute;toiles</p>', 'csat')).toEqual({ kind: 'score', score: 5 });
    expect(score('<div>Very satisfied</div><div><br></div><div>Sent from my iPhone</div>', 'csat')).toEqual({ kind: 'score', score: 5 });
    expect(quoteAnswer('<p>9</p><p>Thanks &amp; bye</p><blockquote>0 to 10</blockquote>')).toBe('> 9\n> Thanks & bye');
  });

  it('reads plain text with angle brackets as plain text', () => {
    expect(score('9 <3\nAlex <alex@example.com>')).toEqual({ kind: 'score', score: 9 });
    expect(score('<p>Thanks!</p><blockquote>0 to 10')).toEqual({ kind: 'none' });
  });
});

describe('parseSurveyAnswer: number words, fractions and stars in other forms', () => {
  it.each([
    ['neuf', 9],
    ['Zehn!', 10],
    ['diez', 10],
    ['zéro', 0],
    ['Je donne neuf', 9],
    ['Ich gebe eine Acht', 8],
    ['Le doy un 9', 9],
    ['Neun, danke!', 9],
    ['8 von 10', 8],
    ['8 de 10, gracias', 8],
    ['huit sur dix', 8],
    ['9 von 10 Punkten', 9],
    ['#9', 9],
  ])('%j -> %i on NPS', (text, want) => {
    expect(score(text)).toEqual({ kind: 'score', score: want });
  });

  it.each([
    ['4 sur 5', 4],
    ['un', 1],
    ['Vier Sterne', 4],
    ['⭐⭐⭐⭐', 4],
    ['★★★★☆', 4],
    ['⭐️⭐️⭐️⭐️⭐️ thanks!', 5],
  ])('%j -> %i on CSAT', (text, want) => {
    expect(score(text, 'csat')).toEqual({ kind: 'score', score: want });
  });

  it('reads the French and Spanish words for one only as the whole answer or a fraction', () => {
    expect(score('un sur cinq', 'csat')).toEqual({ kind: 'score', score: 1 });
    expect(score('Una de las mejores')).toEqual({ kind: 'none' });
    expect(score("C'est un service tout neuf")).toMatchObject({ kind: 'review' });
  });

  it('flags stars off the scale, stars that are decoration, and a lone star', () => {
    expect(score('⭐⭐⭐⭐')).toMatchObject({ kind: 'review', reason: '"4 stars" is not on the NPS scale (0 to 10)' });
    expect(score('★★★★☆')).toMatchObject({ kind: 'review', reason: '"4/5" is not on the NPS scale (0 to 10)' });
    expect(score('★★★☆', 'csat')).toMatchObject({ kind: 'review', reason: '"3/4" is not on the CSAT scale (1 to 5)' });
    expect(score('Great work ⭐⭐', 'csat')).toMatchObject({ kind: 'review', reason: expect.stringContaining('does not read as an answer') });
    expect(score('⭐', 'csat')).toEqual({ kind: 'review', reason: 'a single star is not read as a score' });
    expect(score('9 ⭐')).toEqual({ kind: 'score', score: 9 });
    expect(score('Thanks, you are a ⭐', 'csat')).toEqual({ kind: 'none' });
  });
});

describe('parseSurveyAnswer: the answers a survey names, as words', () => {
  it.each([
    ['Very satisfied', 'csat', 5],
    ['Satisfied', 'csat', 4],
    ['Neutral', 'csat', 3],
    ['Neither satisfied nor dissatisfied', 'csat', 3],
    ['Dissatisfied.', 'csat', 2],
    ['Very dissatisfied!', 'csat', 1],
    ["I'm very satisfied, thanks", 'csat', 5],
    ['Muy satisfecha', 'csat', 5],
    ['5 - very satisfied', 'csat', 5],
    ['Extremely likely', 'nps', 10],
    ['Extremely likely to recommend you to a friend', 'nps', 10],
    ['Not likely at all', 'nps', 0],
    ['Not at all likely', 'nps', 0],
    ['Strongly agree', 'ces', 7],
    ['Neither agree nor disagree', 'ces', 4],
    ['Strongly disagree', 'ces', 1],
  ] as const)('%j on %s -> %i', (text, type, want) => {
    expect(score(text, type)).toEqual({ kind: 'score', score: want });
  });

  it.each([
    ['Agree', 'ces'],
    ['Somewhat agree', 'ces'],
    ['Very likely', 'nps'],
    ['Not likely', 'nps'],
    ['Not satisfied', 'csat'],
    ['Unsatisfied', 'csat'],
    ['Extremely satisfied', 'csat'],
    ['Very satisfied with everything but the wait', 'csat'],
    ['100% satisfied', 'csat'],
  ] as const)('flags words the survey does not name: %j on %s', (text, type) => {
    expect(score(text, type)).toMatchObject({ kind: 'review', reason: expect.stringContaining('is not one of the answers the') });
  });

  it('flags a word and a number that disagree, and ignores another scale\'s words', () => {
    expect(score('4 - very satisfied', 'csat')).toMatchObject({ kind: 'review', reason: 'more than one number (4, very satisfied)' });
    expect(score('9 - very likely')).toEqual({ kind: 'score', score: 9 });
    expect(score('Very satisfied')).toEqual({ kind: 'none' });
  });
});

describe('parseSurveyAnswer: a number counts only where it answers the survey', () => {
  it.each([
    ['a day and month', 'Refund of $25 received on 2 December, thanks', 'csat'],
    ['a month and day', 'Thanks! Delivered on December 2.', 'csat'],
    ['a day and month in German', 'Die Erstattung kam am 8. Dezember', 'csat'],
    ['a day and month in Spanish', 'Recibido el 8 de diciembre', 'csat'],
    ['a date with "until"', 'until 8 December', 'nps'],
    ['money', 'Paid 5 euros', 'csat'],
  ] as const)('ignores %s: %j', (_what, text, type) => {
    expect(score(text, type)).toEqual({ kind: 'none' });
  });

  it.each([
    ['a count', 'I had to call 4 times', 'csat'],
    ['a count after "give"', 'I give 2 thumbs up', 'csat'],
    ['a duration', 'It arrived 2 days late', 'csat'],
    ['a duration glued to its unit', 'A 2-day delay', 'csat'],
    ['a count in words', 'I had two problems', 'nps'],
    ['an order number', 'My order 45 arrived', 'nps'],
    ['a numbered reference', 'order #9', 'nps'],
    ['an extension', 'Ext. 7', 'nps'],
    ['a labelled room', 'Room: 3', 'csat'],
    ['a time without am or pm', 'Call me at 9', 'nps'],
    ['a day and month written as a fraction', 'It arrived 3/10', 'nps'],
    ['a number after a word that gives no rating', 'I waited 2.', 'csat'],
    ['a number glued to letters', '9ish', 'nps'],
    ['a number in brackets', 'See attached (1)', 'csat'],
    ['a copy of a file', 'Attachment: invoice (2).pdf', 'csat'],
    ['a footnote', '[1] https://example.com/invoice', 'csat'],
  ] as const)('flags %s, never reads it as a score: %j', (_what, text, type) => {
    expect(score(text, type)).toMatchObject({ kind: 'review', reason: expect.stringContaining('does not read as an answer to the survey') });
  });

  it.each([
    ['Definitely not 0', 'negated ("not")'],
    ['Would not give a 10', 'negated ("not")'],
    ["I wouldn't give it a 10", "negated (\"wouldn't\")"],
    ['Never a 10', 'negated ("never")'],
    ['maybe 9', 'hedged ("maybe")'],
    ['about 8', 'hedged ("about")'],
    ['like a 7', 'hedged ("like")'],
    ['at least 8', 'hedged ("least")'],
    ['It would be a 10 if it had been faster', 'hedged ("would be")'],
    ['10 if it had been faster', 'given on a condition ("if")'],
    ['~8', 'qualified ("~")'],
    ['10+', 'qualified ("+")'],
    ['10?', 'a question'],
  ])('flags a negated or hedged number: %j', (text, why) => {
    expect(score(text)).toMatchObject({ kind: 'review', reason: expect.stringContaining(`is ${why}, not a plain score`) });
  });

  it('flags a stray number beside an answer, as two numbers', () => {
    expect(score('It took 2 weeks, 9')).toMatchObject({ kind: 'review', reason: 'more than one number (2, 9)' });
    expect(score('9 and a half')).toMatchObject({ kind: 'review', reason: expect.stringContaining('is not a whole number') });
  });

  it('reads a number after a spaced dash, and a reference before one, as no minus sign or range', () => {
    expect(score("Couldn't be happier - 10")).toEqual({ kind: 'score', score: 10 });
    expect(score('Great service - 10')).toEqual({ kind: 'score', score: 10 });
    expect(score('Ticket 4211 - 9')).toEqual({ kind: 'score', score: 9 });
    expect(score('-2')).toMatchObject({ kind: 'review' });
    expect(score('7 - 8')).toMatchObject({ kind: 'review', reason: '"7 - 8" is not one score' });
  });

  it('reads a number that answers, with a comment or after a rating word', () => {
    expect(score("I'd like to give you a 10")).toEqual({ kind: 'score', score: 10 });
    expect(score('Not bad, 8')).toEqual({ kind: 'score', score: 8 });
    expect(score('9, great job')).toEqual({ kind: 'score', score: 9 });
    expect(score('Score: 9')).toEqual({ kind: 'score', score: 9 });
    expect(score('9 because you called back')).toEqual({ kind: 'score', score: 9 });
    expect(score("I'd rate your service 8")).toEqual({ kind: 'score', score: 8 });
    expect(score("I'd give them 5 minutes")).toMatchObject({ kind: 'review', reason: expect.stringContaining('does not read as an answer') });
    expect(score('I gave up after 2')).toMatchObject({ kind: 'review', reason: expect.stringContaining('does not read as an answer') });
    expect(score('Refund received on 2 December, thanks. 5', 'csat')).toEqual({ kind: 'score', score: 5 });
  });
});

describe('asksNothingMore: an answer that leaves a solved ticket solved', () => {
  it.each([
    ['9', 'nps'],
    ['nine', 'nps'],
    ['Nine out of ten!', 'nps'],
    ['8 von 10, danke!', 'nps'],
    ['Extremely likely, thanks!', 'nps'],
    ["I'd give it a 9, thanks!", 'nps'],
    ['9 - quick and friendly, thanks', 'nps'],
    ['Thanks.\n\n9\n\nYou fixed it first time.', 'nps'],
    ['Very satisfied', 'csat'],
    ['⭐⭐⭐⭐', 'csat'],
    ['Strongly agree', 'ces'],
    ['Thanks!', 'nps'],
  ] as const)('%j on %s asks for nothing more', (text, type) => {
    expect(asksNothingMore(text, type)).toBe(true);
  });

  it.each([
    ['8, thanks - but when will the fix ship', 'nps'],
    ['Who do I talk to about my invoice?', 'nps'],
    ['9 but the refund is still missing', 'nps'],
    ['9, please call me', 'nps'],
    ['Satisfied, but not with the wait', 'csat'],
  ] as const)('%j on %s asks for more', (text, type) => {
    expect(asksNothingMore(text, type)).toBe(false);
  });
});

describe('tags', () => {
  it('round-trips the send time to the minute', () => {
    const at = new Date('2026-11-25T09:07:42Z');
    const tag = sentAtTag(at);
    expect(tag).toBe('survey_sent_at_202611250907');
    expect(sentAtFromTags(['x', tag, 'survey_sent_at_202601010000'])?.toISOString()).toBe('2026-11-25T09:07:00.000Z');
    expect(sentAtFromTags(['survey_sent'])).toBeNull();
  });

  it('reads one score per type from tags, none when they disagree', () => {
    expect(scoreFromTags(['nps_9', 'csat_4'], 'nps')).toBe(9);
    expect(scoreFromTags(['nps_9', 'nps_3'], 'nps')).toBeNull();
    expect(scoreFromTags(['ces_9'], 'ces')).toBeNull();
  });
});

describe('findAnswer', () => {
  const sentAt = new Date('2026-11-25T10:00:00Z');
  const c = (authorId: number, createdAt: string, body: string, pub = true) => ({ authorId, public: pub, body, createdAt });

  it('takes the requester reply after the survey comment, skipping older replies', () => {
    const found = findAnswer(
      [c(5, '2026-11-24T09:00:00Z', 'my order 3 is late'), c(1, '2026-11-25T10:00:05Z', 'How likely...'), c(5, '2026-11-25T11:00:00Z', 'Thanks!'), c(5, '2026-11-25T11:05:00Z', '10')],
      5,
      sentAt,
      'nps',
    );
    expect(found?.reading).toEqual({ kind: 'score', score: 10 });
    expect(found?.comment.body).toBe('10');
  });

  it('allows the client clock to run a few minutes ahead of the desk', () => {
    const found = findAnswer([c(1, '2026-11-25T09:57:00Z', 'How likely...'), c(5, '2026-11-25T09:58:00Z', '6')], 5, sentAt, 'nps');
    expect(found?.reading).toEqual({ kind: 'score', score: 6 });
  });

  it('does not take a reply to the agent\'s last message, minutes before the survey, as the answer', () => {
    const survey = new Date('2026-11-25T10:05:00Z');
    const found = findAnswer(
      [
        c(1, '2026-11-25T10:00:00Z', 'Fixed, I refunded order 3.'),
        c(5, '2026-11-25T10:01:00Z', 'Thanks, got 2 of them back'),
        c(1, '2026-11-25T10:05:30Z', 'How satisfied are you? Please reply with a number from 1 to 5'),
        c(5, '2026-11-25T10:30:00Z', '5'),
      ],
      5,
      survey,
      'csat',
    );
    expect(found?.reading).toEqual({ kind: 'score', score: 5 });
  });

  it('flags two different scores from the customer, and keeps one given twice', () => {
    const thread = [c(1, '2026-11-25T10:00:05Z', 'from 0 to 10'), c(5, '2026-11-25T10:10:00Z', '8'), c(5, '2026-11-25T10:12:00Z', 'Sorry, I meant 9')];
    expect(findAnswer(thread, 5, sentAt, 'nps')?.reading).toEqual({ kind: 'review', reason: 'the customer gave more than one score (8, then 9)' });
    const twice = [c(1, '2026-11-25T10:00:05Z', 'from 0 to 10'), c(5, '2026-11-25T10:10:00Z', '8'), c(5, '2026-11-25T10:12:00Z', 'yes, 8')];
    expect(findAnswer(twice, 5, sentAt, 'nps')?.reading).toEqual({ kind: 'score', score: 8 });
  });

  it('gives every reply the customer wrote with the answer, a question before the score too', () => {
    const question = c(5, '2026-11-25T10:10:00Z', 'Who do I talk to about my invoice?');
    const answer = c(5, '2026-11-25T10:12:00Z', '9');
    const found = findAnswer([c(1, '2026-11-25T10:00:05Z', 'from 0 to 10'), question, answer], 5, sentAt, 'nps');
    expect(found).toMatchObject({ reading: { kind: 'score', score: 9 }, comment: answer, replies: [question, answer] });
  });

  it('passes over an automatic reply, and reports one that came alone', () => {
    const survey = c(1, '2026-11-25T10:00:05Z', 'from 0 to 10');
    const away = c(5, '2026-11-25T10:00:30Z', 'I am out of the office until 8 December');
    expect(findAnswer([survey, away], 5, sentAt, 'nps')).toMatchObject({ reading: { kind: 'automatic' }, comment: away });
    const later = c(5, '2026-12-08T09:00:00Z', '9, thanks');
    expect(findAnswer([survey, away, later], 5, sentAt, 'nps')).toMatchObject({ reading: { kind: 'score', score: 9 }, comment: later });
    const thanks = c(5, '2026-12-08T09:00:00Z', 'Thanks, all good');
    expect(findAnswer([survey, away, thanks], 5, sentAt, 'nps')).toMatchObject({ reading: { kind: 'none' }, comment: thanks, replies: [thanks] });
  });

  it('gives null when the requester has not answered, and ignores internal notes', () => {
    expect(findAnswer([c(1, '2026-11-25T10:00:05Z', 'How likely...'), c(5, '2026-11-25T10:30:00Z', '9', false)], 5, sentAt, 'nps')).toBeNull();
  });
});

describe('surveyFigures', () => {
  const r = (type: SurveyRecord['type'], score: number | null, key = '', review = false): SurveyRecord => ({ type, key, score, review });

  it('computes NPS as % promoters minus % detractors', () => {
    const [f] = surveyFigures([r('nps', 10), r('nps', 9), r('nps', 8), r('nps', 3), r('nps', null), r('nps', null, '', true)]);
    expect(f).toMatchObject({ type: 'nps', sent: 6, scored: 4, responses: 5, response_rate: 83.3, promoters: 2, passives: 1, detractors: 1, value: 25, review: 1 });
    expect(f!.distribution['10']).toBe(1);
  });

  it('computes CSAT % satisfied and the CES mean, split by key', () => {
    const figures = surveyFigures([r('csat', 5, 'a'), r('csat', 2, 'a'), r('csat', 4, 'b'), r('ces', 7), r('ces', 4)]);
    expect(figures.map((f) => [f.type, f.key, f.value, f.detractors])).toEqual([
      ['csat', 'a', 50, 1],
      ['csat', 'b', 100, 0],
      ['ces', '', 5.5, 0],
    ]);
  });

  it('has no value without answers', () => {
    expect(surveyFigures([r('ces', null)])[0]).toMatchObject({ value: null, response_rate: 0 });
  });
});
