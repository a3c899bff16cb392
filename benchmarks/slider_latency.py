"""Slider-to-chart time on the three limitations pages (AppTest rerun after one control changes).

    python benchmarks/slider_latency.py [--repeats 5]

For every slider of the gradients, long-term and parallelism pages the control is moved
to a value not seen before in this process (so caches miss and the chart is really
recomputed), then moved back and forth between cached values; the script prints the
median rerun time of both kinds. A rerun is what Streamlit does between the browser
sending the new value and the new chart being sent back, so it is the server's part of
the slider-to-chart delay (the browser's drawing is not included).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

#: page → [(kind, key, fresh values (cache misses), the value to go back to)]
CONTROLS: dict[str, list[tuple[str, str, list, object]]] = {
    "pages/gradients.py": [
        ("slider", "grad_T", [200, 300, 400, 500, 250], 100),
        ("slider", "grad_rho", [0.5, 1.2, 1.7, 2.5, 3.0], 0.9),
        ("slider", "grad_H", [8, 16, 64, 96, 128], 32),
        ("number_input", "grad_seed", [1, 2, 3, 4, 5], 0),
        ("button_group", "grad_cell", ["LSTM", "GRU"], "Vanilla RNN"),
        ("select_slider", "grad_lr", [0.01, 0.02, 0.05, 0.2, 0.5], 0.1),
    ],
    "pages/long_term.py": [
        ("slider", "lt_gT", [20, 60, 80, 100, 120], 40),
        ("number_input", "lt_ex", [1, 2, 3, 4, 5], 0),
    ],
    "pages/parallelism.py": [
        ("select_slider", "par_Tmax", [16, 32, 64, 128, 256], 512),
        ("select_slider", "par_d", [16, 32, 128], 64),
    ],
}


def widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def timed_rerun(at: AppTest, kind: str, key: str, value) -> float:
    widget(at, kind, key).set_value(value)
    t0 = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{key}={value!r}: {at.exception[0].value}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="cached back-and-forth reruns per control")
    args = p.parse_args(argv)
    print(f"{'page':22s} {'control':8s} {'fresh (ms)':>11s} {'cached (ms)':>12s}")
    for page, controls in CONTROLS.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.switch_page(page)
        at.run()
        for kind, key, fresh, home in controls:
            new = [timed_rerun(at, kind, key, v) for v in fresh]
            timed_rerun(at, kind, key, home)
            cached = []
            for i in range(args.repeats):
                cached.append(timed_rerun(at, kind, key, fresh[i % len(fresh)] if i % 2 == 0 else home))
            print(f"{Path(page).stem:22s} {key:8s} {statistics.median(new) * 1e3:11.0f} "
                  f"{statistics.median(cached) * 1e3:12.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
