"""Rerun latency of every page after a widget change, next to an empty page's, and peak RSS.

    python benchmarks/app_latency.py [--repeats 15]

Each page is opened with ``streamlit.testing`` AppTest, then one widget is changed
``repeats`` times (alternating two values, so every rerun does real work); the
median and 95th percentile of those reruns are printed beside the same figures for a
one-line page (``st.write("hello")``) measured in the same process. Peak RSS is
the process's high-water mark (``ru_maxrss``) after all pages ran.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.lessons import built_lessons  # noqa: E402

#: page file → (what is changed, function(at, i) that changes it for rerun number i)
#: Each rerun gets a value it has not had before where the page caches results, so the
#: figure includes the real computation (a new melody, a new sentence, a new gradient).
SENTENCES = ["Apple Inc. is looking at buying UK startup for $1 billion.",
             "Angela Merkel met Emmanuel Macron in Paris.",
             "The World Cup final drew 1.5 billion viewers on Sunday.", "Shares of Toyota rose 3 percent in Tokyo.",
             "The Golden Gate Bridge was closed at 10 a.m. on Monday."]
ENGLISH = ["This is a French book.", "I like green apples.", "We will go to the beach tomorrow.",
           "She doesn't want to eat alone.", "Where is the train station?"]
ACTIONS: dict[str, tuple[str, Callable[[AppTest, int], AppTest]]] = {
    "pages/rnn_types.py": ("time-step scrubber", lambda at, i: at.slider(key="rt_step").set_value(1 + i % 5)),
    "pages/music.py": ("random seed (new 64-note melody)",
                       lambda at, i: at.number_input(key="mus_seed").set_value(100 + i)),
    "pages/ner.py": ("text (new sentence)",
                     lambda at, i: at.text_area(key="ner_text").set_value(f"{SENTENCES[i % 5]} ({i})")),
    "pages/translation.py": ("English sentence", lambda at, i: at.text_input(key="tr_en").set_value(
        ENGLISH[i % 5] if i < 5 else f"{ENGLISH[i % 5][:-1]} {'now' if i % 2 else 'today'}{ENGLISH[i % 5][-1]}")),
    "pages/gradients.py": ("random seed (new gradient)",
                           lambda at, i: at.number_input(key="grad_seed").set_value(1 + i)),
    "pages/long_term.py": ("example sequence (gate heatmap)",
                           lambda at, i: at.number_input(key="lt_ex").set_value(1 + i)),
    "pages/parallelism.py": ("batch size (re-timed)",
                             lambda at, i: at.select_slider(key="par_B").set_value([1, 2, 4, 16, 32][i % 5])),
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(at: AppTest, change: Callable[[AppTest, int], AppTest], repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        change(at, i)
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError(f"page raised: {at.exception[0].message}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    rows = []
    empty = AppTest.from_string('import streamlit as st\nst.write("hello")', default_timeout=60).run()
    base = measure(empty, lambda at, i: at, args.repeats)
    rows.append(("empty one-line page", "rerun", base))
    for lesson in built_lessons():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.switch_page(lesson.file)
        at.run()  # first run: loads (and caches) the models
        what, change = ACTIONS.get(lesson.file, ("plain rerun", lambda a, i: a))
        rows.append((lesson.title, what, measure(at, change, args.repeats)))

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("| page | widget changed | median ms | p95 ms | × empty page (median) |")
    print("|---|---|---|---|---|")
    base_median = statistics.median(base)
    for name, what, times in rows:
        med = statistics.median(times)
        print(f"| {name} | {what} | {med:.0f} | {percentile(times, 0.95):.0f} | {med / base_median:.1f} |")
    print(f"\nPeak RSS of the benchmark process after all pages: {peak_mb:.0f} MB "
          f"({args.repeats} reruns per page, Python {sys.version.split()[0]}).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
