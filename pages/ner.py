"""Named entities: a BiLSTM-CRF tags every token (many-to-many, Tx = Ty)."""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from sequence_models.ner.data import TAGS
from sequence_models.ner.highlight import highlight_html, legend_html
from sequence_models.ner.inference import DEFAULT_TEXT, EVALUATION_FILE, MAX_CHARS, Analysis, analyse, load
from sequence_models.ner.tokenizer import split_sentences
from sequence_models.ner.types import COURSE_TYPES, OTHER_TYPES, display_name
from sequence_models.runtime import AssetError, asset_path, use_inference_threads
from ui import heavy, palette
from ui.lessons import ensure_app_navigation, lesson_link
from ui.presentation import controls, intro, screens

ensure_app_navigation()  # first visit after a server start: go through app.py

MODEL_LABELS = {"bilstm_crf": "BiLSTM-CRF", "forward_lstm": "Forward-only LSTM"}
#: One colour per course type (Okabe–Ito first, then two extra distinct hues), grey for the rest.
TYPE_COLOURS = {
    "Person": palette.BLUE, "Organization": palette.ORANGE, "Location": palette.GREEN,
    "Date": palette.VERMILION, "Time": palette.PURPLE, "Money": palette.SKY, "Percentage": "#B8A200",
    "Product": "#6A3D9A", "Event": "#8C510A", "Facility": "#01665E",
}
EXAMPLES: dict[str, str] = {
    "Course example (organization, location, money)": DEFAULT_TEXT,
    "Person, date and organization": "Barack Obama met Angela Merkel in Berlin on Tuesday, the White House said.",
    "Time and facility": "The detainees at Guantanamo Bay were moved late Wednesday night.",
    "Percentage and money": "Inflation fell to 2.5% in May, and the government raised $2 billion in a bond sale.",
    "Event": "Hurricane Katrina struck New Orleans in August 2005.",
    "Product (a type this model misses)": ("The space shuttle Atlantis, a Soyuz capsule and two F-16 fighter jets "
                                           "were on display."),
    "Other types: nationality, numbers, ordinals": "Three Iranian diplomats left Iraq for the second time this year.",
    "Bidirectional matters: Jordan": ("Officials in Jordan said the water was low.\n"
                                      "Officials in Jordan River towns said the water was low."),
}
#: Two sentences identical up to and including "Jordan"; only the words after it differ.
JORDAN = ("Officials in Jordan said the water was low.", "Officials in Jordan River towns said the water was low.")
#: Session flag: the examples menu disagreed with the text at load (a link with both ?ex= and ?text=).
STALE_EXAMPLE = "_ner_stale_example"


def ontonotes_colour(label: str) -> str:
    return TYPE_COLOURS.get(display_name(label), palette.GREY)


@st.cache_resource(show_spinner="Loading the taggers…")
def get_tagger(kind: str):
    return load(kind)


@st.cache_data(max_entries=64, show_spinner=False)
def run_model(kind: str, text: str) -> Analysis:
    use_inference_threads(1)
    with heavy.slot():
        return analyse(get_tagger(kind), text)


@st.cache_data(show_spinner=False)
def evaluation() -> dict | None:
    path = asset_path(EVALUATION_FILE)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def set_example() -> None:
    """Examples menu → text box. Clearing the menu keeps the text."""
    example = EXAMPLES.get(st.session_state.get("ex") or "")
    if example is not None:
        st.session_state["text"] = example


def forget_example() -> None:
    """Text box edited: once it no longer holds the chosen example, the menu goes back to "no example"."""
    if st.session_state.get("text") != EXAMPLES.get(st.session_state.get("ex") or ""):
        st.session_state["ex"] = None


def heatmap(result: Analysis, rows: range, title: str, all_tags: bool) -> go.Figure:
    """tokens × BIO tags: the probability of each tag for each token (one output per input)."""
    probs = result.probs[rows.start:rows.stop]
    keep = list(range(len(TAGS))) if all_tags else [j for j in range(len(TAGS)) if probs[:, j].max() >= 0.02]
    keep = keep or [0]
    z = probs[:, keep].T
    tokens = [result.tokens[i].text for i in rows]
    chosen = [result.tags[i] for i in rows]
    text = [[f"{v:.2f}" if v >= 0.005 else "" for v in row] for row in z]
    hover = [[f"{html.escape(tokens[c])} → {TAGS[keep[r]]}: {z[r, c]:.3f}" for c in range(len(tokens))]
             for r in range(len(keep))]
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(len(tokens))), y=[TAGS[j] for j in keep], text=text, texttemplate="%{text}",
        customdata=hover, hovertemplate="%{customdata}<extra></extra>", zmin=0, zmax=1,
        colorscale=[[0, "#FFFFFF"], [1, palette.BLUE]], colorbar={"title": "p"}))
    # outline the tag the model chose for each token
    for c, tag in enumerate(chosen):
        if TAGS.index(tag) in keep:
            r = keep.index(TAGS.index(tag))
            fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                          line={"color": palette.VERMILION, "width": 2})
    fig.update_layout(title=title, height=190 + 26 * len(keep), margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      xaxis={"tickmode": "array", "tickvals": list(range(len(tokens))),
                             "ticktext": [html.escape(t, quote=False) for t in tokens],  # plotly reads <b>, <a> …
                             "tickangle": -45},
                      yaxis={"autorange": "reversed"})
    return fig


def token_table(bi: Analysis, fw: Analysis, rows: range) -> pd.DataFrame:
    idx = {t: i for i, t in enumerate(TAGS)}
    return pd.DataFrame({
        "token": [bi.tokens[i].text for i in rows],
        "BiLSTM-CRF tag": [bi.tags[i] for i in rows],
        "p (BiLSTM-CRF)": [float(bi.probs[i, idx[bi.tags[i]]]) for i in rows],
        "forward-only tag": [fw.tags[i] for i in rows],
        "p (forward-only)": [float(fw.probs[i, idx[fw.tags[i]]]) for i in rows],
        "differ": ["✗ differ" if bi.tags[i] != fw.tags[i] else "" for i in rows],
    })


# --- page -----------------------------------------------------------------------------

st.title("🏷️ Named-entity recognition")
intro(
    "A many-to-many RNN with Tx = Ty: every word of your text goes in, and one "
    "label comes out for every word — *B-ORG* (an organisation begins here), *I-ORG* (it continues), "
    "*O* (not an entity), and so on. A bidirectional LSTM reads the sentence both ways, a CRF layer "
    "picks the most likely sequence of labels, and the page highlights the entities it found, "
    "with how sure it is. Then the same text goes through a forward-only LSTM that can only look back, "
    "so you can see where reading ahead helps.")
lesson_link("pages/rnn_types.py", "See the many-to-many wiring on the RNN types page")

try:
    get_tagger("bilstm_crf")
    get_tagger("forward_lstm")
except AssetError as exc:
    st.error(f"The NER models are not available: {exc}")
    st.stop()

stale_link = st.session_state.pop(STALE_EXAMPLE, False)
if stale_link:
    st.session_state["ex"] = None
with controls("Text to tag"):
    example = st.selectbox("Examples", list(EXAMPLES), index=None, placeholder="Choose an example…",
                           key="ex", bind="query-params", on_change=set_example,
                           help="Each example shows one or more of the course's entity types.")
    if "text" not in st.session_state:
        st.session_state["text"] = EXAMPLES.get(example or "", DEFAULT_TEXT)
    raw = st.text_area(f"Text to tag (up to {MAX_CHARS:,} characters)", key="text", height=110,
                       bind="query-params", on_change=forget_example)
raw = raw or ""
if example is not None and raw != EXAMPLES.get(example) and not stale_link:
    # A link whose ?text= is not its ?ex= example: the URL wins on a first run, so clear the menu on a rerun.
    st.session_state[STALE_EXAMPLE] = True
    st.rerun()
text = raw
if len(raw) > MAX_CHARS:
    cut = raw.rfind(" ", 0, MAX_CHARS)
    text = raw[:cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    st.warning(f"Your text has {len(raw):,} characters; the tagger reads at most {MAX_CHARS:,}, "
               f"so only the first {len(text):,} are tagged below.")
if not text.strip():
    st.info("Type or paste some English text above (or pick an example) to see its entities. "
            "News-style sentences work best, e.g. “Apple Inc. is looking at buying UK startup for $1 billion.”")
    st.stop()

with heavy.job("tagging"):
    bi = run_model("bilstm_crf", text)
    fw = run_model("forward_lstm", text)

entities_screen, per_token, both_ways, how_good, try_this = screens([
    "Entities", "One output per input: tag probabilities", "Bidirectional vs forward-only",
    "How good is it, and where it fails", "Try this"])

# --- highlighted entities ---------------------------------------------------------------
with entities_screen:
    type_options = list(COURSE_TYPES) + list(OTHER_TYPES)
    with controls("Entity types"):
        chosen = st.pills("Show types", type_options, selection_mode="multi", default=list(COURSE_TYPES),
                          key="types", bind="query-params",
                          help="The course's ten types are on; NORP, CARDINAL and the other OntoNotes types are off "
                               "until you pick them.")
    chosen = chosen or []
    visible = {o for c in chosen for o in COURSE_TYPES.get(c, (c,))}
    st.markdown(highlight_html(text, bi.entities, ontonotes_colour, display_name, visible), unsafe_allow_html=True)
    legend = [(c, TYPE_COLOURS[c], " + ".join(COURSE_TYPES[c])) for c in COURSE_TYPES if c in chosen]
    legend += [(o, palette.GREY, OTHER_TYPES[o]) for o in OTHER_TYPES if o in chosen]
    if legend:
        st.markdown(legend_html(legend), unsafe_allow_html=True)
    hidden = [e for e in bi.entities if e.label not in visible]
    shown = [e for e in bi.entities if e.label in visible]
    if not bi.entities:
        st.caption("The BiLSTM-CRF found no entities in this text.")
    else:
        note = f" {len(hidden)} more of types you have filtered out." if hidden else ""
        st.caption(f"{len(shown)} entities shown.{note} Hover over an entity for its OntoNotes label and the "
                   "model's confidence: the smallest CRF marginal p(tag | whole sentence) among its words.")
    if shown:
        st.dataframe(pd.DataFrame({
            "text": [e.text for e in shown], "type": [display_name(e.label) for e in shown],
            "OntoNotes label": [e.label for e in shown], "confidence": [round(e.score, 3) for e in shown],
            "characters": [f"{e.start}–{e.end}" for e in shown]}), hide_index=True, width="stretch")

# --- per-token view ---------------------------------------------------------------------
sentences = split_sentences(text, bi.tokens)
bounds, start = [], 0
for sent in sentences:
    bounds.append(range(start, start + len(sent)))
    start += len(sent)
labels = [f"Sentence {i + 1}: {' '.join(t.text for t in s[:6])}{' …' if len(s) > 6 else ''}"
          for i, s in enumerate(sentences)]
MAX_COLS = 60
with per_token:
    with controls("Sentence, model and tags"):
        c1, c2 = st.columns([3, 2])
        with c1:
            which = st.selectbox("Sentence", range(len(labels)), format_func=lambda i: labels[i], key="sent",
                                 disabled=len(labels) == 1) if len(labels) > 1 else 0
        with c2:
            hm_model = st.segmented_control("Model", list(MODEL_LABELS.values()), default="BiLSTM-CRF",
                                            required=True, key="hm", bind="query-params") or "BiLSTM-CRF"
        all_tags = st.toggle("Show all 37 tags", key="alltags", bind="query-params",
                             help="By default only tags with probability ≥ 0.02 somewhere in the sentence are drawn.")
    rows = bounds[which or 0]
    if len(rows) > MAX_COLS:
        st.caption(f"This sentence has {len(rows)} tokens; the chart shows the first {MAX_COLS}.")
        rows = range(rows.start, rows.start + MAX_COLS)
    res = bi if hm_model == "BiLSTM-CRF" else fw
    what = ("CRF marginals p(tag | whole sentence)" if res is bi else "softmax p(tag | words up to here)")
    st.plotly_chart(heatmap(res, rows, f"{hm_model}: {what}", all_tags), width="stretch")
    st.caption("Columns are the input tokens x<1> … x<Tx>; rows are the possible outputs; each column sums to 1. "
               "The outlined cell is the tag the model chose (Viterbi path for the CRF, the most likely tag "
               "for the forward-only model).")

# --- bidirectional vs forward-only ----------------------------------------------------------
with both_ways:
    st.markdown(
        "The forward-only LSTM has the same width (256 numbers per token) but reads left to right only, so its "
        "label for a word can use the words **before** it and nothing after. The BiLSTM also reads right to left, "
        "and the CRF links neighbouring labels. An entity the other model does not find exactly (same words, same "
        "type) is outlined in dashed vermilion.")
    diff_tokens = [i for i in range(len(bi.tokens)) if bi.tags[i] != fw.tags[i]]
    left, right = st.columns(2)
    for col, res_, other, name in ((left, bi, fw, "BiLSTM-CRF"), (right, fw, bi, "Forward-only LSTM")):
        theirs = {(e.start, e.end, e.label) for e in other.entities}
        flagged = {i for i, e in enumerate(res_.entities) if (e.start, e.end, e.label) not in theirs}
        with col:
            st.markdown(f"**{name}**")
            st.markdown(highlight_html(text, res_.entities, ontonotes_colour, display_name, visible, flagged),
                        unsafe_allow_html=True)
    if diff_tokens:
        st.markdown(f"**{len(diff_tokens)} of {len(bi.tokens)} tokens get different tags:**")
        st.dataframe(token_table(bi, fw, range(len(bi.tokens))).iloc[diff_tokens[:200]], hide_index=True,
                     width="stretch", column_config={
                         "p (BiLSTM-CRF)": st.column_config.NumberColumn(format="%.3f"),
                         "p (forward-only)": st.column_config.NumberColumn(format="%.3f")})
    else:
        st.success(f"Both models give the same tag to all {len(bi.tokens)} tokens of this text.")

    st.markdown("##### Why later words help: “Jordan said” vs “Jordan River”")
    jordan_rows, jordan = [], {}
    for sentence in JORDAN:
        for kind, name in MODEL_LABELS.items():
            res_ = run_model(kind, sentence)
            k = next(i for i, t in enumerate(res_.tokens) if t.text == "Jordan")
            p = res_.probs[k]
            runner = next(TAGS[j] for j in np.argsort(-p) if TAGS[j] != res_.tags[k])
            jordan[(sentence, kind)] = (res_.tags[k], p)
            jordan_rows.append({"sentence": sentence, "model": name, "tag of “Jordan”": res_.tags[k],
                                "p": float(p[TAGS.index(res_.tags[k])]), "runner-up": runner,
                                "p runner-up": float(p[TAGS.index(runner)])})
    st.dataframe(pd.DataFrame(jordan_rows), hide_index=True, width="stretch",
                 column_config={"p": st.column_config.NumberColumn(format="%.3f"),
                                "p runner-up": st.column_config.NumberColumn(format="%.3f")})
    fw_a, fw_b = jordan[(JORDAN[0], "forward_lstm")][1], jordan[(JORDAN[1], "forward_lstm")][1]
    bi_a, bi_b = jordan[(JORDAN[0], "bilstm_crf")][0], jordan[(JORDAN[1], "bilstm_crf")][0]
    fw_note = ("gives **exactly the same** probabilities in both sentences"
               if np.allclose(fw_a, fw_b, atol=1e-5) else "sees the same words in both sentences")
    bi_note = (f"changes its answer from **{bi_a}** to **{bi_b}**" if bi_a != bi_b
               else f"gives **{bi_a}** both times here, though with different probabilities")
    st.markdown(
        "The two sentences are identical up to and including “Jordan”. When the forward-only LSTM labels "
        f"“Jordan” it has read only “Officials in Jordan”, so it {fw_note}: it cannot know yet whether the "
        f"country or the river is meant. The BiLSTM has also read “said …” or “River …” from the right and "
        f"{bi_note}. To label x<t> well you often need x<t+1>, x<t+2>, … as well — that is what the backward "
        "half of a bidirectional RNN adds.")

# --- evaluation -----------------------------------------------------------------------
with how_good:
    ev = evaluation()
    if ev is None:
        st.warning("No evaluation results yet: run `python -m sequence_models evaluate ner` to create "
                   f"assets/{EVALUATION_FILE}.")
    else:
        models = ev["models"]
        st.markdown(
            f"Span-level precision, recall and F1 (seqeval conventions: an entity counts only if its type and both "
            f"ends are right) on the {ev['sentences']:,} test sentences ({ev['tokens']:,} tokens), measured by "
            "`python -m sequence_models evaluate ner`.")
        with controls("Reference labels"):
            ref = st.segmented_control("Reference labels", ["Column 2: spaCy silver", "Column 3: GMB gold"],
                                       default="Column 2: spaCy silver", required=True, key="ref",
                                       bind="query-params")
        key = "gold" if ref == "Column 3: GMB gold" else "silver"
        kinds = [k for k in MODEL_LABELS if k in models]
        types = sorted((t for t in models[kinds[0]][key] if t != "micro"),
                       key=lambda t: -models[kinds[0]][key][t]["support"])
        table = []
        for t in ["micro", *types]:
            row = {"type": "all types (micro)" if t == "micro" else t,
                   "course name": "" if t == "micro" or key == "gold" else display_name(t),
                   "support": models[kinds[0]][key].get(t, {}).get("support", 0)}
            for k in kinds:
                sc = models[k][key].get(t, {"precision": 0.0, "recall": 0.0, "f1": 0.0})
                if k == "bilstm_crf":
                    row["precision"], row["recall"], row["F1 BiLSTM-CRF"] = sc["precision"], sc["recall"], sc["f1"]
                else:
                    row["F1 forward-only"] = sc["f1"]
            table.append(row)
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.3f")
                                    for c in ("precision", "recall", "F1 BiLSTM-CRF", "F1 forward-only")})
        st.caption("Precision and recall are the BiLSTM-CRF's; the last column is the forward-only LSTM's F1 "
                   "(its precision and recall are in the README and in the results file).")
        speed = " · ".join(f"{MODEL_LABELS[k]}: {models[k]['tokens_per_second']:,} tokens/s, "
                           f"{models[k]['parameters']:,} parameters" for k in kinds)
        st.caption(("Column 3 is GMB's own annotation, compared on the types both schemes share: person, "
                    "organization, location (GMB geo + gpe vs OntoNotes GPE + LOC) and date/time. "
                    if key == "gold" else "Column 2 is what the models were trained to imitate. ")
                   + f"Speed on one CPU thread, batches of 64 sentences: {speed}.")

    st.markdown("##### What this model learned from, and where it fails")
    st.markdown(
        "- **News text only.** It was trained on about 38,000 sentences (839,000 words) of news from the "
        "Groningen Meaning Bank, mostly politics, conflicts and economics. Tweets, recipes or "
        "scientific text look different and it will do worse on them.\n"
        "- **Silver labels.** The training labels come from spaCy's small English model (`en_core_web_sm`), "
        "which itself scores about 0.84 F1 on OntoNotes. This tagger learned to *imitate* that model, mistakes "
        "included; the column 2 scores measure agreement with it, not truth. Column 3 (GMB's own, "
        "differently defined labels) is a rougher check against human annotation.\n"
        "- **Rare types are weak.** PRODUCT, FAC, LAW and WORK_OF_ART have a few hundred training examples or "
        "fewer, and spaCy's silver labels for them are often wrong. PRODUCT is the worst: 230 training spans, "
        "many of them mistakes (“Cyprus” is the most frequent one), and this model **never predicts PRODUCT** "
        "on the test sentences — the Product example shows that failure. FAC is found less than half the time.\n"
        "- **Typical errors.** Names that can be several things (“Jordan” the country, the river or a person); "
        "places it has rarely seen (“Police closed Heathrow Airport” comes out as a *person*); text without "
        "normal capitals — in lower case the course sentence loses “Apple Inc.” and “UK”, and in ALL CAPS "
        "most of the sentence becomes one organisation; and where exactly a date or amount begins and ends.\n"
        "- **Words it never saw** become one *unknown* word vector; what it knows about them comes from their "
        "spelling (a small character CNN) and capitalisation.")

try_this.markdown(
    "1. Type “Jordan said” and “Jordan River” in turn. Which model changes its mind about “Jordan”, and why "
    "can the other one not?\n"
    "2. Write the course sentence in lower case (“apple inc. is looking at buying uk startup…”). "
    "What happens to the entities, and what does that tell you about the features the model relies on?\n"
    "3. Find a sentence where the heatmap shows two tags with similar probability. What extra word would "
    "make the model sure?")
