import { clip, intersect, subtract, total, union } from './intervals';

const i = (from: number, to: number) => ({ from, to });

describe('intervals', () => {
  it('union merges overlapping and touching intervals, drops empty ones, sorts by time', () => {
    expect(union([i(5, 7), i(1, 3), i(2, 4), i(4, 5), i(9, 9), i(10, 12)])).toEqual([i(1, 7), i(10, 12)]);
    expect(total(union([i(0, 10), i(5, 15)]))).toBe(15);
  });

  it('intersect keeps the time in both', () => {
    expect(intersect([i(0, 10), i(20, 30)], [i(5, 25)])).toEqual([i(5, 10), i(20, 25)]);
    expect(intersect([i(0, 10)], [i(10, 20)])).toEqual([]);
  });

  it('subtract cuts holes and trims ends', () => {
    expect(subtract([i(0, 100)], [i(10, 20), i(50, 60), i(90, 120)])).toEqual([
      i(0, 10),
      i(20, 50),
      i(60, 90),
    ]);
    expect(subtract([i(0, 10)], [i(0, 10)])).toEqual([]);
    expect(subtract([i(0, 10), i(20, 30)], [])).toEqual([i(0, 10), i(20, 30)]);
  });

  it('clip keeps the part inside a window', () => {
    expect(clip(i(0, 10), i(5, 20))).toEqual(i(5, 10));
    expect(clip(i(0, 5), i(5, 20))).toBeNull();
  });
});
