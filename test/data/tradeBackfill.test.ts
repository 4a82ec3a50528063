import { of, Subject, throwError, type Observable } from 'rxjs';
import type { TradeTick } from '../../src/model/data';
import { InstrumentId } from '../../src/model/identifiers';
import { WsTradeTick, type SequencedTrade } from '../../src/data/model';
import { TradeSequencer, type TradeAnchor, type TradeGap } from '../../src/data/tradeBackfill';
import { restTrade } from './fakeVenue';

const ID = InstrumentId.from('BTC/USD.KRAKEN');

function trade(sequence: number): SequencedTrade {
  return new WsTradeTick(ID, 100, 1, 'BUYER', sequence, 1_000 + sequence, 0, sequence);
}

function rest(sequence: number): TradeTick {
  return restTrade(ID, String(sequence), 100, 1_000 + sequence);
}

describe('TradeSequencer', () => {
  function setup(fetch: (after: TradeAnchor, before: SequencedTrade) => Observable<readonly TradeTick[]>) {
    const emitted: string[] = [];
    const gaps: TradeGap[] = [];
    const asked: [number, number][] = [];
    const sequencer = new TradeSequencer((t) => emitted.push(t.tradeId), {
      fetchMissing: (after, before) => {
        asked.push([after.sequence, before.sequence]);
        return fetch(after, before);
      },
      onGap: (gap) => gaps.push(gap),
    });
    return { sequencer, emitted, gaps, asked };
  }

  it('takes the first snapshot as its starting point and drops what it already emitted', () => {
    const { sequencer, emitted, asked } = setup(() => of([]));
    sequencer.snapshot([trade(3), trade(1), trade(2)]);
    sequencer.accept(trade(4));
    sequencer.snapshot([trade(2), trade(3), trade(4), trade(5)]); // a resubscription's replay
    sequencer.accept(trade(5));
    sequencer.accept(trade(6));
    expect(emitted).toEqual(['4', '5', '6']);
    expect(asked).toEqual([]);
  });

  it('holds live trades while REST answers, then emits the recovered ones first', () => {
    const answer = new Subject<TradeTick[]>();
    const { sequencer, emitted, gaps, asked } = setup(() => answer);
    sequencer.accept(trade(10));
    sequencer.accept(trade(13));
    sequencer.accept(trade(15));
    sequencer.accept(trade(14));
    expect(emitted).toEqual(['10']);
    expect(asked).toEqual([[10, 13]]);
    answer.next([rest(11), rest(12)]);
    answer.complete();
    expect(emitted).toEqual(['10', '11', '12', '13', '14', '15']);
    expect(gaps).toEqual([]);
  });

  it('reports a failed fetch as a gap and carries on from the trade after the hole', () => {
    const { sequencer, emitted, gaps } = setup(() => throwError(() => new Error('EService:Unavailable')));
    sequencer.accept(trade(1));
    sequencer.accept(trade(4));
    sequencer.accept(trade(5));
    expect(emitted).toEqual(['1', '4', '5']);
    expect(gaps).toEqual([
      expect.objectContaining({ fromSequence: 2, toSequence: 3, missing: 2, recovered: 0, error: expect.any(Error) }),
    ]);
    expect(gaps[0].reason).toContain('EService:Unavailable');
  });

  it('fills a second hole found among the held trades', () => {
    const { sequencer, emitted, asked } = setup((after, before) => {
      const out: TradeTick[] = [];
      for (let s = after.sequence + 1; s < before.sequence; s++) out.push(rest(s));
      return of(out);
    });
    sequencer.accept(trade(1));
    sequencer.accept(trade(3));
    sequencer.accept(trade(6));
    expect(asked).toEqual([
      [1, 3],
      [3, 6],
    ]);
    expect(emitted).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('stops waiting for REST when disposed', () => {
    const answer = new Subject<TradeTick[]>();
    const { sequencer, emitted } = setup(() => answer);
    sequencer.accept(trade(1));
    sequencer.accept(trade(3));
    sequencer.dispose();
    expect(answer.observed).toBe(false);
    expect(emitted).toEqual(['1']);
  });
});

describe('TradeSequencer without contiguous numbering (Futures)', () => {
  function setup(fetched: TradeTick[]) {
    const emitted: string[] = [];
    const asked: [number, number][] = [];
    const sequencer = new TradeSequencer((t) => emitted.push(t.tradeId), {
      contiguous: false,
      fetchMissing: (after, before) => {
        asked.push([after.sequence, before.sequence]);
        return of(fetched);
      },
      onGap: () => undefined,
    });
    return { sequencer, emitted, asked };
  }

  it('emits increasing numbers without asking REST about jumps', () => {
    const { sequencer, emitted, asked } = setup([]);
    sequencer.accept(trade(1));
    sequencer.accept(trade(5));
    sequencer.accept(trade(5));
    sequencer.accept(trade(9));
    expect(emitted).toEqual(['1', '5', '9']);
    expect(asked).toEqual([]);
  });

  it('a replay that still reaches the last trade needs no REST; one that does not is filled without duplicates', () => {
    const { sequencer, emitted, asked } = setup([rest(5), rest(6), rest(7), rest(8)]);
    sequencer.snapshot([]);
    sequencer.accept(trade(5));
    sequencer.snapshot([trade(4), trade(5), trade(6)]);
    expect(asked).toEqual([]);
    sequencer.snapshot([trade(9), trade(8)]);
    expect(asked).toEqual([[6, 8]]);
    expect(emitted).toEqual(['5', '6', '7', '8', '9']);
  });
});
