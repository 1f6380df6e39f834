import { describe, expect, it } from 'vitest';
import {
  findAnswer,
  parseSurveyAnswer,
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
  ])('%j -> %i', (text, want) => {
    expect(score(text)).toEqual({ kind: 'score', score: want });
  });

  it('reads only the reply, not the quoted survey under it', () => {
    const reply = '7\n\nOn Tue, 24 Nov 2026 at 10:00, Alex Morgan <alex@example.com> wrote:\n> Please reply with a number from 0 to 10';
    expect(score(reply)).toEqual({ kind: 'score', score: 7 });
    expect(score('> from 0 to 10\n8')).toEqual({ kind: 'score', score: 8 });
    expect(stripQuoted('6\n-----Original Message-----\n0 to 10')).toBe('6');
  });

  it('does not read "one" used as a word', () => {
    expect(score('9, one thing though: the wait')).toEqual({ kind: 'score', score: 9 });
    expect(score('no one answered for days')).toEqual({ kind: 'none' });
  });

  it('uses the scale of the survey', () => {
    expect(score('5', 'csat')).toEqual({ kind: 'score', score: 5 });
    expect(score('7', 'ces')).toEqual({ kind: 'score', score: 7 });
    expect(score('5/5', 'csat')).toEqual({ kind: 'score', score: 5 });
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
    ['order 12345 came late, 6', 'more than one number'],
  ])('%j', (text, reason) => {
    const r = score(text);
    expect(r.kind).toBe('review');
    expect(r.kind === 'review' && r.reason).toContain(reason);
  });

  it('flags numbers off the scale of the survey type', () => {
    expect(score('0', 'csat')).toMatchObject({ kind: 'review' });
    expect(score('9', 'ces')).toMatchObject({ kind: 'review', reason: expect.stringContaining('CES scale (1 to 7)') });
    expect(score('9/10', 'csat')).toMatchObject({ kind: 'review' });
  });

  it('gives no answer for a reply with no number', () => {
    expect(score('Thanks, all good now')).toEqual({ kind: 'none' });
    expect(score('')).toEqual({ kind: 'none' });
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

  it('gives null when the requester has not answered, and ignores internal notes', () => {
    expect(findAnswer([c(1, '2026-11-25T10:00:05Z', 'How likely...'), c(5, '2026-11-25T10:30:00Z', '9', false)], 5, sentAt, 'nps')).toBeNull();
  });
});

describe('surveyFigures', () => {
  const r = (type: SurveyRecord['type'], score: number | null, key = '', review = false): SurveyRecord => ({ type, key, score, review });

  it('computes NPS as % promoters minus % detractors', () => {
    const [f] = surveyFigures([r('nps', 10), r('nps', 9), r('nps', 8), r('nps', 3), r('nps', null), r('nps', null, '', true)]);
    expect(f).toMatchObject({ type: 'nps', sent: 6, answered: 4, response_rate: 66.7, promoters: 2, passives: 1, detractors: 1, value: 25, review: 1 });
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
