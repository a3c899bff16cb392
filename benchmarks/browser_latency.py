"""Browser latency: from a widget change to the page's last DOM change, next to an empty app.

    python benchmarks/browser_latency.py [--repeats 5] [--only ner,music]

Starts this app and a bare Streamlit app (a text box, a slider and a button, nothing else) with
``streamlit run`` on free 127.0.0.1 ports and drives both in one headless Chromium. For each
lesson's main interaction (type a sentence, move the step slider, press New melody, …) it records
``performance.now()`` just before the change and the time of the last DOM mutation (a
``MutationObserver`` on the whole document) once Streamlit's script state is ``notRunning`` and the
page has been quiet for a second. The same kind of interaction on the bare app is the baseline;
the budget (issue 18) is every interaction ≤ 5× the bare app's median for its kind.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_until_idle  # noqa: E402

BARE_APP = '''import streamlit as st
st.title("Empty app")
text = st.text_area("Text", "hello")
value = st.slider("Value", 0, 100, 10)
st.session_state.setdefault("presses", 0)
if st.button("Press"):   # every press changes the page (a repeated "pressed" would change nothing)
    st.session_state["presses"] += 1
st.write(f"pressed {st.session_state['presses']} times")
st.write(text, value)
'''

OBSERVER_JS = """() => {
  window.__lastMutation = performance.now();
  if (!window.__observer) {
    window.__observer = new MutationObserver(() => { window.__lastMutation = performance.now(); });
    window.__observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  }
  return performance.now();
}"""
SCRIPT_STATE_JS = """() => {
  const el = document.querySelector('[data-test-script-state]');
  return el ? el.getAttribute('data-test-script-state') : 'unknown';
}"""


@dataclass(frozen=True)
class Interaction:
    page: str      # url path ("" for the bare app's root)
    kind: str      # "text", "slider" or "button"
    label: str     # the widget's accessible label (text and slider) or the button's text
    what: str      # how the README names it
    values: tuple[str, ...] = ()   # texts typed in turn (kind "text")


#: Each lesson's main interaction. The bare app's three give the baseline for each kind.
BARE = {
    "text": Interaction("", "text", "Text", "type a text", ("one two three", "four five six")),
    "slider": Interaction("", "slider", "Value", "move a slider"),
    "button": Interaction("", "button", "Press", "press a button"),
}
LESSONS = (
    Interaction("rnn_types", "slider", "Time step", "move the step slider"),
    Interaction("music", "button", "New melody", "press New melody"),
    Interaction("sentiment", "text", "Type a review", "type a review",
                ("The battery is great, not bad at all.", "Bad, not good: the screen broke.")),
    Interaction("ner", "text", "Text to tag", "type a sentence",
                ("Steve Jobs founded Apple Inc. in Cupertino.", "Jane Smith flew to London on Monday.")),
    Interaction("translation", "text", "English sentence", "type a sentence",
                ("Jane visits Africa in September.", "Where is the nearest train station?")),
    Interaction("gradients", "slider", "Sequence length T", "move the T slider"),
    Interaction("long_term", "slider", "Sequence length T", "move the lag slider"),
    Interaction("parallelism", "slider", "Longest sequence T", "move the T slider"),
)


def _wait_done(page, quiet_s: float = 1.0, timeout_s: float = 120.0) -> float:
    """Wait until the script is not running and no mutation came for ``quiet_s``; return the last mutation."""
    deadline = time.monotonic() + timeout_s
    page.wait_for_timeout(150)   # let the rerun start
    while time.monotonic() < deadline:
        state = page.evaluate(SCRIPT_STATE_JS)
        now, last = page.evaluate("() => [performance.now(), window.__lastMutation]")
        if state != "running" and now - last > quiet_s * 1000:
            return float(last)
        page.wait_for_timeout(100)
    raise TimeoutError("the page never settled")


def _act(page, step: Interaction, i: int) -> None:
    if step.kind == "text":
        box = page.get_by_label(step.label).first
        box.fill(step.values[i % len(step.values)])
        box.press("Control+Enter")
    elif step.kind == "slider":
        slider = page.get_by_role("slider", name=step.label).first
        slider.focus()
        slider.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
    else:
        page.get_by_role("button", name=step.label).first.click()


def measure(page, url: str, step: Interaction, repeats: int) -> list[float]:
    """Milliseconds from each change to the last DOM change, ``repeats`` times."""
    page.goto(f"{url}/{step.page}")
    wait_until_idle(page)
    out = []
    for i in range(repeats):
        t0 = page.evaluate(OBSERVER_JS)
        _act(page, step, i)
        out.append(_wait_done(page) - t0)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--only", default="", help="comma-separated lesson url paths (default: all)")
    args = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    only = {s for s in args.only.split(",") if s}
    lessons = [s for s in LESSONS if not only or s.page in only]
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE_APP)
        with streamlit_server(script=bare) as bare_url, streamlit_server() as app_url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            base = {kind: measure(page, bare_url, step, args.repeats) for kind, step in BARE.items()}
            rows = [(f"empty app: {s.what}", s.kind, base[s.kind]) for s in BARE.values()]
            for step in lessons:
                try:
                    rows.append((f"{step.page}: {step.what}", step.kind, measure(page, app_url, step, args.repeats)))
                except Exception as exc:  # report and go on: one page's change must not hide the others
                    print(f"{step.page}: could not measure ({type(exc).__name__}: {str(exc)[:120]})")
            browser.close()
    print("| interaction | median ms | max ms | × empty app (same kind) | within 5× |")
    print("|---|---:|---:|---:|---|")
    for name, kind, times in rows:
        ratio = statistics.median(times) / statistics.median(base[kind])
        print(f"| {name} | {statistics.median(times):.0f} | {max(times):.0f} | {ratio:.1f} | "
              f"{'yes' if ratio <= 5 else 'NO'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
