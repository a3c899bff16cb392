"""Named entities: a BiLSTM-CRF tags every token (many-to-many, Tx = Ty)."""

from __future__ import annotations

import json
from urllib.parse import quote

import numpy as np
import streamlit as st

from sequence_models.ner.metrics import bio_violations
from sequence_models.ner.tokenizer import split_sentences
from sequence_models.ner.types import COURSE_TYPES, OTHER_TYPES, display_name
from ui import heavy, palette
from ui.charts import CHART
from ui.inputs import example_text_box
from ui.lessons import ensure_app_navigation, lesson_link
from ui.ner_figures import f1_bars, tag_heatmap, tag_strip_html
from ui.presentation import controls, intro, screens
from ui.tables import show_table
from ui.teaching import Answer, checkpoint, locked

ensure_app_navigation()  # first visit after a server start: go through app.py
st.title("🏷️ Named-entity recognition")
intro(
    "A many-to-many RNN with Tx = Ty: every word of your text goes in, and one "
    "label comes out for every word — *B-ORG* (an organisation begins here), *I-ORG* (it continues), "
    "*O* (not an entity), and so on. A bidirectional LSTM reads the sentence both ways, a CRF layer "
    "picks the most likely sequence of labels, and the page highlights the entities it found, "
    "with how sure it is. Then the same text goes through a forward-only LSTM that can only look back, "
    "so you can see where reading ahead helps.")
lesson_link("pages/rnn_types.py", "See the many-to-many wiring on the RNN types page")

# Heavy imports after the first paint: on a cold server importing torch takes seconds, and the title and intro
# are already on screen.
from sequence_models.ner.data import TAGS  # noqa: E402
from sequence_models.ner.highlight import highlight_html, legend_html  # noqa: E402
from sequence_models.ner.inference import (  # noqa: E402
    COURSE_EXAMPLE,
    DEFAULT_TEXT,
    EVALUATION_FILE,
    MAX_CHARS,
    Analysis,
    analyse,
    load,
)
from sequence_models.ner.report import (  # noqa: E402
    SET_LABELS,
    WEAK_F1,
    course_rows,
    invalid_pair_demo,
    transition_score,
    weak_spots,
)
from sequence_models.runtime import AssetError, use_inference_threads  # noqa: E402
from ui.evaluation import results_or_note  # noqa: E402

MODEL_LABELS = {"bilstm_crf": "BiLSTM-CRF", "forward_lstm": "Forward-only LSTM"}
#: One colour per course type (Okabe–Ito first, then two extra distinct hues), grey for the rest.
TYPE_COLOURS = {
    "Person": palette.BLUE, "Organization": palette.ORANGE, "Location": palette.GREEN,
    "Date": palette.VERMILION, "Time": palette.PURPLE, "Money": palette.SKY, "Percentage": "#B8A200",
    "Product": "#6A3D9A", "Event": "#8C510A", "Facility": "#01665E",
}
EXAMPLES: dict[str, str] = {
    "The course notes' ten types in two sentences": COURSE_EXAMPLE,
    "News: organization, location, money": "Apple Inc. is looking at buying UK startup for $1 billion.",
    "Person, date and organization": "Barack Obama met Angela Merkel in Berlin on Tuesday, the White House said.",
    "Time and facility": "The detainees at Guantanamo Bay were moved late Wednesday night.",
    "Percentage and money": "Inflation fell to 2.5% in May, and the government raised $2 billion in a bond sale.",
    "Event": "Hurricane Katrina struck New Orleans in August 2005.",
    "Everyday, in lower case": "jane smith from london joined google last week and bought an iphone for $500.",
    "Other types: nationality, numbers, ordinals": "Three Iranian diplomats left Iraq for the second time this year.",
    "Bidirectional matters: Jordan": ("Officials in Jordan said the water was low.\n"
                                      "Officials in Jordan River towns said the water was low."),
}
#: Two sentences identical up to and including "Jordan"; only the words after it differ.
JORDAN = ("Officials in Jordan said the water was low.", "Officials in Jordan River towns said the water was low.")
#: Longest text (URL-encoded) that is kept in the page's address; longer text is left out of links.
URL_TEXT_LIMIT = 2000
TEXT_KEY = "ner_text"
SAVED_TEXT_KEY = "_ner_text_saved"   # not a widget key: survives a visit to another page
PLACE_LABELS = ("GPE", "LOC", "FAC")
#: The per-token chart draws only tags this likely somewhere in the sentence (until all tags are asked for).
TAG_FLOOR = 0.02


def ontonotes_colour(label: str) -> str:
    return TYPE_COLOURS.get(display_name(label), palette.GREY)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


@st.cache_resource(show_spinner="Loading the taggers…")
def get_tagger(kind: str):
    return load(kind)


@st.cache_data(max_entries=64, show_spinner=False)
def run_model(kind: str, text: str) -> Analysis:
    use_inference_threads(1)
    with heavy.slot():
        return analyse(get_tagger(kind), text)


@st.cache_data(show_spinner=False)
def demo_invalid_pair() -> tuple[str, list[str], list[str], list[int]] | None:
    """A built-in sentence on which the forward-only model emits an invalid I- tag (found by running it)."""
    use_inference_threads(1)
    return invalid_pair_demo(get_tagger("forward_lstm"))


def mirror_text_in_url(text: str, example: str | None) -> bool:
    """Keep the text in the address (``?ner_text=``) when it is short enough; returns ``False`` when left out.

    The text is left out when it is the chosen example or the default (the address already says
    that), and when it is longer than :data:`URL_TEXT_LIMIT` URL-encoded characters: such links
    could not be reloaded or shared (servers refuse very long addresses)."""
    implied = EXAMPLES.get(example or "", DEFAULT_TEXT)
    fits = len(quote(text, safe="")) <= URL_TEXT_LIMIT
    wanted = text if fits and text != implied else None
    try:
        if wanted is None:
            if TEXT_KEY in st.query_params:
                del st.query_params[TEXT_KEY]
        elif st.query_params.get(TEXT_KEY) != wanted:
            st.query_params[TEXT_KEY] = wanted
    except Exception:  # noqa: BLE001 - no browser session (some test harnesses): nothing to mirror
        pass
    return fits


def starting_text(example: str | None) -> str:
    """The box's text when a session first draws it: a link's ``?ner_text=``, else the text kept from an
    earlier visit to this page (a widget's state is dropped on a visit to another page), else the example's."""
    from_url = st.query_params.get(TEXT_KEY)
    saved = st.session_state.get(SAVED_TEXT_KEY)
    return (from_url if isinstance(from_url, str)
            else saved if isinstance(saved, str) and example is None
            else EXAMPLES.get(example or "", DEFAULT_TEXT))


# --- page -----------------------------------------------------------------------------

try:
    get_tagger("bilstm_crf")
    get_tagger("forward_lstm")
except AssetError as exc:
    st.error(f"The NER models are not available: {exc}")
    st.stop()

with controls("Text to tag"):
    box = example_text_box(
        EXAMPLES, "ner_ex", TEXT_KEY, menu_label="Examples", start=starting_text, max_chars=MAX_CHARS,
        menu_help=f"The first example uses each of the course notes' {len(COURSE_TYPES)} entity types once.",
        text_label=f"Text to tag (up to {MAX_CHARS:,} characters)", height=110)
example, raw, over_cap = box.example, box.text, box.cut
st.session_state[SAVED_TEXT_KEY] = raw
text = raw[:MAX_CHARS]
if over_cap or len(raw) >= MAX_CHARS:
    st.warning(f"The box holds at most {MAX_CHARS:,} characters (the tagger's limit), so anything pasted beyond "
               f"that was cut; the first {len(text):,} are tagged below.")
if not mirror_text_in_url(text, example):
    st.caption(f"🔗 This text is too long to travel in the page's address ({len(quote(text, safe='')):,} characters "
               f"once encoded; links carry at most {URL_TEXT_LIMIT:,}), so a link copied from the address bar or "
               "the class-link builder opens with the starting text instead. Share the text itself, or the "
               "JSON download under *Entities*.")
if not text.strip():
    st.info("Type or paste some English text above (or pick an example) to see its entities, e.g. "
            f"“{COURSE_EXAMPLE.splitlines()[0]}”")
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
                          key="ner_types", bind="query-params", disabled=locked("ner_types"),
                          help=f"The course's {len(COURSE_TYPES)} types are on; NORP, CARDINAL and the other "
                               "OntoNotes types are off until you pick them.")
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
        note = f" {plural(len(hidden), 'more')} of types you have filtered out." if hidden else ""
        st.caption(f"{plural(len(shown), 'entity', 'entities')} shown.{note} Hover over an entity for its "
                   "OntoNotes label and the model's confidence: the smallest CRF marginal p(tag | whole sentence) "
                   "among its words.")
    if shown:
        show_table([{"text": e.text, "type": display_name(e.label), "OntoNotes label": e.label,
                     "confidence": e.score, "characters": f"{e.start}–{e.end}"} for e in shown], {"confidence": ".3f"})
    export = {"text": text, "models": {MODEL_LABELS[r.kind]: {"entities": [e.as_dict() for e in r.entities]}
                                       for r in (bi, fw)},
              "note": "start/end are character offsets into text (end exclusive); score is the model's "
                      "confidence in the span's tags; labels are OntoNotes types."}
    st.download_button("Download the entity spans (JSON)", json.dumps(export, ensure_ascii=False, indent=2),
                       file_name="entities.json", mime="application/json", key="ner_dl_entities",
                       help="Both models' entities with character offsets, types and confidence.")

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
            which = st.selectbox("Sentence", range(len(labels)), format_func=lambda i: labels[i], key="ner_sent",
                                 disabled=len(labels) == 1) if len(labels) > 1 else 0
        with c2:
            hm_model = st.segmented_control("Model", list(MODEL_LABELS.values()), default="BiLSTM-CRF",
                                            required=True, key="ner_hm", bind="query-params",
                                            disabled=locked("ner_hm")) or "BiLSTM-CRF"
        all_tags = st.toggle(f"Show all {len(TAGS)} tags", key="ner_alltags", bind="query-params",
                             disabled=locked("ner_alltags"),
                             help=f"By default only tags with probability ≥ {TAG_FLOOR:g} somewhere in the sentence "
                                  "are drawn.")
    rows = bounds[which or 0]
    if len(rows) > MAX_COLS:
        st.caption(f"This sentence has {len(rows)} tokens; the chart shows the first {MAX_COLS}.")
        rows = range(rows.start, rows.start + MAX_COLS)
    res = bi if hm_model == "BiLSTM-CRF" else fw
    what = ("CRF marginals p(tag | whole sentence)" if res is bi else "softmax p(tag | words up to here)")
    probs = res.probs[rows.start:rows.stop]
    keep = list(range(len(TAGS))) if all_tags else [j for j in range(len(TAGS)) if probs[:, j].max() >= TAG_FLOOR]
    keep = keep or [0]
    st.markdown(f"**{hm_model}: {what}**")
    st.plotly_chart(tag_heatmap([res.tokens[i].text for i in rows], [res.tags[i] for i in rows],
                                probs[:, keep].T, [TAGS[j] for j in keep]), width="stretch", config=CHART)
    st.caption("Columns are the input tokens x<1> … x<Tx>; rows are the possible outputs; each column sums to 1. "
               "The outlined cell is the tag the model chose (Viterbi path for the CRF, the most likely tag "
               "for the forward-only model). Numbers are written in when the sentence is short; hover for the rest.")

# --- bidirectional vs forward-only ----------------------------------------------------------
with both_ways:
    widths = {kind: get_tagger(kind).model.out.in_features for kind in MODEL_LABELS}
    width = (f"the same width ({widths['forward_lstm']} numbers per token)"
             if widths["forward_lstm"] == widths["bilstm_crf"]
             else f"{widths['forward_lstm']} numbers per token (the BiLSTM: {widths['bilstm_crf']})")
    st.markdown(
        f"The forward-only LSTM has {width} but reads left to right only, so its "
        "label for a word can use the words **before** it and nothing after. The BiLSTM also reads right to left, "
        "and the CRF links neighbouring labels. An entity the other model does not find exactly (same words, same "
        "type) is outlined in dashed vermilion.")
    fw_invalid: list[int] = []
    for rng_ in bounds:
        fw_invalid += [rng_.start + t for t in bio_violations(fw.tags[rng_.start:rng_.stop])]
    invalid_starts = {(fw.tokens[i].start, fw.tokens[i].end) for i in fw_invalid}
    left, right = st.columns(2)
    for col, res_, other, name in ((left, bi, fw, "BiLSTM-CRF"), (right, fw, bi, "Forward-only LSTM")):
        theirs = {(e.start, e.end, e.label) for e in other.entities}
        flagged = {i for i, e in enumerate(res_.entities) if (e.start, e.end, e.label) not in theirs}
        with col:
            st.markdown(f"**{name}**")
            st.markdown(highlight_html(text, res_.entities, ontonotes_colour, display_name, visible, flagged),
                        unsafe_allow_html=True)
    diff_tokens = [i for i in range(len(bi.tokens)) if bi.tags[i] != fw.tags[i]]
    if diff_tokens:
        st.markdown(f"**{diff_tokens and len(diff_tokens)} of {len(bi.tokens)} tokens get different tags:**")
        idx = {t: i for i, t in enumerate(TAGS)}
        show_table([{
            "token": bi.tokens[i].text, "BiLSTM-CRF tag": bi.tags[i],
            "p (BiLSTM-CRF)": float(bi.probs[i, idx[bi.tags[i]]]),
            "forward-only tag": fw.tags[i] + ("  ✗ invalid after " + (fw.tags[i - 1] if i else "start")
                                              if i in fw_invalid else ""),
            "p (forward-only)": float(fw.probs[i, idx[fw.tags[i]]])} for i in diff_tokens[:200]],
            {"p (BiLSTM-CRF)": ".3f", "p (forward-only)": ".3f"})
    else:
        st.success(f"Both models give the same tag to all {len(bi.tokens)} tokens of this text.")

    st.markdown("##### Why the CRF has rules: a tag that cannot follow the one before it")
    if fw_invalid:
        k = fw_invalid[0]
        sent_rows = next(r for r in bounds if k in r)
        strip_tokens = [fw.tokens[i].text for i in sent_rows]
        strip_tags = [fw.tags[i] for i in sent_rows]
        bad = [i - sent_rows.start for i in fw_invalid if i in sent_rows]
        where = "in your text"
    else:
        demo = demo_invalid_pair()
        if demo is not None:
            _, strip_tokens, strip_tags, bad = demo
            k = None
            where = "on a built-in sentence (your text has none)"
        else:
            strip_tokens, strip_tags, bad = [], [], []
            where = ""
    if bad:
        b = bad[0]
        before = strip_tags[b - 1] if b > 0 else "(sentence start)"
        st.markdown(
            f"The forward-only model picks each tag on its own (one softmax per token), and {where} it puts "
            f"**{strip_tags[b]}** right after **{before}**. In BIO an *I-* (inside) tag must continue an entity of "
            "the same type, so this pair is **invalid**: it is not clear where the entity starts, and the page "
            "would have to guess. The BiLSTM-CRF cannot make this mistake: its CRF scores every move between "
            f"neighbouring tags, and the move {before} → {strip_tags[b]} is fixed at "
            f"**{transition_score(get_tagger('bilstm_crf'), before, strip_tags[b]):,.0f}** "
            "(forbidden), so the Viterbi search never takes it.")
        st.markdown(tag_strip_html(strip_tokens, strip_tags, bad), unsafe_allow_html=True)
        st.caption("Forward-only LSTM tags; the invalid pair is boxed in vermilion. Entities that begin with such "
                   "a tag are shown anyway (as seqeval scores them, an I- after O starts a new entity), but "
                   "they are a symptom of tagging each word independently.")
    else:
        st.markdown("The forward-only model made no invalid pair here. In BIO an *I-* tag must continue an entity "
                    "of the same type; the CRF forbids the other moves, so the BiLSTM-CRF never makes one.")
    if invalid_starts:
        st.caption(f"In your text the forward-only model starts {plural(len(invalid_starts), 'entity', 'entities')} "
                   "with an invalid I- tag.")

    st.markdown("##### Why later words help: “Jordan said” vs “Jordan River”")

    def jordan_answer() -> Answer:
        res_ = run_model("forward_lstm", JORDAN[1])
        k_ = next(i for i, t in enumerate(res_.tokens) if t.text == "Jordan")
        tag = res_.tags[k_]
        place = tag != "O" and tag[2:] in PLACE_LABELS
        p_ = float(res_.probs[k_, TAGS.index(tag)])
        return Answer("Yes, as a place" if place else "No",
                      f"It tags “Jordan” as {tag} (p = {p_:.2f}) after reading only “Officials in Jordan”: "
                      "the word “River” comes later, so it cannot change this answer.")

    if checkpoint("ner_cp_jordan", "In “Officials in Jordan River towns said the water was low.”, will the "
                  "forward-only model tag “Jordan” as a place?", ["Yes, as a place", "No"], jordan_answer):
        jordan_rows, jordan = [], {}
        for sentence in JORDAN:
            for kind, name in MODEL_LABELS.items():
                res_ = run_model(kind, sentence)
                k_ = next(i for i, t in enumerate(res_.tokens) if t.text == "Jordan")
                p = res_.probs[k_]
                runner = next(TAGS[j] for j in np.argsort(-p) if TAGS[j] != res_.tags[k_])
                jordan[(sentence, kind)] = (res_.tags[k_], p)
                jordan_rows.append({"sentence": sentence, "model": name, "tag of “Jordan”": res_.tags[k_],
                                    "p": float(p[TAGS.index(res_.tags[k_])]), "runner-up": runner,
                                    "p runner-up": float(p[TAGS.index(runner)])})
        show_table(jordan_rows, {"p": ".3f", "p runner-up": ".3f"})
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
    ev = results_or_note(EVALUATION_FILE, "ner")
    if ev is not None:
        models = ev["models"]
        kinds = [k for k in MODEL_LABELS if k in models]
        set_names = [s for s in SET_LABELS if s in models[kinds[0]].get("sets", {})]
        st.markdown(
            "Span-level precision, recall and F1 (seqeval conventions: an entity counts only if its type and both "
            f"ends are right) on the {ev['split']} sentences, measured by `python -m sequence_models evaluate ner`. "
            "*Silver* means agreement with the spaCy model whose labels the taggers learned from.")

        def lowest_answer() -> Answer:
            f1 = {s: models["bilstm_crf"]["sets"][s]["micro"]["f1"] for s in set_names if s != "combined"}
            worst = min(f1, key=f1.get)
            return Answer(SET_LABELS[worst], "Micro-F1 of the BiLSTM-CRF: " + ", ".join(
                f"{SET_LABELS[s]} {v:.3f}" for s, v in f1.items()) + ".")

        if set_names and checkpoint(
                "ner_cp_lowest", "On which test set does the BiLSTM-CRF score lowest?",
                [SET_LABELS[s] for s in set_names if s != "combined"], lowest_answer):
            with controls("Test set"):
                options = [SET_LABELS[s] for s in set_names] + (["GMB news vs GMB's own gold labels"]
                                                                if models[kinds[0]].get("gold") else [])
                chosen_set = st.segmented_control("Test set", options, default=options[0], required=True,
                                                  key="ner_set", bind="query-params",
                                                  disabled=locked("ner_set")) or options[0]
            gold = chosen_set not in SET_LABELS.values()
            set_key = next((s for s, n in SET_LABELS.items() if n == chosen_set), "gmb")
            table = course_rows(ev, set_key, gold)
            show_table(table, {c: ".3f" for c in ("precision", "recall", "F1 BiLSTM-CRF", "F1 forward-only")})
            if not gold:
                course = [r for r in table if r["course type"]]
                st.plotly_chart(f1_bars([r["type"] for r in course], [r["course type"] for r in course],
                                        {"BiLSTM-CRF": [r["F1 BiLSTM-CRF"] for r in course],
                                         "Forward-only": [r["F1 forward-only"] for r in course]},
                                        [r["support"] for r in course], threshold=WEAK_F1), width="stretch",
                                config=CHART)
            st.caption(("GMB's own annotation, compared on the types both schemes share: person, organization, "
                        "location (GMB geo + gpe vs OntoNotes GPE + LOC) and date/time. " if gold else
                        f"The course's {len(COURSE_TYPES)} types come first; the dotted line marks F1 {WEAK_F1}, "
                        "below which a type counts as still weak. ")
                       + "Precision and recall are the BiLSTM-CRF's. Speed on one CPU thread: "
                       + " · ".join(f"{MODEL_LABELS[k]} {models[k]['tokens_per_second']:,} tokens/s "
                                    f"in batches of {models[k]['batch_size']}, "
                                    f"{models[k]['parameters']:,} parameters" for k in kinds) + ".")

    st.markdown("##### What this model learned from, and where it is still weak")
    st.markdown("\n".join(f"- {line}" for line in weak_spots(ev)))

try_this.markdown(
    "1. Type “Jordan said” and “Jordan River” in turn. Which model changes its mind about “Jordan”, and why "
    "can the other one not?\n"
    "2. Write a sentence in lower case, then the same one with capitals. Which entities survive, and what does "
    "that tell you about the features the model relies on?\n"
    "3. Find a sentence where the heatmap shows two tags with similar probability. What extra word would "
    "make the model sure?")
