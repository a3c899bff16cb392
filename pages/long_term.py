"""Long-term dependencies: RNN vs LSTM vs GRU trained live on the adding problem, and how far back
the trained melody models look."""

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from ui import heavy
from ui.charts import CHART
from ui.inputs import whole_number_input
from ui.lessons import ensure_app_navigation, lesson_link
from ui.presentation import controls, intro, screens
from ui.teaching import Answer, checkpoint, locked

ensure_app_navigation()  # first visit after a server start: go through app.py
st.title("Long-term dependencies")
intro(
    "The *adding problem*: every step of a sequence carries a number between 0 and 1, and "
    "exactly two steps are marked, one in the first half and one in the second. At the end the model must output "
    "the sum of the two marked numbers, so it has to carry the first one for at least T/2 steps while ignoring "
    "everything else. You train a vanilla RNN, an LSTM and a GRU with the same number of hidden units side by "
    "side, live, and watch whose loss leaves the trivial baseline (always answer 1, MSE = 1/6). A chart "
    "computed by a script in the repository then shows the whole picture across lengths, the LSTM's gates "
    "show how its memory is kept, and the melody models of the music lesson show how far back a trained network "
    "really looks."
)

# Heavy imports after the first paint: on a cold server importing torch takes seconds, and the title and intro
# are already on screen.
from sequence_models.limitations import lookback  # noqa: E402
from sequence_models.limitations.long_term import (BASELINE_MSE, CELL_NAMES, LEARNED, LENGTH_RANGE,  # noqa: E402
                                                   LIVE_DEFAULTS, LiveConfig,
                                                   adding_batch, budget_limited, curves_csv, load_across_lag,
                                                   load_live_check, load_lstm, lstm_gates, n_parameters,
                                                   train_side_by_side, verdict)
from sequence_models.runtime import AssetError, make_generator, use_inference_threads  # noqa: E402
from ui.long_term_figures import (MUSIC_NAMES, curve_figure, example_figure, gates_figure,  # noqa: E402
                                  lookback_figure, sweep_figure)

TIME_CAP = 45.0  # seconds; hard wall-clock cap of one live run (validated ≤ MAX_TIME_LIMIT)
STEP_CHOICES = sorted({250, 500, LIVE_DEFAULTS.steps, 1000, 1500, 2000, 3000})
LIVE_TUNES = 30  # the live look-back offers this many of the longest test tunes
PROBE_LAG = 50  # the look-back question and summaries read the gradient this many events back
FADED = 0.01  # a look-back curve has faded once it is below this share of its value at k = 0

use_inference_threads(1)


def loaded_or_error(load: Callable[[], Any]) -> tuple[Any, str | None]:
    """``(load(), None)``, or ``(None, the message)`` when the asset is missing or unreadable."""
    try:
        return load(), None
    except AssetError as exc:
        return None, str(exc)


@st.cache_resource(show_spinner=False)
def committed_lstm():
    """The LSTM saved by `python -m sequence_models train limitations` (or the error message)."""
    return loaded_or_error(load_lstm)


@st.cache_data(show_spinner=False)
def across_lag():
    return loaded_or_error(load_across_lag)


@st.cache_data(show_spinner=False)
def live_check():
    return load_live_check()


@st.cache_data(show_spinner=False)
def lookback_asset():
    return loaded_or_error(lookback.load_lookback)


@st.cache_resource(show_spinner="Loading the three melody models (once per server)…")
def melody_models():
    return lookback.load_models()


@st.cache_resource(show_spinner=False)
def test_tunes() -> dict[str, list[int]]:
    """Title → framed tokens of the longest test tunes of the music lesson (empty if the corpus is missing)."""
    from sequence_models.music.corpus import load_corpus
    try:
        tunes = sorted(load_corpus().tunes["test"], key=len, reverse=True)[:LIVE_TUNES]
    except AssetError:
        return {}
    out: dict[str, list[int]] = {}
    for tune in tunes:
        name = f"{tune.title.strip().title() or 'Untitled'} ({len(tune)} events)"
        out.setdefault(name, lookback.framed_tokens(tune.pitches, tune.ticks).tolist())
    return out


@st.cache_data(max_entries=64, show_spinner="Backpropagating through the three melody models…")
def live_lookback(name: str) -> dict:
    with heavy.slot():
        return lookback.tune_curves(melody_models(), test_tunes()[name])


def sweep_csv(data: dict) -> str:
    out = io.StringIO()
    cols = ["cell", "length", "seed", "test_mse", "relative_mse", "steps_used"]
    w = csv.DictWriter(out, fieldnames=cols, extrasaction="ignore")
    w.writeheader()
    w.writerows(data["results"])
    return out.getvalue()


def longest_learned(data: dict, threshold: float = LEARNED) -> dict[str, int | None]:
    """Per cell, the longest T whose mean relative MSE is below ``threshold``."""
    per: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in data["results"]:
        per[row["cell"]][row["length"]].append(row["test_mse"] / data["baseline_mse"])
    return {c: max((n for n, v in lens.items() if np.mean(v) < threshold), default=None) for c, lens in per.items()}


def at_lag(curves: dict[str, list[float | None]], k: int) -> dict[str, float]:
    """Per model, its look-back curve's value ``k`` events back (models whose curve does not reach ``k`` left out)."""
    return {c: v[k] for c, v in curves.items() if len(v) > k and v[k] is not None}


problem, training, across, inside, looking_back, try_this = screens(
    ["The adding problem", "Train them", "Across lengths", "LSTM gates", "How far back?", "Try this"])
_x, _ = adding_batch(1, 20, make_generator(3))
problem.plotly_chart(example_figure(_x[0, :, 0].numpy(), _x[0, :, 1].numpy()), width="stretch", key="lt_example",
                     config=CHART)

# Training runs at the end of this script (drawn into `training`, the second screen, made above), so any
# click, Stop included, starts a rerun that interrupts it at its next chart update. A run still marked
# "running" was interrupted so; one still "queued" never got past the heavy-job limiter (busy server).
_state = st.session_state.get("lt_run")
if _state and _state["status"] == "running" and not st.session_state.get("lt_start"):
    _state["status"] = "stopped" if st.session_state.get("lt_stop") else "interrupted"
    if _state.get("lstm") is not None:
        st.session_state["lt_lstm"] = (_state["lstm"], _state["length"])


def live_experiment() -> None:
    d = LIVE_DEFAULTS
    with controls("Length, steps and seed"):
        c1, c2, c3 = st.columns([3, 2, 1])
        length = c1.slider("Sequence length T (the lag)", *LENGTH_RANGE, value=d.length, key="lt_lag",
                           bind="query-params", disabled=locked("lt_lag"),
                           help="The first marked number sits in the first half, so it must be remembered for at "
                                "least T/2 steps.")
        steps = c2.select_slider("Training steps (each model)", STEP_CHOICES, value=d.steps, key="lt_steps",
                                 bind="query-params", disabled=locked("lt_steps"))
        seed = whole_number_input("Seed", 0, 99, value=0, key="lt_seed", container=c3, disabled=locked("lt_seed"))
    b1, b2, b3 = st.columns([3, 1, 4], vertical_alignment="center")  # room for the label at presentation size
    start = b1.button("▶ Train RNN, LSTM and GRU", type="primary", key="lt_start")
    b2.button("■ Stop", key="lt_stop", help="Stops the run; the curves so far stay on the page.")
    b3.caption(f"{d.hidden} hidden units each, Adam (lr {d.lr:g}), batches of {d.batch}, LSTM forget-gate bias "
               f"{d.forget_bias:g}, one CPU thread. The run is budgeted in steps; a hard cap of {TIME_CAP:.0f} s "
               "protects a busy server, and a run it cuts short gets no verdict.")
    check = live_check()
    if check:
        c = check["config"]
        n = len(check["seeds"])
        same = int(length) == c["length"] and int(steps) == c["steps"]
        st.caption(("With these defaults, " if same else f"Checked for the defaults (T = {c['length']}, "
                    f"{c['steps']} steps), not for this setting: ")
                   + f"over {n} seeds: " + ", ".join(f"{CELL_NAMES[k]} learned in {v}/{n}"
                                                     for k, v in check["learned"].items())
                   + f", {check['cpu_seconds']['median']:.0f} s of one core per run (median; "
                     f"`python -m sequence_models evaluate limitations`).")
    progress = st.empty()
    chart = st.empty()
    state = st.session_state.get("lt_run")
    if start:
        cfg = LiveConfig(length=int(length), hidden=d.hidden, steps=int(steps), seed=int(seed), lr=d.lr,
                         batch=d.batch, forget_bias=d.forget_bias, time_limit=TIME_CAP)
        state = {"length": cfg.length, "steps_total": cfg.steps, "curves": {}, "steps_done": 0, "elapsed": 0.0,
                 "cpu": 0.0, "status": "queued", "draws": 0}
        st.session_state["lt_run"] = state

        def on_progress(result) -> None:
            state.update(curves={c: list(v) for c, v in result.curves.items()}, steps_done=result.steps_done,
                         elapsed=result.elapsed, cpu=result.cpu_seconds, lstm=result.models.get("lstm"))
            st.session_state["lt_params"] = {c: n_parameters(m) for c, m in result.models.items()}
            state["draws"] += 1
            progress.progress(min(result.steps_done / cfg.steps, 1.0),
                              text=f"step {result.steps_done} / {cfg.steps} · {result.elapsed:.1f} s of the "
                                   f"{TIME_CAP:.0f} s cap")
            chart.plotly_chart(curve_figure(state["curves"], cfg.steps), width="stretch",
                               key=f"lt_live_{state['draws']}", config=CHART)

        # One run per session and a few per server; a queued run shows its place and the clock starts
        # only when it gets a slot. Each progress update is an st call, so a closed tab stops the run there.
        # If no slot comes, heavy.job says "busy" and stops the script: the run stays "queued".
        with (heavy.job("live training", take_slot=True, wait=heavy.TRAINING_WAIT),
              st.spinner("Training…", show_time=True)):
            state["status"] = "running"
            result = train_side_by_side(cfg, on_progress=on_progress)
        state["status"] = result.stopped
        st.session_state["lt_lstm"] = (result.models["lstm"], cfg.length)
        st.rerun()  # redraw the gate heatmap with the model just trained
    if not state:
        progress.info("Press **Train** to start. Nothing has been trained in this session yet.")
        return
    if state["status"] == "queued":
        progress.warning(f"The run at T = {state['length']} did not start: the server was busy (heavy work is "
                         f"limited to {heavy.LIMITER.limit} jobs at a time, one per session). Press **Train** to "
                         "try again in a moment.")
        return
    done = state["steps_done"]
    reason = {"done": f"finished all {state['steps_total']} steps",
              "time": f"stopped by the {TIME_CAP:.0f} s time cap after {done} of {state['steps_total']} steps "
                      "(the server is busy)",
              "stopped": f"stopped by you after {done} of {state['steps_total']} steps",
              "interrupted": f"interrupted after {done} of {state['steps_total']} steps (a control changed while "
                             "it ran)",
              "running": f"{done} steps so far"}[state["status"]]
    progress.progress(min(done / max(state["steps_total"], 1), 1.0),
                      text=f"T = {state['length']}: {reason}, {state['elapsed']:.1f} s "
                           f"({state.get('cpu', 0.0):.1f} s of CPU)")
    chart.plotly_chart(curve_figure(state["curves"], state["steps_total"]), width="stretch", key="lt_live_final",
                       config=CHART)
    final = {c: v[-1][1] for c, v in state["curves"].items() if v}
    params = st.session_state.get("lt_params", {})
    cols = st.columns(len(final) or 1)
    for col, (cell, mse) in zip(cols, final.items()):
        said = verdict(mse, state["status"])
        col.metric(CELL_NAMES[cell], f"MSE {mse:.4f}", f"{mse / BASELINE_MSE:.2f} × baseline · {said}",
                   delta_color="off", delta_arrow="off", help=f"{params.get(cell, '?')} parameters")
    if state["curves"]:
        st.download_button("⬇ Training curves (CSV)", curves_csv(state["curves"]),
                           file_name=f"adding_T{state['length']}_curves.csv", mime="text/csv", key="lt_curves_csv")


with across:
    data, err = across_lag()
    if err:
        st.error(err)
    else:
        st.plotly_chart(sweep_figure(data), width="stretch", key="lt_sweep", config=CHART)
        learned = longest_learned(data)
        cfg = data["config"]
        parts = [f"**{CELL_NAMES[c]}**: {'T = ' + str(n) if n else 'none of the lengths tried'}"
                 for c, n in learned.items()]
        st.markdown(f"Longest length learned (mean test MSE below {LEARNED:.0%} of the baseline): "
                    + "; ".join(parts) + ".")
        limited = budget_limited(data)
        if limited:
            st.markdown("Within the budget only: " + "; ".join(
                f"the {CELL_NAMES[c]} did not learn T = {n} in {cfg['steps']} steps, although it learned every "
                "shorter length" for c, n in limited)
                + ". That is where this script's step budget ran out, not a proven limit of the cell: more steps "
                  "(or a larger forget-gate bias) may get further.")
        skipped: dict[str, list[int]] = defaultdict(list)
        failed_at: dict[str, int] = {}
        for r in data.get("skipped", []):
            skipped[r["cell"]].append(r["length"])
            failed_at[r["cell"]] = r["failed_at"]
        for c, lens in skipped.items():
            st.markdown(f"The {CELL_NAMES[c]} was not trained at T = {', '.join(map(str, lens))}: it had already "
                        f"failed at T = {failed_at[c]} for every seed with the whole {cfg['steps']}-step budget, and "
                        "a longer lag only makes the task harder.")
        stop = cfg.get("stop_below")
        st.caption(f"From `python -m sequence_models train limitations`: {cfg['hidden']} hidden units, at most "
                   f"{cfg['steps']} Adam steps (lr {cfg['lr']}, batch {cfg['batch']}) per model"
                   + (f", stopping early once the validation MSE is below {stop:g} × baseline" if stop else "")
                   + f"; seeds {', '.join(map(str, cfg['seeds']))}; test MSE on {cfg['test_size']} fresh sequences; "
                   f"{data['cpu_seconds_total']:.0f} s of CPU on one thread. Lines: the mean of the seeds, bars: "
                   "their range, open circles: single seeds.")
        st.download_button("⬇ Across-lag results (CSV)", sweep_csv(data), file_name="adding_across_lags.csv",
                           mime="text/csv", key="lt_sweep_csv")

with inside:
    live = st.session_state.get("lt_lstm")
    model, model_err = committed_lstm()
    source = None
    if live is not None:
        model, trained_len = live
        source = f"the LSTM you just trained (T = {trained_len})"
    elif model is not None:
        ckpt_len = int(data["config"]["lstm_length"]) if data else 40
        trained_len = ckpt_len
        source = f"the LSTM saved by the repository's script (trained at T = {ckpt_len})"
    if model is None:
        st.error(model_err)
    else:
        with controls("Example sequence"):
            g1, g2 = st.columns(2)
            gate_len = g1.slider("Length of the example", 10, 120, value=min(max(trained_len, 10), 120), key="lt_gT",
                                 bind="query-params", disabled=locked("lt_gT"))
            ex = whole_number_input("Example sequence", 0, 999, value=0, key="lt_ex", container=g2,
                                    disabled=locked("lt_ex"))
        tr = lstm_gates(model, int(gate_len), seed=int(ex))
        st.markdown(f"Gates of {source} on one sequence: target **{tr.target:.3f}**, LSTM answers "
                    f"**{tr.prediction:.3f}** (error {abs(tr.prediction - tr.target):.3f}). Computed with the "
                    "course's `LSTMCell` (weights copied from the trained `torch.nn.LSTM`).")
        st.plotly_chart(gates_figure(tr), width="stretch", key="lt_gates", config=CHART)
        st.caption("Each heatmap row is one of the hidden units; dotted orange lines mark the two marked steps. "
                   "Look for units whose update gate opens at a mark (writing the value into c) and whose forget "
                   "gate stays near 1 afterwards (keeping it): their row of c⟨t⟩ changes at the mark and then "
                   "holds steady.")

with looking_back:
    look, look_err = lookback_asset()
    layers = f", {look['model']['layers']} layers" if look else ""
    st.markdown(
        "**How far back do the trained models look?** "
        f"The music lesson's three melody models (vanilla RNN, GRU and LSTM: same tunes, same sizes{layers}) "
        "predict the next note from all the notes before it. How much does that prediction depend on the note "
        "*k* events back? We measure it as the size of the gradient of the log-probability of the next event with "
        "respect to the input embedding k steps back, ‖∂ log p(x⟨t+1⟩)/∂ e⟨t−k⟩‖, averaged over positions t. Where "
        "it has vanished, the past no longer moves the prediction, and training cannot learn from it."
    )
    if look_err:
        st.error(look_err)
    else:
        at50 = at_lag(look["curves"], PROBE_LAG)

        def lookback_answer() -> Answer:
            best = max(at50, key=at50.get)
            ranked = ", ".join(f"{MUSIC_NAMES[c]} {v:.1e}" for c, v in sorted(at50.items(),
                                                                                        key=lambda kv: -kv[1]))
            return Answer(MUSIC_NAMES[best], f"From `evaluate limitations` on {look['tunes']} test tunes, "
                                                      f"the gradient {PROBE_LAG} events back: {ranked}.")

        if at50 and checkpoint("lt_cp_lookback", f"{PROBE_LAG} events back in a folk tune: whose prediction of "
                               "the next event still depends most on that input?",
                               [MUSIC_NAMES[c] for c in ("rnn", "gru", "lstm") if c in at50],
                               lookback_answer):
            st.plotly_chart(lookback_figure(look["curves"]), width="stretch", key="lt_lookback",
                            config=CHART)
            reach = {c: lookback.distance_to(v, FADED) for c, v in look["curves"].items()}
            st.markdown(f"Below {FADED:.0%} of its value at k = 0 from: " + "; ".join(
                f"**{MUSIC_NAMES[c]}** " + (f"k = {k}" if k is not None else f"not within {look['max_lag']}")
                for c, k in reach.items()) + ".")
            st.caption("Precomputed by `python -m sequence_models evaluate limitations`: "
                       f"{look['positions_per_tune']} positions in each of the {look['tunes']} longest test tunes "
                       f"({look['cpu_seconds_total']:.0f} s of CPU). Near k = {look['max_lag']} fewer positions have "
                       "that much past, so the curves get noisier there.")
    tunes = test_tunes()
    models = melody_models()
    if tunes and models:
        st.markdown("**Recompute it now for one tune** (a test tune: none of the models saw it in training).")
        names = list(tunes)
        pick = st.selectbox("Tune", names, index=0, key="lt_tune", bind="query-params", disabled=locked("lt_tune"))
        with heavy.job("look-back gradients"):
            mine = live_lookback(pick or names[0])
        st.caption(f"{len(mine['positions'])} positions of the first {mine['events']} events of this tune, "
                   "one forward and one backward pass per model.")
        st.plotly_chart(lookback_figure(mine["curves"]), width="stretch", key="lt_lookback_live",
                        config=CHART)
        k50 = at_lag(mine["curves"], PROBE_LAG)
        if k50:
            st.markdown(f"On this tune, {PROBE_LAG} events back: " + ", ".join(
                f"{MUSIC_NAMES[c]} {v:.1e}" for c, v in k50.items()) + ".")
    elif not models:
        st.info("The melody models are not trained on this server: `python -m sequence_models train music`.")

    lesson_link("pages/parallelism.py", label="Next: why RNNs cannot be parallelised over time")

try_this.markdown(
    "- Train at T = 10, then at T = 80. At which length does the vanilla RNN stop leaving the baseline? Does the "
    "across-length chart agree with your run?\n"
    "- In the gate heatmaps, find a unit whose memory c⟨t⟩ jumps at the first mark. What is its forget gate doing "
    "between the two marks?\n"
    "- The LSTM has four times as many weights as the vanilla RNN with the same hidden size (hover the final "
    "scores). Is size the reason it wins? What would you train to find out?\n"
    f"- In the look-back chart, how many events back does the vanilla RNN's gradient fall below {FADED:.0%} of its "
    "start? "
    "How long is a musical phrase in these tunes?"
)

with training:
    live_experiment()
