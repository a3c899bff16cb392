"""Translation: an English→French encoder–decoder, with and without attention."""

import html
import json

import plotly.graph_objects as go
import streamlit as st

from sequence_models.runtime import AssetError, asset_path, use_inference_threads
from sequence_models.translation.data import ATTRIBUTION
from sequence_models.translation.decode import MAX_BEAM, MIN_BEAM
from sequence_models.translation.translate import (EVALUATION_FILE, MAX_WORDS, TranslationResult, load_model,
                                                   translate)
from sequence_models.translation.vocab import EOS
from ui import heavy
from ui.inputs import markdown_literal
from ui.lessons import ensure_app_navigation, lesson_link
from ui.palette import BLUE, GREY, ORANGE, VERMILION
from ui.presentation import controls, intro, screens

ensure_app_navigation()  # first visit after a server start: go through app.py

EXAMPLES = {
    "Short: adjective after the noun": "This is a French book.",
    "Short: adjective before the noun": "I want a new car.",
    "Short: a question": "Where did you buy this beautiful white dress?",
    "Short: negation": "I don't want to eat green apples.",
    "Long: two clauses": "When I was a child, I used to spend every summer with my grandparents in a small house "
                         "near the sea.",
    "Long: reported speech": "Tom told me that he had never seen such a big black dog before he moved to this town "
                             "last year.",
}
MODELS = {"Attention": "attention", "No attention": "plain"}
ATTRIBUTION_MD = ("Sentence pairs from the Tatoeba Project ([tatoeba.org](https://tatoeba.org)), via "
                  "[manythings.org/anki](https://www.manythings.org/anki/), "
                  "[CC-BY 2.0](https://creativecommons.org/licenses/by/2.0/).")
assert ATTRIBUTION.startswith("Sentence pairs from the Tatoeba Project")
#: Room for a whole decoded sentence (at most 200 tokens) when it is escaped for Markdown.
LITERAL_CHARS = 4000


def literal(text: str) -> str:
    """User or model text for ``st.markdown``/``st.caption``: shown as typed, never as Markdown or HTML."""
    return markdown_literal(text, limit=LITERAL_CHARS)


@st.cache_resource(show_spinner="Loading the translation model…")
def cached_model(name: str):
    use_inference_threads(1)
    return load_model(name)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_translation(text: str, beam: int, name: str) -> TranslationResult:
    with heavy.slot():
        return translate(cached_model(name), text, beam=beam, model_name=name)


@st.cache_data(show_spinner=False)
def stored_evaluation() -> dict | None:
    path = asset_path(EVALUATION_FILE)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def token_chips(tokens: list[str], unknown: list[bool]) -> str:
    """Source tokens as chips; unknown ones dashed in vermilion (escaped HTML).

    The chips sit in one ``<div>`` on one line: Markdown reads that as a raw HTML block, so the
    tokens between the tags are not parsed as Markdown (two ``$`` chips would otherwise become math)."""
    chips = []
    for tok, unk in zip(tokens, unknown):
        style = (f"border:2px dashed {VERMILION};color:{VERMILION}" if unk else f"border:1px solid {GREY}")
        title = ' title="not in the English vocabulary: the encoder reads &lt;unk&gt;"' if unk else ""
        chips.append(f'<span class="tr-chip"{title} style="{style};border-radius:6px;padding:1px 6px;'
                     f'margin:2px;display:inline-block">{html.escape(tok)}{" ?" if unk else ""}</span>')
    return '<div class="tr-chips" style="margin-bottom:0.75rem">' + "".join(chips) + "</div>"


def unique_labels(tokens: list[str]) -> list[str]:
    """Axis labels for categorical axes: a repeated word gets invisible zero-width spaces appended."""
    seen: dict[str, int] = {}
    out = []
    for tok in tokens:
        seen[tok] = seen.get(tok, -1) + 1
        out.append(plotly_text(tok) + "\u200b" * seen[tok])
    return out


def plotly_text(tok: str) -> str:
    """Plotly reads ``<…>`` in labels as markup (``</s>`` would vanish): escape it."""
    return html.escape(tok, quote=False)


def heatmap(result: TranslationResult) -> go.Figure:
    att = result.attention.numpy()
    src, out = unique_labels(result.source_tokens), unique_labels(result.output_tokens)
    fig = go.Figure(go.Heatmap(
        z=att, x=src, y=out, colorscale="Blues", zmin=0, zmax=1, xgap=1, ygap=1,
        colorbar=dict(thickness=12),
        hovertemplate="writing “%{y}” ← reading “%{x}”: α = %{z:.3f}<extra></extra>"))
    fig.update_layout(
        height=max(300, 30 * len(out) + 140), margin=dict(l=10, r=10, t=10, b=10), plot_bgcolor="white",
        xaxis=dict(title=dict(text="English (source)"), tickangle=-45 if len(src) > 12 else 0, type="category",
                   automargin=True),
        yaxis=dict(title=dict(text="French (output)"), autorange="reversed", type="category", automargin=True))
    return fig


def bar(labels: list[str], values: list[float], colors: list[str], xtitle: str, key: str, hover: str) -> None:
    fig = go.Figure(go.Bar(x=list(range(len(labels))), y=values, marker_color=colors,
                           customdata=[plotly_text(x) for x in labels],
                           text=[f"{v:.2f}" for v in values], textposition="outside",
                           hovertemplate=hover + "<extra></extra>"))
    fig.update_layout(height=240, margin=dict(l=5, r=5, t=10, b=5), plot_bgcolor="white",
                      yaxis=dict(range=[0, 1.15], title="probability"),
                      xaxis=dict(tickmode="array", tickvals=list(range(len(labels))),
                                 ticktext=[plotly_text(x) for x in labels], title=xtitle))
    st.plotly_chart(fig, width="stretch", key=key, config={"displayModeBar": False})


def step_through(result: TranslationResult) -> None:
    n = len(result.output_tokens)
    if n == 1:
        t = 1
        st.caption("The decoder wrote a single token: nothing to scrub through.")
    else:
        st.session_state["ts"] = min(max(int(st.session_state.get("ts", 1)), 1), n)
        t = st.slider("Output step t", 1, n, key="ts", bind="query-params",
                      help="Scrub through the decoder's steps: what it read and what it considered.")
    chosen = result.output_tokens[t - 1]
    so_far = literal(" ".join(result.output_tokens[: t - 1])) or "(nothing yet)"
    st.markdown(f"**Step {t}.** Written so far: *{so_far}* → the decoder writes **{literal(chosen)}** "
                f"(p = {result.steps_prob[t - 1]:.2f}).")
    left, right = st.columns(2, gap="large")
    with left:
        if result.attention is not None:
            row = result.attention[t - 1].tolist()
            top = max(range(len(row)), key=row.__getitem__)
            st.markdown(f"Attention row α⟨{t}⟩ over the English words (sums to {sum(row):.4f}):")
            bar(result.source_tokens, row, [ORANGE if i == top else BLUE for i in range(len(row))],
                "English word", "att_row", "α = %{y:.3f} on “%{customdata}”")
        else:
            st.markdown("No attention row: this decoder only sees the encoder's final summary vector, the same "
                        "at every step.")
    with right:
        words = [w for w, _ in result.steps_top[t - 1]]
        probs = [p for _, p in result.steps_top[t - 1]]
        st.markdown("Top-5 next words (orange = the word chosen):")
        bar(words, probs, [ORANGE if w == chosen else GREY for w in words], "candidate next word", "top5",
            "P(“%{customdata}”) = %{y:.3f}")
        if chosen not in words:
            st.caption(f"The chosen word “{literal(chosen)}” is not in this step's top 5: beam search kept it "
                       "because the whole sentence scored better.")


def bleu_chart(evaluation: dict) -> None:
    models = evaluation["models"]
    fig = go.Figure()
    for name, label, color in (("attention", "with attention", BLUE), ("plain", "without attention", VERMILION)):
        if name not in models:
            continue
        b = models[name]["buckets"]
        fig.add_trace(go.Scatter(x=[r["bucket"] for r in b], y=[r["bleu"] for r in b], mode="lines+markers",
                                 name=label, line=dict(color=color, width=3), customdata=[r["n"] for r in b],
                                 hovertemplate="%{x} words: BLEU %{y:.1f} (%{customdata} sentences)<extra>"
                                               + label + "</extra>"))
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      xaxis_title="English sentence length (words)", yaxis_title="BLEU (test split, greedy)",
                      legend=dict(orientation="h", y=1.02, yanchor="bottom"))
    st.plotly_chart(fig, width="stretch", key="bleu_len", config={"displayModeBar": False})


st.title("Translation")
intro(
    "An encoder–decoder translating English into French, the course's example of an "
    "RNN whose input and output lengths differ (Tx ≠ Ty). A bidirectional GRU *encoder* reads the whole English "
    "sentence; a GRU *decoder* then writes French one word at a time, each word fed back as the next step's input. "
    "With **attention** (Bahdanau et al. 2015) the decoder looks back at every English word before writing each "
    "French word: the heatmap shows where it looked. Without attention it has to squeeze the whole sentence into "
    "one vector. Both models were trained on this machine's CPU by a script in this repository; every number below "
    "is computed now or read from the stored test-set evaluation."
)
st.caption(ATTRIBUTION_MD)

sentence, looked, stepping, why, try_this = screens(["Encoder reads, decoder writes", "Where the decoder looked",
                                                    "Step through the decoding", "Why attention", "Try this"])
with sentence, controls("Sentence, model and beam width"):
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    with c2:
        example = st.selectbox("Examples", list(EXAMPLES), index=None, placeholder="Pick an example sentence…")
        if example and st.session_state.get("_last_example") != example:
            st.session_state["en"] = EXAMPLES[example]
            st.session_state["ts"] = 1
        st.session_state["_last_example"] = example
    with c1:
        if "en" not in st.session_state:
            st.session_state["en"] = EXAMPLES["Short: adjective after the noun"]
        text = st.text_input(f"English sentence (up to {MAX_WORDS} words)", key="en", bind="query-params",
                             max_chars=600)
    c3, c4 = st.columns(2)
    with c3:
        model_label = st.segmented_control("Model", list(MODELS), default="Attention", required=True, key="mdl",
                                           bind="query-params")
    with c4:
        beam = st.slider("Beam width (1 = greedy)", MIN_BEAM, MAX_BEAM, 1, key="beam", bind="query-params")
name = MODELS.get(model_label or "", "attention")

result: TranslationResult | None = None
with sentence:
    try:
        with heavy.job("translation"):
            result = cached_translation(text, int(beam), name)
    except AssetError as exc:
        st.error(f"The translation model could not be loaded: {exc}")
    except ValueError as exc:
        st.warning(str(exc))

if result is None:  # the reason is shown on the first screen; the stored evaluation and prompts still follow
    for box in (looked, stepping):
        box.caption("Nothing to show: the sentence did not translate (the reason is under “Encoder reads, decoder "
                    "writes”).")
else:
    with sentence:
        st.markdown("**What the encoder reads**")
        st.markdown(token_chips(result.source_tokens, result.unknown), unsafe_allow_html=True)
        n_unk = sum(result.unknown)
        if n_unk:
            st.caption(f"{n_unk} of {len(result.unknown)} tokens are not in the "
                       f"{len(cached_model(name).src_vocab):,}-word English vocabulary (dashed, with “?”): the "
                       "encoder reads them all as the same ⟨unk⟩ token, so their meaning is lost.")
        if result.unknown_share > 0.5:
            st.warning("Most of these words are unknown to the model. Is this English? The decoder will still write "
                       "French, but it can only guess.")

        st.markdown("**What the decoder writes**")
        st.markdown(f'<div class="tr-output" style="font-size:1.6rem;color:{BLUE};font-weight:600">'
                    f'{html.escape(result.translation) or "(an empty sentence)"}</div>', unsafe_allow_html=True)
        other = "plain" if name == "attention" else "attention"
        other_label = "without attention" if other == "plain" else "with attention"
        try:
            other_result = cached_translation(text, int(beam), other)
            st.caption(f"The same sentence {other_label}: “{literal(other_result.translation)}”. Switch the "
                       "**Model** control to explore it.")
        except (AssetError, ValueError):
            pass
        if result.output_tokens and result.output_tokens[-1] != EOS:
            st.caption("The decoder hit its length limit before writing the end-of-sentence token ⟨/s⟩.")
        else:
            st.caption("The decoder stops when it writes the end-of-sentence token ⟨/s⟩. It is never allowed to "
                       "write ⟨unk⟩ (the “rare word” token): that probability is removed and the rest rescaled to "
                       "sum to 1.")

        if result.beam > 1:
            with st.expander(f"Beam search kept {len(result.alternatives)} finished translations", expanded=True):
                st.dataframe(
                    [{"rank": i + 1, "French": a.translation or "(empty)", "log P": round(a.logprob, 3),
                      "log P / T^0.7": round(a.normalised, 3)} for i, a in enumerate(result.alternatives)],
                    hide_index=True, width="stretch")
                st.caption("Beam search keeps the best partial translations at every step and ranks the finished "
                           "ones by log-probability divided by length^0.7, so longer sentences are not unfairly "
                           "penalised.")

    with looked:
        if result.attention is not None:
            st.markdown("Row *t* is the decoder writing its *t*-th French word; each column is an English word. "
                        "Dark = much attention. A diagonal means word-by-word order; a step off the diagonal is "
                        "**reordering** (“French book” → “livre français”). Hover a cell for its value.")
            st.plotly_chart(heatmap(result), width="stretch", key="att_heatmap", config={"displayModeBar": False})
            sums = result.row_sums()
            st.markdown(f"**Sanity check: each row sums to 1.** The {len(sums)} row sums computed now range from "
                        f"{min(sums):.6f} to {max(sums):.6f} (a softmax over the {len(result.source_tokens)} "
                        "English positions).")
        else:
            st.markdown("**No attention weights to show.** This decoder's only view of the English sentence is the "
                        f"encoder's final state: one vector of {2 * cached_model(name).model.cfg.enc_hidden} "
                        "numbers, the same at every output step. Switch to **Attention** to see which words the "
                        "other decoder reads while writing each word.")

    with stepping:
        step_through(result)

with why:
    evaluation = stored_evaluation()
    if evaluation is None:
        st.info("The stored evaluation is missing; run `python -m sequence_models evaluate translation` to create "
                f"assets/{EVALUATION_FILE}.")
    else:
        bleu_chart(evaluation)
        att, pl = evaluation["models"].get("attention"), evaluation["models"].get("plain")
        if att and pl:
            solid = [(x["bucket"], x["bleu"] - y["bleu"]) for x, y in zip(att["buckets"], pl["buckets"])
                     if x["n"] >= 100]
            widest = max(solid, key=lambda g: g[1]) if solid else None
            few = ", ".join(f"{x['bucket']}: {x['n']}" for x in att["buckets"] if x["n"] < 100)
            st.markdown(
                f"On the {evaluation['pairs']:,} test pairs the attention model scores "
                f"**{att['overall']['bleu']:.1f} BLEU** and the model without attention "
                f"**{pl['overall']['bleu']:.1f}** (greedy decoding, sacreBLEU). Both get worse as sentences grow, but "
                "the model that must squeeze the sentence into one vector falls faster"
                + (f": among buckets with at least 100 test sentences the gap is widest at {widest[0]} words "
                   f"({widest[1]:.1f} BLEU)" if widest else "")
                + ". That is the pattern of Bahdanau et al. (2015, Figure 2), where attention kept long-sentence "
                "quality up while the fixed-length encoder–decoder collapsed."
                + (f" Tatoeba's sentences are mostly short, so the longest buckets hold very few test sentences "
                   f"({few}): read those points as anecdotes (hover for the counts)." if few else ""))
            st.caption(f"Signature: {att['overall']['bleu_signature']}. Lower-cased, one reference per test pair.")

with try_this:
    st.markdown(
        "- Translate “This is a French book.” and then “I want a new car.” In French one adjective goes after the "
        "noun and the other before it: in which heatmap does the bright cell step back to the left?\n"
        "- Pick a long example and switch between **Attention** and **No attention**. Where does the model without "
        "attention start to lose the thread?\n"
        "- Set the beam width to 5. Are the alternatives different translations or the same one with small "
        "changes? When would you want the second-best?"
    )
    lesson_link("pages/rnn_types.py", label="Back to the five RNN types (encoder–decoder)")
    st.caption(ATTRIBUTION_MD)
