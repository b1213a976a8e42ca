"""The posterior report: tempering diagnostics and prior-to-posterior contraction, as text and a
chart (docs/uncertainty.md §4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nmmsim.posterior import PosteriorSample

__all__ = ["contraction_markdown", "plot_contraction", "posterior_text"]

#: A contraction below this is "the history says little": the posterior is nearly the prior.
WEAK_CONTRACTION = 0.1


def posterior_text(sample: PosteriorSample) -> str:
    """The stages, the effective sample size and one line per parameter, as fixed-width text."""
    lines = [
        f"Posterior: {sample.particles:,} particles, {len(sample.stages)} tempering stages, "
        f"{sample.evaluations} history runs of the whole batch, {sample.seconds:.0f} s; "
        f"{sample.size:,} particles kept (ESS {sample.ess:,.0f})",
        "",
        f"{'stage':>5} {'temperature':>12} {'ESS':>10} {'moves':>6} {'acceptance':>11}",
    ]
    lines += [f"{k:>5} {s.temperature:>12.4g} {s.ess:>10,.0f} {s.moves:>6} {s.acceptance:>11.2f}"
              for k, s in enumerate(sample.stages, start=1)]
    table = sample.table()
    lines += ["", f"{'Parameter':<38} {'prior median':>12} {'posterior median':>16} "
              f"{'90% interval':>22} {'contraction':>11}"]
    for name, row in table.iterrows():
        interval = f"[{row.posterior_q05:.4g}, {row.posterior_q95:.4g}]"
        lines.append(f"{name:<38} {row.prior_median:>12.4g} {row.posterior_median:>16.4g} "
                     f"{interval:>22} {row.contraction:>11.0%}")
    weak = int(np.sum(table.contraction < WEAK_CONTRACTION))
    lines += ["", f"Contraction is 1 - posterior sd / prior sd. The history narrows "
              f"{len(table) - weak} of {len(table)} quantities by {WEAK_CONTRACTION:.0%} or more; "
              f"the other {weak} stay close to their priors."]
    return "\n".join(lines)


def plot_contraction(sample: PosteriorSample, path: str | Path) -> Path:
    """Bar chart of every parameter's contraction, sorted, and write it as PNG."""
    from nmmsim.plot import pyplot, write_png

    plt = pyplot()
    table = sample.table().sort_values("contraction")
    path = Path(path)
    figure, axis = plt.subplots(figsize=(8.0, 0.18 * len(table) + 1.5), layout="constrained")
    colours = ["tab:blue" if c >= WEAK_CONTRACTION else "tab:gray" for c in table.contraction]
    axis.barh(table.index, table.contraction, color=colours)
    axis.axvline(WEAK_CONTRACTION, color="black", linewidth=0.8, linestyle=":")
    axis.set_xlabel("contraction: 1 - posterior sd / prior sd")
    axis.set_xlim(min(-0.1, float(table.contraction.min())), 1.0)
    axis.tick_params(axis="y", labelsize=7)
    axis.set_title("What the 2020-2024 history tells: prior-to-posterior contraction\n"
                   f"(grey: below {WEAK_CONTRACTION:.0%}, the posterior is nearly the prior)",
                   fontsize=10)
    return write_png(figure, path, dpi=110)


def contraction_markdown(sample: PosteriorSample) -> str:
    """The contraction table as Markdown rows, as docs/uncertainty.md shows it (tested)."""
    rows = ["| quantity | prior median | posterior median | posterior 90% interval | "
            "contraction |", "|---|---:|---:|---:|---:|"]
    for name, row in sample.table().sort_values("contraction", ascending=False).iterrows():
        rows.append(f"| `{name}` | {row.prior_median:.4g} | {row.posterior_median:.4g} | "
                    f"[{row.posterior_q05:.4g}, {row.posterior_q95:.4g}] | "
                    f"{row.contraction:.0%} |")
    return "\n".join(rows)
