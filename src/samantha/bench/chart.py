"""The bench's PNG (matplotlib, headless): the waterfall of the median turn, and where measured,
the end-of-turn figures (cut-off rate and endpoint delay, fixed hang-over against Smart Turn)
and the wake word's (false wakes per hour, misses by condition, idle CPU per mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def waterfall(marks: dict[str, tuple[float, float]], naive: dict[str, tuple[float, float]],
              path: Path, title: str, report: dict[str, Any] | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(f"stream: {k}", v) for k, v in marks.items()] + \
        [(f"naive: {k}", v) for k, v in naive.items()]
    extras = [k for k in ("end_of_turn", "wake") if report and report.get(k)]
    height = 0.45 * len(rows) + 1.2
    fig, axes = plt.subplots(1 + len(extras), 1, squeeze=False,
                             figsize=(9, height + 2.6 * len(extras)),
                             gridspec_kw={"height_ratios": [height] + [2.6] * len(extras)})
    ax = axes[0][0]
    for i, (label, (start, end)) in enumerate(rows):
        color = "tab:blue" if label.startswith("stream") else "tab:gray"
        ax.barh(i, max(end - start, 0.01), left=start, color=color)
        ax.text(end + 0.02, i, f"{end:.2f} s", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [label for label, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("seconds after the true end of speech")
    ax.set_title(title, fontsize=10)
    for k, key in enumerate(extras):
        assert report is not None
        (_end_of_turn if key == "end_of_turn" else _wake)(axes[k + 1][0], report[key])
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _end_of_turn(ax: Any, eot: dict[str, Any]) -> None:
    labels, cut, delay = [], [], []
    for key, label in (("fixed", f"fixed {eot['hangover_s']:g} s"), ("words", "words so far"),
                       ("smart_turn", "Smart Turn")):
        if key in eot:
            labels.append(label)
            cut.append(100 * eot[key]["cut_off_rate"])
            delay.append(eot[key]["endpoint_delay_s"]["p50"] or 0.0)
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], cut, width=0.4, color="tab:red", label="cut-off rate (%)")
    twin = ax.twinx()
    twin.bar([x + 0.2 for x in xs], delay, width=0.4, color="tab:green",
             label="endpoint delay p50 (s)")
    for x, c, d in zip(xs, cut, delay, strict=True):
        ax.text(x - 0.2, c, f"{c:.0f}%", ha="center", va="bottom", fontsize=8)
        twin.text(x + 0.2, d, f"{d:.2f} s", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(xs), labels, fontsize=8)
    ax.set_ylabel("cut-off rate (%)", fontsize=8)
    twin.set_ylabel("endpoint delay p50 (s)", fontsize=8)
    ax.set_title(f"end of turn: {eot['paused']} sentences with a pause inside, "
                 f"{eot['items'] - eot['paused']} without", fontsize=9)


def _wake(ax: Any, wake: dict[str, Any]) -> None:
    conds = list(wake["misses"])
    rates = []
    for cond in conds:
        missed, tried = (int(n) for n in wake["misses"][cond].split("/"))
        rates.append(100 * missed / max(tried, 1))
    ax.bar(conds, rates, color="tab:orange")
    for i, r in enumerate(rates):
        ax.text(i, r, f"{r:.0f}%", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("missed (%)", fontsize=8)
    ax.tick_params(labelsize=8)
    idle = ", ".join(f"{k} {v}%" for k, v in wake["idle_cpu_pct"].items())
    ax.set_title(f"wake word {wake['model']}: {wake['false_wakes_per_hour']:g} false wakes/h "
                 f"over {wake['hours']:g} h; miss rate {wake['miss_rate']:.0%}; idle CPU {idle}",
                 fontsize=9)
