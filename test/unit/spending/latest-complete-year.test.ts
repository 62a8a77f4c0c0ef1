import { latestCompleteYear } from '../../../src/modules/spending/spending.service';

describe('latestCompleteYear', () => {
  it('when the newest year is partial, then the newest complete year is the default', () => {
    expect(
      latestCompleteYear([
        { year: 2024, partial: false },
        { year: 2025, partial: true },
        { year: 2022, partial: false },
      ]),
    ).toBe(2024);
  });
  it('when no year is complete, then the newest partial year is the default', () => {
    expect(
      latestCompleteYear([
        { year: 2025, partial: true },
        { year: 2026, partial: true },
      ]),
    ).toBe(2026);
  });
  it('when there is no year, then there is no default', () => {
    expect(latestCompleteYear([])).toBeNull();
  });
});
