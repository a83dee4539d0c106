/**
 * The largest recent observation, fading with time: it halves every `halfLifeMs` of quiet and never goes
 * below `floor`. Load shedding judges from it whether work can still finish; a maximum that faded only
 * when new work finished would, after a burst, refuse every request and so never see one finish again.
 */
export class FadingMax {
  private peak: number;
  private at: number;

  constructor(
    private readonly floor: number,
    private readonly halfLifeMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.peak = floor;
    this.at = this.now();
  }

  value(): number {
    const quiet = Math.max(0, this.now() - this.at);
    return Math.max(this.floor, this.peak * 0.5 ** (quiet / this.halfLifeMs));
  }

  observe(sample: number): void {
    this.peak = Math.max(sample, this.value());
    this.at = this.now();
  }
}
