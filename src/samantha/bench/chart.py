"""The waterfall of the median turn, as a PNG (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path


def waterfall(marks: dict[str, tuple[float, float]], naive: dict[str, tuple[float, float]],
              path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(f"stream: {k}", v) for k, v in marks.items()] + \
        [(f"naive: {k}", v) for k, v in naive.items()]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.2))
    for i, (label, (start, end)) in enumerate(rows):
        color = "tab:blue" if label.startswith("stream") else "tab:gray"
        ax.barh(i, max(end - start, 0.01), left=start, color=color)
        ax.text(end + 0.02, i, f"{end:.2f} s", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [label for label, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("seconds after the true end of speech")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
