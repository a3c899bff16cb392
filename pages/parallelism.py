"""No parallelism over time: what a recurrent layer makes of a machine, measured against attention and convolution."""

import csv
import io
import time

import streamlit as st

from ui import heavy
from ui.charts import CHART
from ui.lessons import ensure_app_navigation, lesson_link
from ui.presentation import controls, intro, screens
from ui.tables import show_table
from ui.teaching import Answer, checkpoint, locked

ensure_app_navigation()  # first visit after a server start: go through app.py
st.title("No parallelism over time")
intro(
    "A recurrent layer computes *a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)*: step t needs "
    "the result of step t−1, so its T steps run one after another, each a small matrix product, however many "
    "processors there are. Self-attention and a 1-D convolution compute every position from the input directly: a "
    "few large products whose work can be spread out. The course names the cost: *longer training time and "
    "inefficient utilization of machines*. Below, one layer of each kind runs on this server **now**, and we "
    "measure what it gets out of the machine: useful operations per second on one core, the gain from a second "
    "core, and the same arithmetic done in a row or all at once."
)

# Heavy imports after the first paint: on a cold server importing torch takes seconds, and the title and intro
# are already on screen.
from sequence_models.limitations.parallelism import (BATCH_RANGE, CONV_KERNEL, LAYERS, LENGTHS,  # noqa: E402
                                                     THREADS, WIDTH_RANGE, TimingConfig, attention_heads,
                                                     conv_layers_to_see_everything, forward_flops, load_gpu_timing,
                                                     load_thread_reference, same_flops, server_busy, time_layers)
from ui.parallelism_figures import (FAST, SLOW, SPEEDUP_TITLE, gflops_figure, gpu_figure,  # noqa: E402
                                    per_layer_figure, same_flops_figure, speedup_figure, time_figure)

#: seconds a session waits between two "Measure again" presses
REMEASURE_EVERY = 60.0
BUDGET = 10.0
REPEATS = 5  # timed runs per layer and length; the fastest counts
CACHE_SECONDS = 3600  # a setting's measurement is kept this long (for every visitor)


@st.cache_resource
def measurement_versions() -> dict:
    """Per setting, how many times a student asked to measure it again (shared by all sessions, so a
    re-measurement replaces only that setting's cached numbers, for everyone who views it)."""
    return {}


@st.cache_data(max_entries=32, ttl=CACHE_SECONDS, show_spinner=f"Measuring the {len(LAYERS)} layers on "
                                                                f"{' and '.join(map(str, THREADS))} threads…")
def measure(lengths: tuple[int, ...], width: int, batch: int, threads: tuple[int, ...], version: int):
    """Cached by its parameters: the same settings are measured once an hour at most (``version``
    changes only when someone presses *Measure again* for this setting). ``threads`` is (1,) when
    the server is busy: a second thread would then only measure the contention."""
    with heavy.slot():
        res = time_layers(TimingConfig(lengths=lengths, width=width, batch=batch, repeats=REPEATS, budget=BUDGET,
                                       threads=threads))
        sf = same_flops(batch, lengths[-1], width, threads=threads, repeats=REPEATS)
    return res, sf


@st.cache_data(show_spinner=False)
def thread_reference():
    return load_thread_reference()


@st.cache_data(show_spinner=False)
def gpu_timing():
    return load_gpu_timing()


def fmt(value, spec: str = ".3g", none: str = "not measured") -> str:
    return none if value is None else format(value, spec)


def table_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


work, in_a_row, cores, timing, gpu, try_this = screens(
    ["Work per second", "In a row or at once", "One core or two", "Time", "On a GPU", "Try this"])
with work, controls("Lengths, width and batch"):
    c1, c2, c3 = st.columns([3, 2, 2])
    longest = c1.select_slider("Longest sequence T", list(LENGTHS), value=1024, key="par_Tmax", bind="query-params",
                               help=f"Lengths from {LENGTHS[0]} up to this one, doubling each time.",
                               disabled=locked("par_Tmax"))
    width = c2.select_slider("Width d (hidden units = channels)", [16, 32, 64, 128, 256], value=128, key="par_d",
                             bind="query-params", disabled=locked("par_d"))
    batch = c3.select_slider("Batch size", [1, 2, 4, 8, 16, 32], value=1, key="par_B", bind="query-params",
                             disabled=locked("par_B"))
assert WIDTH_RANGE[0] <= width <= WIDTH_RANGE[1] and BATCH_RANGE[0] <= batch <= BATCH_RANGE[1]
lengths = tuple(n for n in LENGTHS if n <= longest)
setting = (lengths, int(width), int(batch))
versions = measurement_versions()

with work:
    with heavy.job("timing run"):
        res, sf = measure(*setting, (1,) if server_busy() else THREADS, versions.get(setting, 0))
    last = res.last_measured()
    n_last = res.lengths[last] if last is not None else res.lengths[0]
    g_last = {k: res.gflops(k)[last] if last is not None else None for k in LAYERS}

    def work_answer() -> Answer:
        rnn, att = g_last["RNN"], g_last["self-attention"]
        if rnn is None or att is None:
            return Answer("Self-attention", "Not measured this time (the server was busy); press Measure again.")
        winner = "Self-attention" if att > rnn else "The RNN"
        return Answer(winner, f"Measured now at T = {n_last}: self-attention {att:.1f} GFLOP/s, the RNN "
                              f"{rnn:.1f} GFLOP/s on one core ({max(att, rnn) / min(att, rnn):.1f}×).")

    if checkpoint("par_cp_work", f"At T = {n_last} (d = {width}, batch {batch}), which layer gets more useful "
                  "arithmetic per second out of one CPU core?", ["The RNN", "Self-attention"], work_answer):
        st.plotly_chart(gflops_figure(res), width="stretch", key="par_gflops", config=CHART)
        ranked = sorted(((v, k) for k, v in g_last.items() if v is not None), reverse=True)
        st.markdown(
            f"At T = {n_last}, one core achieves: " + ", ".join(f"**{k}** {v:.1f}" for v, k in ranked)
            + " GFLOP/s. The count is the multiply-adds of each forward pass (2 FLOPs each): "
            f"RNN 4·B·T·d², LSTM 16·B·T·d², attention 8·B·T·d² + 4·B·T²·d, convolution 2·B·T·d²·{CONV_KERNEL}. "
            "The vanilla "
            "RNN's T products of a [B × d] row block by a [d × d] matrix are each too small to keep the core's "
            "vector units busy, and the next cannot start before the previous ends."
            + (" The LSTM does better than the vanilla RNN here: its four gates make each step's product 4 times "
               "wider, which a core runs more efficiently, but its steps are still a chain."
               if g_last["LSTM"] and g_last["RNN"] and g_last["LSTM"] > g_last["RNN"] else ""))
        st.caption(f"GFLOP/s on one thread use the CPU time of the measuring thread (best of {res.config.repeats} "
                   "runs), so time slices taken by other programs on this shared server do not count against a layer.")

with in_a_row:
    row, once = sf.gflops(sf.cpu_in_a_row), sf.gflops(sf.cpu_at_once)
    st.markdown(
        f"The same {sf.flops / 1e6:.0f} million FLOPs, two ways: a recurrence *a⟨t⟩ = tanh(x⟨t⟩ + a⟨t−1⟩W)* "
        f"over T = {sf.length} steps with a batch of {sf.batch} (each product waits for the previous one), and "
        f"tanh(XW) over all {sf.batch * sf.length} rows at once. On one core the single product achieves "
        f"**{once:.1f} GFLOP/s** against **{row:.1f} GFLOP/s** for the chain ({once / row:.1f}×): same arithmetic, "
        "worse use of the machine."
    )
    st.plotly_chart(same_flops_figure(sf), width="stretch", key="par_same", config=CHART)
    if 2 in sf.in_a_row:
        st.caption(f"With 2 threads (wall clock): the chain takes {sf.in_a_row[2] * 1e3:.2f} ms "
                   f"(1 thread: {sf.in_a_row[1] * 1e3:.2f} ms), the single product {sf.at_once[2] * 1e3:.2f} ms "
                   f"(1 thread: {sf.at_once[1] * 1e3:.2f} ms).")

with cores:
    if 2 in res.by_threads:
        sp = {k: res.speedup(k, FAST, SLOW)[last] if last is not None else None for k in LAYERS}
        st.plotly_chart(speedup_figure(res), width="stretch", key="par_speedup", config=CHART)
        st.markdown(
            f"Wall-clock time on {SLOW} thread ÷ on {FAST} threads, best of {res.config.repeats} each. "
            f"At T = {n_last}: "
            + ", ".join(f"**{k}** {fmt(v, '.2f')}×" for k, v in sp.items())
            + ". A recurrent layer can only split each small step's product between the threads (and pays to "
            "synchronise them T times); attention and the convolution hand both threads a large product."
        )
        if res.busy:
            st.warning(f"The server became busy while measuring (load average {res.load:.1f} on {res.cores} cores): "
                       "a second thread had no free core to run on, so these speed-ups partly measure the contention "
                       "with other work. The one-core GFLOP/s above do not depend on it.")
    else:
        st.info(f"Not measured now: this server is busy (load average {res.load:.1f} on {res.cores} cores), so a "
                "second thread would have no free core to run on and would only measure the queue. The one-core "
                "GFLOP/s above do not depend on the load.")
    ref = thread_reference()
    if ref is not None:
        lens = ref["lengths"]
        quiet = ref["load"] <= ref["cores"] - 0.5
        st.markdown(f"**Recorded on this server earlier** ({ref['recorded']}, load average {ref['load']:.1f} on "
                    f"{ref['cores']} cores{'' if quiet else ': busy, so partly contention'}; batch "
                    f"{ref['config']['batch']}, d {ref['config']['width']}) by "
                    "`python benchmarks/limitations_timing.py --record`:")
        st.plotly_chart(per_layer_figure(lens, ref["speedup"], SPEEDUP_TITLE, "×", log_y=False,
                                         reference=1.0, reference_text="no gain"),
                        width="stretch", key="par_speedup_ref", config=CHART)
        st.markdown(f"At T = {lens[-1]}: "
                    + ", ".join(f"**{k}** {fmt(v[-1], '.2f')}×" for k, v in ref["speedup"].items()) + ".")

with timing:
    st.plotly_chart(time_figure(res), width="stretch", key="par_timing", config=CHART)
    if res.skipped:
        st.info(f"The {res.config.budget:.0f} s measuring budget ran out: lengths "
                f"{', '.join(map(str, res.skipped))} were not measured this time (the server is busy). The numbers "
                f"below use the longest length measured, T = {n_last}.")
    t_rnn = res.core_seconds("RNN")[last] if last is not None else None
    t_att = res.core_seconds("self-attention")[last] if last is not None else None
    quad = 4 * batch * n_last ** 2 * width
    share = quad / forward_flops("self-attention", batch, n_last, width)
    lines = [f"- **The RNN's time grows in proportion to T**: T steps in a chain (at T = {n_last}: "
             f"{fmt(t_rnn and t_rnn * 1e6 / n_last, '.1f')} µs per step)."]
    if t_rnn is not None and t_att is not None and t_att > t_rnn:
        lines.append(f"- **At T = {n_last} attention takes longer on this CPU** ({t_att * 1e3:.1f} ms vs the RNN's "
                     f"{t_rnn * 1e3:.1f} ms) because it does more arithmetic: it compares all T² pairs of positions, "
                     f"{share:.0%} of its {forward_flops('self-attention', batch, n_last, width) / 1e6:.0f} MFLOPs "
                     f"here against the RNN's {forward_flops('RNN', batch, n_last, width) / 1e6:.0f}. That is more "
                     "work done well, not less work done badly: see its GFLOP/s on the first screen.")
    elif t_rnn is not None and t_att is not None:
        lines.append(f"- **At T = {n_last} attention is faster** ({t_att * 1e3:.2f} ms vs the RNN's "
                     f"{t_rnn * 1e3:.2f} ms), although its T² pair comparisons make up {share:.0%} of its work.")
    lines.append(f"- **A convolution is one step too**, but one layer with kernel {CONV_KERNEL} only sees "
                 f"{CONV_KERNEL} neighbours; to connect "
                 f"the last output to the first input at T = {n_last} takes "
                 f"{conv_layers_to_see_everything(n_last)} stacked layers (or dilations, as in WaveNet).")
    st.markdown("\n".join(lines))
    rows = res.rows()
    show_table([{k: ("not measured" if v is None else v) for k, v in r.items()} for r in rows])
    threads_used = " and ".join(f"({n})" for n in res.config.threads)
    st.caption(f"Times are the CPU time of one forward pass on one thread (best of {res.config.repeats}), which "
               "other programs' "
               f"time slices do not inflate. Measured on this server ({res.device_name}) with "
               f"torch.set_num_threads{threads_used}, input [batch "
               f"{batch}, T, d {width}]; the whole measurement took {res.total_seconds:.1f} s and is cached for "
               f"{CACHE_SECONDS / 60:.0f} minutes per setting. RNN and LSTM are torch.nn.RNN/LSTM; self-attention is "
               f"torch.nn.MultiheadAttention ({attention_heads(width)} heads); the convolution has kernel size "
               f"{CONV_KERNEL}.")
    b1, b2 = st.columns([1, 2])
    b1.download_button("⬇ Measurements (CSV)", table_csv(rows), file_name=f"parallelism_d{width}_B{batch}.csv",
                       mime="text/csv", key="par_csv")
    waited = time.monotonic() - st.session_state.get("par_measured_at", -REMEASURE_EVERY)
    again = b2.button("Measure this setting again", key="par_again", disabled=waited < REMEASURE_EVERY,
                      help="Timings vary with what else the server is doing; this re-measures the setting on screen "
                           f"(at most once every {REMEASURE_EVERY:.0f} s per visitor).")
    if again and waited >= REMEASURE_EVERY:
        st.session_state["par_measured_at"] = time.monotonic()
        versions[setting] = versions.get(setting, 0) + 1
        st.rerun()

with gpu:
    data = gpu_timing()
    if data:
        st.markdown(f"Recorded by `python benchmarks/limitations_gpu.py` on **{data['device']}** (batch "
                    f"{data['config']['batch']}, d {data['config']['width']}):")
        st.plotly_chart(gpu_figure(data), width="stretch", key="par_gpu", config=CHART)
        i = len(data["lengths"]) - 1
        st.markdown(f"At T = {data['lengths'][i]}: the RNN {fmt(data['gflops']['RNN'][i], '.1f')} GFLOP/s, "
                    f"self-attention {fmt(data['gflops']['self-attention'][i], '.1f')} GFLOP/s.")
    st.info(
        "**On a GPU**, thousands of cores work at once: attention and convolution hand them all T positions (times "
        "the batch) in a single step, so their time barely grows with T until the GPU is full, while the RNN can "
        "only give them one time step's worth of work, T times in a row. This is why training large sequence models "
        "moved from RNNs to Transformers."
        + ("" if data else " This server has no GPU and no GPU measurement has been recorded: run "
                           "`python benchmarks/limitations_gpu.py` on a machine with one to add it here.")
    )
    lesson_link("pages/gradients.py", label="Back to: vanishing & exploding gradients")

try_this.markdown(
    f"- Double T from {LENGTHS[-3]} to {LENGTHS[-2]}. By what factor does each layer's time grow? Which one is "
    "linear in T, which one quadratic?\n"
    f"- Set the batch to {BATCH_RANGE[1]}. The RNN still takes T steps, but each step now multiplies "
    f"{BATCH_RANGE[1]} rows at once: what happens to its GFLOP/s? (Batching is how recurrent networks are trained "
    "efficiently.)\n"
    "- If a GPU made every *single step* 100× faster, how long would the RNN and the attention layer take at "
    f"T = {LENGTHS[-1]}?"
)
