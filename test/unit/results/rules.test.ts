import { indicatorsOnTrack, onTrack } from '../../../src/modules/results';

describe('results rules', () => {
  it('when an indicator improves upward, then it is on track only when the actual reaches the baseline target', () => {
    expect(onTrack({ baseline_target: 65, actual: 65 }, 'up')).toBe(true);
    expect(onTrack({ baseline_target: 65, actual: 64.9 }, 'up')).toBe(false);
  });

  it('when an indicator improves downward, then it is on track only when the actual is at or below the baseline target', () => {
    expect(onTrack({ baseline_target: 36, actual: 35.2 }, 'down')).toBe(true);
    expect(onTrack({ baseline_target: 36, actual: 37.5 }, 'down')).toBe(false);
  });

  it('when the year has no target or no actual yet, then there is no flag', () => {
    expect(onTrack({ baseline_target: null, actual: 10 }, 'up')).toBeNull();
    expect(onTrack({ baseline_target: 10, actual: null }, 'up')).toBeNull();
  });

  it('when targets of several levels are judged, then met and total are weighted 1, 2, 3, 4 from process to final result, and a target with no actual counts as not met', () => {
    expect(
      indicatorsOnTrack([
        { level: 'final_result', direction: 'down', baseline_target: 36, actual: 35 },
        { level: 'intermediate_result', direction: 'up', baseline_target: 50, actual: 40 },
        { level: 'product', direction: 'up', baseline_target: 65, actual: null },
        { level: 'process', direction: 'up', baseline_target: 10, actual: 12 },
        { level: 'product', direction: 'up', baseline_target: null, actual: 99 },
      ]),
    ).toEqual({ met: 4 + 1, total: 4 + 3 + 2 + 1 });
  });
});
