"""Translation: an English→French encoder–decoder, with and without attention."""

import html
import io

import streamlit as st

from sequence_models.translation.vocab import EOS
from ui import heavy
from ui.charts import CHART
from ui.inputs import markdown_literal
from ui.lessons import ensure_app_navigation, lesson_link
from ui.presentation import controls, intro, screens
from ui.svg import show_svg
from ui.tables import show_table
from ui.teaching import Answer, checkpoint, locked
from ui.translation_figures import attention_heatmap, bleu_by_length, probability_bars, word_chips

ensure_app_navigation()  # first visit after a server start: go through app.py

#: The menu's sentences. The last three come from the course and the literature and hold words the everyday
#: Tatoeba training sentences rarely or never contain; the shipped model stumbles on them, and the labels say so.
EXAMPLES = {
    "Directions": "Where is the nearest train station?",
    "Short: adjective after the noun": "This is a French book.",
    "Short: adjective before the noun": "I want a new car.",
    "Short: negation": "I don't want to eat green apples.",
    "A student's name the model never saw": "Oluwaseun and Siobhan are reading in the library.",
    "Long: two clauses": "When I was a child, I used to spend every summer with my grandparents in a small house "
                         "near the sea.",
    "Hard: the course's example (rare words)": "Jane visits Africa in September.",
    "Hard: technical words": "My teacher says that recurrent networks read one word at a time.",
    "Hard: Bahdanau et al.'s news sentence": "The agreement on the European Economic Area was signed in August 1992.",
}
MODELS = {"Attention": "attention", "No attention": "plain"}
VIEWS = ["Words", "Subword pieces"]
ATTRIBUTION_MD = ("Sentence pairs from the Tatoeba Project ([tatoeba.org](https://tatoeba.org)), via "
                  "[manythings.org/anki](https://www.manythings.org/anki/), "
                  "[CC-BY 2.0](https://creativecommons.org/licenses/by/2.0/).")
#: Room for a whole decoded sentence (at most 200 pieces) when it is escaped for Markdown.
LITERAL_CHARS = 4000

st.title("Translation")
intro(
    "An encoder–decoder translating English into French, the course's example of an "
    "RNN whose input and output lengths differ (Tx ≠ Ty). A bidirectional GRU *encoder* reads the whole English "
    "sentence; a GRU *decoder* then writes French one piece at a time, each piece fed back as the next step's "
    "input. Words are cut into **subword pieces** (a common word is one piece, a rare name several), so no word is "
    "ever unknown. With **attention** (Bahdanau et al. 2015) the decoder looks back at every English piece before "
    "writing each French one: the heatmap shows where it looked. Without attention it has to squeeze the whole "
    "sentence into one vector. Both models were trained on a 2-core CPU by a script in this repository; "
    "every number below is computed now or read from the stored test-set evaluation."
)
st.caption(ATTRIBUTION_MD)

# Heavy imports after the first paint: on a cold server importing torch takes seconds, and the title and intro
# are already on screen.
from sequence_models.runtime import AssetError, use_inference_threads  # noqa: E402
from sequence_models.translation.data import ATTRIBUTION, LONG_BUCKETS, LONG_JOIN  # noqa: E402
from sequence_models.translation.decode import LENGTH_ALPHA, MAX_BEAM, MIN_BEAM, TOP_K  # noqa: E402
from sequence_models.translation.evaluate import BEAM, MIN_BUCKET, SHORT_WORDS  # noqa: E402
from sequence_models.translation.translate import (EVALUATION_FILE, MAX_WORDS, TranslationResult,  # noqa: E402
                                                   is_byte_piece, load_model, translate)
from sequence_models.translation.normalise import WordTable, load_word_table  # noqa: E402
from ui.evaluation import results_or_note, stored_results  # noqa: E402

assert ATTRIBUTION.startswith("Sentence pairs from the Tatoeba Project")


def literal(text: str) -> str:
    """User or model text for ``st.markdown``/``st.caption``: shown as typed, never as Markdown or HTML."""
    return markdown_literal(text, limit=LITERAL_CHARS)


def piece_text(piece: str) -> str:
    """A subword piece for display: the word-start mark ``▁`` shown as a leading space marker."""
    return piece.replace("\u2581", "_") if piece != EOS else piece


@st.cache_resource(show_spinner="Loading the translation model…")
def cached_model(name: str):
    use_inference_threads(1)
    return load_model(name)


@st.cache_resource(show_spinner=False)
def cached_words() -> WordTable:
    """The training English's word table (truecasing and word counts), read once per server."""
    return load_word_table()


#: A word seen fewer times than this in the training English is called rare on the page.
RARE_BELOW = 5


def reading_note(result: TranslationResult, evaluation: dict | None) -> str:
    """Why the encoder read other capitals or an added end mark, with the measured cost of reading the text as typed
    (``evaluation``'s classroom-typing scores for this model)."""
    recased = result.source_text[:len(result.typed)] != result.typed
    ended = len(result.source_text.rstrip()) > len(result.typed.rstrip())
    why = []
    if recased:
        why.append("a sentence typed in lower case or in capitals is first given the usual case of the training "
                   "sentences, word by word (a word they never contain is taken for a name)")
    if ended:
        why.append("every training sentence ends with a full stop or a question mark, so one is added")
    note = (f"Read as “{literal(result.source_text)}” — the model learnt English as it is usually written (“Tom”, "
            f"“I”, “Monday”, an end mark): {'; '.join(why)}.")
    typing = ((evaluation or {}).get("models", {}).get(result.model) or {}).get("typing") or {}
    measured = [(label, typing[kind]) for kind, label, done in (("lower_case", "in lower case", recased),
                                                                  ("no_end_mark", "without end marks", ended))
                if done and kind in typing]
    if measured:
        note += " Measured on the test split, this model " + "; ".join(
            f"typed {label} scores {t['prepared']['bleu_lc']:.1f} BLEU this way against {t['as_typed']['bleu_lc']:.1f} "
            "read as typed" for label, t in measured) + "."
    return note


def rare_words_note(words: list[str], seen: list[int | None], sentences: int) -> str | None:
    """Which words the training English never or rarely contains, with their counts; ``None`` when all are common."""
    rare = list(dict.fromkeys((w, n) for w, n in zip(words, seen) if n is not None and n < RARE_BELOW))
    if not rare:
        return None
    never = [w for w, n in rare if n == 0]
    few = [f"{literal(w)} ({n}×)" for w, n in rare if n > 0]
    parts = ([f"never: {literal(', '.join(never))}"] if never else []) + \
        ([f"fewer than {RARE_BELOW} times: {', '.join(few)}"] if few else [])
    return (f"In the {sentences:,} English training sentences, " + "; ".join(parts) + ". The model has little or "
            "nothing to go on for these words: a name can be copied, anything else is a guess.")


@st.cache_data(max_entries=64, show_spinner=False)
def cached_translation(text: str, beam: int, name: str) -> TranslationResult:
    with heavy.slot():
        return translate(cached_model(name), text, beam=beam, model_name=name)


def attention_csv(matrix, source: list[str], output: list[str]) -> str:
    """The attention matrix as CSV: one row per output token, one column per source token."""
    import csv
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["output \\ source", *source])
    for label, row in zip(output, matrix.tolist()):
        w.writerow([label, *[f"{x:.4f}" for x in row]])
    return buf.getvalue()


#: The predict-first question on reordering: an adjective that French puts after its noun.
REORDER_SENTENCE = "I have a red car."


def reorder_checkpoint() -> None:
    """Predict first: does the decoder read the English from left to right while it writes the French? The answer
    comes from the attention model's alignment of :data:`REORDER_SENTENCE`, computed now, and its heatmap."""
    try:
        demo = cached_translation(REORDER_SENTENCE, 1, "attention")
    except (AssetError, ValueError, heavy.Busy):
        return   # a side question: a busy server or a missing model leaves it out
    links = demo.alignment()
    back = next((k for k in range(1, len(links)) if links[k][1] < links[k - 1][1]), None)

    def answer() -> Answer:
        if back is None:
            return Answer("Yes, left to right", f"Each French word of “{literal(demo.translation)}” looks at an "
                                                "English word at or after the one before it.")
        (i0, j0, a0), (i1, j1, a1) = links[back - 1], links[back]
        out, src = demo.output_words, demo.source_words
        return Answer("No: it jumps ahead, then back",
                      f"Writing “{literal(out[i0])}” it looks most at “{literal(src[j0])}” (α = {a0:.2f}); the next "
                      f"word, “{literal(out[i1])}”, looks back at “{literal(src[j1])}” (α = {a1:.2f}). Attention "
                      "follows meaning, not position: that is how the decoder reorders.")

    if checkpoint("tr_cp_order", f"The attention model translates “{REORDER_SENTENCE}” into French, where a colour "
                  "comes after its noun. While it writes, does it read the English words from left to right?",
                  ["Yes, left to right", "No: it jumps ahead, then back"], answer):
        show_svg(attention_heatmap(demo.word_attention().numpy(), demo.source_words, demo.output_words, "word"),
                 width=560, min_width=340, label=f"Attention while translating {REORDER_SENTENCE}")


def step_through(result: TranslationResult) -> None:
    n = len(result.output_tokens)
    if n == 1:
        t = 1
        st.caption("The decoder wrote a single piece: nothing to scrub through.")
    else:
        st.session_state["tr_ts"] = min(max(int(st.session_state.get("tr_ts", 1)), 1), n)
        t = st.slider("Output step t", 1, n, key="tr_ts", bind="query-params", disabled=locked("tr_ts"),
                      help="Scrub through the decoder's steps: what it read and what it considered. "
                           "The decoder writes one subword piece per step.")
    chosen = piece_text(result.output_tokens[t - 1])
    so_far = literal(" ".join(piece_text(p) for p in result.output_tokens[: t - 1])) or "(nothing yet)"
    st.markdown(f"**Step {t}.** Pieces written so far: *{so_far}* → the decoder writes **{literal(chosen)}** "
                f"(p = {result.steps_prob[t - 1]:.2f}).")
    st.caption("A piece starting with _ begins a new word; the others continue the word before them.")
    left, right = st.columns(2, gap="large")
    with left:
        if result.attention is not None:
            row = result.attention[t - 1].tolist()
            top = max(range(len(row)), key=row.__getitem__)
            st.markdown(f"Attention row α⟨{t}⟩ over the English pieces (sums to {sum(row):.4f}):")
            st.plotly_chart(probability_bars([piece_text(p) for p in result.source_tokens], row, top,
                                             "English piece", "α = %{y:.3f} on “%{customdata}”",
                                             "orange = the piece read most at this step"),
                            width="stretch", key="tr_att_row", config=CHART)
        else:
            st.markdown("No attention row: this decoder only sees the encoder's final summary vector, the same "
                        "at every step.")
    with right:
        words = [piece_text(w) for w, _ in result.steps_top[t - 1]]
        probs = [p for _, p in result.steps_top[t - 1]]
        st.markdown(f"Top-{TOP_K} next pieces:")
        st.plotly_chart(probability_bars(words, probs, words.index(chosen) if chosen in words else None,
                                         "candidate next piece", "P(“%{customdata}”) = %{y:.3f}",
                                         "orange = the piece written"),
                        width="stretch", key="tr_top5", config=CHART)
        if chosen not in words:
            st.caption(f"The chosen piece “{literal(chosen)}” is not in this step's top {TOP_K}: beam search kept it "
                       "because the whole sentence scored better.")


def _bucket(rows: list[dict], name: str) -> dict | None:
    return next((r for r in rows if r["bucket"] == name), None)


def length_drop(evaluation: dict, model: str, start: str = LONG_BUCKETS[0][0],
                end: str = LONG_BUCKETS[2][0]) -> float | None:
    """BLEU (lower-cased, greedy) lost by ``model`` on the joined-sentence set from bucket ``start`` to ``end``."""
    rows = evaluation["models"].get(model, {}).get("long", {}).get("buckets", [])
    a, b = _bucket(rows, start), _bucket(rows, end)
    return None if a is None or b is None else a["bleu_lc"] - b["bleu_lc"]


def why_attention(evaluation: dict) -> None:
    models = evaluation["models"]
    att, pl = models.get("attention"), models.get("plain")
    if not (att and pl and "greedy" in att and "greedy" in pl):
        st.info("The stored evaluation is from an older version; run `python -m sequence_models evaluate "
                "translation` to refresh it.")
        return
    ga, gp = att["greedy"], pl["greedy"]
    st.markdown(
        f"On the {evaluation['pairs']:,} test pairs (one reference each, greedy decoding, lower-cased sacreBLEU) "
        f"the attention model scores **{ga['overall']['bleu_lc']:.1f} BLEU** and the model without attention "
        f"**{gp['overall']['bleu_lc']:.1f}**; on sentences of at most {SHORT_WORDS} words "
        f"{ga['upto20']['bleu_lc']:.1f} against {gp['upto20']['bleu_lc']:.1f}. Cased, the scores are "
        f"{ga['overall']['bleu']:.1f} and {gp['overall']['bleu']:.1f}.")
    if "long" in att and "long" in pl:
        lo, hi = LONG_BUCKETS[0][0], LONG_BUCKETS[2][0]
        drop_a, drop_p = length_drop(evaluation, "attention", lo, hi), length_drop(evaluation, "plain", lo, hi)
        st.markdown(
            "**Long inputs.** Tatoeba's sentences are short: its test split has too few long ones to show what "
            "attention is for. So we built a second, clearly separate test set: the test split's sentences, "
            f"joined {LONG_JOIN[0]}–{LONG_JOIN[1]} at a time into one input (English joined with a space, French "
            "likewise), "
            f"{evaluation.get('long_per_bucket', 0)} inputs per length bucket.")
        if drop_a is not None and drop_p is not None and checkpoint(
                "tr_cp_length", f"Which model loses more BLEU from {lo} to {hi} words?",
                ["With attention", "Without attention", "Both about the same"],
                lambda: Answer(
                    correct=("Without attention" if drop_p > drop_a + 2 else
                             "With attention" if drop_a > drop_p + 2 else "Both about the same"),
                    why=(f"On the joined-sentence test set the model without attention falls by {drop_p:.1f} BLEU "
                         f"and the attention model by {drop_a:.1f}: one fixed-size vector cannot hold a long "
                         "input, while attention reads the words it needs at each step."))):
            st.plotly_chart(bleu_by_length({"with attention": att["long"]["buckets"],
                                            "without attention": pl["long"]["buckets"]},
                                           "English input length (words), joined-sentence test set",
                                           "BLEU (lower-cased, greedy)"),
                            width="stretch", key="tr_bleu_long", config=CHART)
            st.caption("The shape of Bahdanau et al. (2015), figure 2: the fixed-length encoder–decoder collapses "
                       "as inputs grow; with attention the fall is gentler. Hover a point for the number of inputs.")
    st.markdown(f"**By sentence length on the test split itself** (buckets with fewer than {MIN_BUCKET} sentences are "
                "anecdotes: hover for the counts):")
    st.plotly_chart(bleu_by_length({"with attention": ga["buckets"], "without attention": gp["buckets"]},
                                   "English sentence length (words), test split", "BLEU (lower-cased, greedy)"),
                    width="stretch", key="tr_bleu_len", config=CHART)
    beam_key = f"beam{evaluation.get('beam', BEAM)}"
    if beam_key in att:
        st.caption(f"With beam search (width {evaluation.get('beam', BEAM)}) the attention model scores "
                   f"{att[beam_key]['overall']['bleu_lc']:.1f} and the model without attention "
                   f"{pl[beam_key]['overall']['bleu_lc']:.1f} (lower-cased).")
    names = att.get("names")
    if names and "copied_raw" in names:
        st.markdown(f"**Names it never saw.** In {names['sentences']} sentences of our own with first names and "
                    "places that never occur in the training data, the attention model's output has "
                    f"{names['copied']} of {names['total']} names letter for letter. The decoder alone gets "
                    f"{names['copied_raw']} right: Tatoeba's sentences name almost only Tom and Mary, so it "
                    f"{'never learnt' if names['copied_raw'] == 0 else 'only partly learnt'} to spell a new name. "
                    "The subword pieces let it *read* the name, and the attention "
                    "tells us where the name went, so the name is copied there (without attention: "
                    f"{pl.get('names', {}).get('copied', 0)}).")
    sigs = evaluation.get("signatures", {})
    if sigs:
        st.caption(f"Signatures: {sigs.get('bleu_lc', '')}; {sigs.get('bleu', '')}. "
                   "See sequence_models/translation/README.md for chrF and every bucket.")


sentence, looked, stepping, why, try_this = screens(["Encoder reads, decoder writes", "Where the decoder looked",
                                                    "Step through the decoding", "Why attention", "Try this"])
with sentence, controls("Sentence, model and beam width"):
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    with c2:
        example = st.selectbox("Examples", list(EXAMPLES), index=None, placeholder="Pick an example sentence…",
                               key="tr_example", disabled=locked("tr_en"))
        if example and st.session_state.get("_tr_last_example") != example:
            st.session_state["tr_en"] = EXAMPLES[example]
            st.session_state["tr_ts"] = 1
        st.session_state["_tr_last_example"] = example
    if example and example.startswith("Hard"):
        st.caption("A hard one on purpose: the model learned from short everyday sentences (Tatoeba), where words "
                   "like these are rare or absent. Expect a wrong translation, and look at where the decoder looked "
                   f"while it went wrong. Beam search (width {BEAM}) often helps a little.")
    with c1:
        if "tr_en" not in st.session_state:
            st.session_state["tr_en"] = EXAMPLES["Directions"]
        text = st.text_input(f"English sentence (up to {MAX_WORDS} words)", key="tr_en", bind="query-params",
                             max_chars=600, disabled=locked("tr_en"))
    c3, c4 = st.columns(2)
    with c3:
        model_label = st.segmented_control("Model", list(MODELS), default="Attention", required=True, key="tr_mdl",
                                           bind="query-params", disabled=locked("tr_mdl"))
    with c4:
        beam = st.slider("Beam width (1 = greedy)", MIN_BEAM, MAX_BEAM, 1, key="tr_beam", bind="query-params",
                         disabled=locked("tr_beam"))
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
        pieces = [[result.source_tokens[i] for i in g] for g in result.source_groups]
        words = cached_words()
        seen = words.seen(result.source_words)
        st.markdown(word_chips(result.source_words, pieces, [[is_byte_piece(p) for p in ps] for ps in pieces],
                               seen, words.sentences), unsafe_allow_html=True)
        if result.source_text != result.typed:
            st.caption(reading_note(result, stored_results(EVALUATION_FILE)))
        if rare := rare_words_note(result.source_words, seen, words.sentences):
            st.caption(rare)
        split = [w for w, s in zip(result.source_words, result.split_words) if s]
        if split:
            st.caption(f"{len(split)} of {len(result.source_words)} words {'is' if len(split) == 1 else 'are'} not "
                       "in the vocabulary as a whole "
                       f"(dashed, its pieces in small type beside it): {literal(', '.join(dict.fromkeys(split)))}. "
                       "The encoder reads such a word as pieces, so no word is ever unknown: even a name it never saw "
                       "gets through, and the decoder can copy its pieces.")
        if result.byte_share > 0.3:
            st.warning("Many characters here are not in the vocabulary at all (another script, such as Cyrillic or "
                       "Chinese?). The model then reads raw UTF-8 bytes (red chips), which it has almost never "
                       "seen: it will still write French, but only a guess. It was trained on English only.")

        st.markdown("**What the decoder writes**")
        st.markdown(f'<div class="tr-output" style="font-size:1.6rem;color:#0072B2;font-weight:600">'
                    f'{html.escape(result.translation) or "(an empty sentence)"}</div>', unsafe_allow_html=True)
        names = sorted({result.source_words[j] for _, j in result.copied})
        if names:
            st.caption(f"Copied along the attention: {literal(', '.join(names))}. The decoder's own text was "
                       f"“{literal(result.raw_translation)}”: while writing it, the decoder looked mostly at the name, "
                       "so the name is put back where it looked (Luong et al. 2015). Only an attention model can "
                       "do this.")
        other = "plain" if name == "attention" else "attention"
        other_label = "without attention" if other == "plain" else "with attention"
        try:
            other_result = cached_translation(text, int(beam), other)
            st.caption(f"The same sentence {other_label}: “{literal(other_result.translation)}”. Switch the "
                       "**Model** control to explore it.")
        except (AssetError, ValueError, heavy.Busy):
            pass  # only a side note: a busy server or a missing second model leaves it out
        if result.output_tokens and result.output_tokens[-1] != EOS:
            st.caption("The decoder hit its length limit before writing the end-of-sentence token ⟨/s⟩.")
        else:
            st.caption("The decoder stops when it writes the end-of-sentence token ⟨/s⟩.")

        if result.beam > 1:
            with st.expander(f"Beam search kept {len(result.alternatives)} finished translations", expanded=True):
                show_table(
                    [{"rank": i + 1, "French": a.translation or "(empty)", "log P": a.logprob,
                      f"log P / T^{LENGTH_ALPHA}": a.normalised} for i, a in enumerate(result.alternatives)],
                    {"log P": ".3f", f"log P / T^{LENGTH_ALPHA}": ".3f"})
                st.caption("Beam search keeps the best partial translations at every step and ranks the finished "
                           f"ones by log-probability divided by length^{LENGTH_ALPHA}, so longer sentences are not "
                           "unfairly penalised.")

    with looked:
        if result.attention is not None:
            view = st.segmented_control("Show attention between", VIEWS, default=VIEWS[0], required=True,
                                        key="tr_view", bind="query-params", disabled=locked("tr_view"))
            by_words = view != VIEWS[1]
            if by_words:
                matrix = result.word_attention()
                src_labels, out_labels = result.source_words, result.output_words
                st.markdown("Row *t* is the decoder writing its *t*-th French word; each column is an English word. "
                            "A word's weight is the **sum** over its pieces; for a French word written as several "
                            "pieces the row is the **average** of their rows. Dark = much attention. A diagonal "
                            "means word-by-word order; a step off the diagonal is **reordering** (“French book” → "
                            "“livre français”). Point at a cell for its value.")
            else:
                matrix = result.attention
                src_labels = [piece_text(p) for p in result.source_tokens]
                out_labels = [piece_text(p) for p in result.output_tokens]
                st.markdown("The raw view: one row per piece the decoder wrote, one column per English piece "
                            "(_ marks a piece that starts a word). This is exactly what the model computes.")
            show_svg(attention_heatmap(matrix.numpy(), src_labels, out_labels, "word" if by_words else "piece"),
                     width=900, min_width=520,
                     label=f"Attention: {len(out_labels)} French rows by {len(src_labels)} English columns")
            sums = matrix.sum(dim=1).tolist()
            st.markdown(f"**Sanity check: each row sums to 1.** The {len(sums)} row sums computed now range from "
                        f"{min(sums):.6f} to {max(sums):.6f} (a softmax over the {len(result.source_tokens)} "
                        "English pieces" + (", added up per word)." if by_words else ")."))
            st.download_button("Download this attention matrix (CSV)",
                               attention_csv(matrix, src_labels, out_labels).encode("utf-8"),
                               file_name=f"attention_{'words' if by_words else 'pieces'}.csv", mime="text/csv",
                               key="tr_download_attention")
        else:
            st.markdown("**No attention weights to show.** This decoder's only view of the English sentence is the "
                        f"encoder's final state: one vector of {2 * cached_model(name).model.cfg.enc_hidden} "
                        "numbers, the same at every output step. Switch to **Attention** to see which words the "
                        "other decoder reads while writing each word.")

    with stepping:
        step_through(result)

with looked:
    reorder_checkpoint()

with why:
    evaluation = results_or_note(EVALUATION_FILE, "translation")
    if evaluation is not None:
        why_attention(evaluation)

with try_this:
    st.markdown(
        "- Type a classmate's name and your town: “Amara lives in Leeds.” Which words are split into pieces, "
        "and does the name come out unchanged?\n"
        "- Translate “This is a French book.” and then “I want a new car.” In French one adjective goes after the "
        "noun and the other before it: in which heatmap does the bright cell step back to the left?\n"
        "- Pick a long example and switch between **Attention** and **No attention**. Where does the model without "
        "attention start to lose the thread?\n"
        f"- Set the beam width to {BEAM}. Are the alternatives different translations or the same one with small "
        "changes? When would you want the second-best?"
    )
    lesson_link("pages/rnn_types.py", label="Back to the five RNN types (encoder–decoder)")
    st.caption(ATTRIBUTION_MD)
