"""Print the model card's result tables (markdown) from measure.py's metrics.json.

python -m models.training.card_tables models/emotion/metrics_v2.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FER7 = ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")


def pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f} %"


def results(m: dict[str, Any]) -> str:
    rows = [
        ("ours, int8 (shipped, 1 invocation)", m["int8"]),
        ("ours, int8 + flip TTA (2 invocations)", m["int8_flip_tta"]),
    ]
    if "float" in m:
        rows.append(("ours, float reference", m["float"]))
    rows.append((f"fer mini-Xception ({m['baseline']['key']})", m["baseline"]))
    if "baseline_flip_tta" in m:
        rows.append(("fer mini-Xception + flip TTA (2 invocations)", m["baseline_flip_tta"]))
    out = [
        "| model | acc 7 | acc 6 | acc 7 dedup | acc 6 dedup | ECE 7 | ECE 6 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in rows:
        a, d = r["all"], r["dedup"]
        out.append(
            f"| {name} | {pct(a['accuracy_7'])} | {pct(a['accuracy_6'])} | {pct(d['accuracy_7'])} | "
            f"{pct(d['accuracy_6'])} | {a['ece_7']:.3f} | {a['ece_6']:.3f} |"
        )
    return "\n".join(out)


def confusion(m: dict[str, Any]) -> str:
    a = m["int8"]["all"]
    out = ["| true \\ predicted | " + " | ".join(FER7) + " | recall |", "|---" * 9 + "|"]
    for name, row in zip(FER7, a["confusion_7"], strict=True):
        out.append(
            f"| {name} | " + " | ".join(str(v) for v in row) + f" | {pct(a['per_class_recall_7'][name])} |"
        )
    return "\n".join(out)


def main() -> int:
    m = json.loads(Path(sys.argv[1]).read_text())
    print(results(m), "\n")
    print(confusion(m), "\n")
    s = m["int8_subset_first_600"]
    print(
        f"Fixed subset check (first 600 PublicTest faces, eval-emotion): accuracy_7 = {s['accuracy_7']:.4f}, "
        f"accuracy_6 = {s['accuracy_6']:.4f}"
    )
    print(
        "agreement int8/float:",
        m.get("int8_float_agreement"),
        "latency:",
        m["int8_latency_1thread"],
        "baseline latency:",
        m["baseline"]["latency_1thread"],
        "dups:",
        m["n_duplicates"],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
