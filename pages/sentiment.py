"""Sentiment: a GRU reads a product review word by word and gives one verdict at the end (many-to-one)."""

from __future__ import annotations

import streamlit as st

from ui import heavy
from ui.charts import CHART
from ui.inputs import example_text_box, markdown_literal
from ui.lessons import ensure_app_navigation, lesson_link
from ui.presentation import controls, intro, screens
from ui.svg import show_svg
from ui.tables import show_table
from ui.teaching import Answer, checkpoint, locked

ensure_app_navigation()  # first visit after a server start: go through app.py
st.title("💬 Sentiment: many-to-one")
intro(
    "A many-to-one RNN: a whole review goes in, one word at a time, and **one** output comes out at the end — "
    "positive or negative. A GRU reads your text; after each word its hidden state a⟨t⟩ is a summary of the "
    "words so far, and the same output layer turns that summary into P(positive). The page draws that "
    "probability after every word, so you can watch the verdict form (“not” pulling it down, “but” turning it "
    "round), and sets a **bag of words** beside it: a model that adds up one weight per word and never "
    "looks at their order.")
lesson_link("pages/rnn_types.py", "See the many-to-one wiring on the RNN types page")

# Heavy imports after the first paint: on a cold server importing torch takes seconds, and the title and intro
# are already on screen.
from sequence_models.runtime import AssetError, use_inference_threads  # noqa: E402
from sequence_models.sentiment.data import ATTRIBUTION  # noqa: E402
from sequence_models.sentiment.evaluate import read_word_order  # noqa: E402
from sequence_models.sentiment.inference import (EVALUATION_FILE, MAX_TOKENS, Loaded, Reading,  # noqa: E402
                                                 analyse, load_one)
from sequence_models.sentiment.page_data import examples, pair_rows, reading_csv, short_text_share  # noqa: E402
from ui.evaluation import results_or_note  # noqa: E402
from ui.sentiment_figures import (  # noqa: E402
    bow_chart, diagram, hidden_heatmap, length_chart, probability_chart, word_order_chart, words_html,
)

#: The text box keeps at most this many characters (short reviews are what the model knows).
MAX_CHARS = 500
DEFAULT_TEXT = "The screen is great, but the battery is not good."
#: The hidden-state heatmap draws this many units (those the output layer weighs most) until all are asked for.
TOP_UNITS = 24
#: The pair the bag-of-words checkpoint asks about (pair 1 of the word-order set).
PAIR = ("Good, not bad.", "Bad, not good.")


@st.cache_resource(show_spinner="Loading the sentiment models…")
def get_model(name: str) -> Loaded:
    return load_one(name)


@st.cache_data(max_entries=128, show_spinner=False)
def read(text: str) -> Reading:
    use_inference_threads(1)
    with heavy.slot():
        return analyse(get_model("gru"), get_model("bow"), text)


@st.cache_data(show_spinner=False)
def example_menu() -> dict[str, str]:
    return examples(read_word_order())


EXAMPLES = example_menu()


def verdict(label: str | None, p: float) -> str:
    return f"{'positive' if label == 'pos' else 'negative'} (P(positive) = {p:.2f})"


# --- page -----------------------------------------------------------------------------

try:
    for name in ("gru", "bow"):
        get_model(name)
except AssetError as exc:
    st.error(f"The sentiment models are not available: {exc}")
    st.stop()

with controls("Review to read"):
    box = example_text_box(
        EXAMPLES, "sen_ex", "sen_text", menu_label="Examples (the word-order pairs come in twos)",
        menu_help="Ordinary reviews, and minimal pairs from the word-order set: the same words in a different "
                  "order, with opposite meanings.",
        start=lambda example: EXAMPLES.get(example or "", DEFAULT_TEXT),
        text_label=f"Type a review of a phone, a camera, a printer… (up to {MAX_CHARS} characters)",
        height=80, bind="query-params")
raw = box.text
text = raw
if len(raw) > MAX_CHARS:
    cut = raw.rfind(" ", 0, MAX_CHARS)
    text = raw[:cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    st.warning(f"Your text has {len(raw):,} characters; this lesson reads at most {MAX_CHARS}, "
               f"so only the first {len(text):,} are read below.")

with heavy.job("reading"):
    reading = read(text)
if not reading.tokens:
    st.info("Type a short review above (or pick an example) to see the GRU read it word by word, "
            "e.g. “Easy to use, great pictures” or “Eats batteries”.")
    st.stop()

p_final = reading.prob_positive[-1]
unknown = [t for t, k in zip(reading.tokens, reading.known) if not k]
word_screen, bag_screen, hidden_screen, how_good, try_this = screens([
    "Reading word by word", "The bag of words", "The hidden state", "How good, and its limits", "Try this"])

# --- word by word -------------------------------------------------------------------------
with word_screen:
    show_svg(diagram(reading), width=900, min_width=600,
             label=f"The GRU unrolled over {len(reading.tokens)} tokens, one verdict at the end")
    st.caption(f"Many-to-one: Tx = {len(reading.tokens)} tokens (words and marks) in, Ty = 1 verdict out. The same "
               "GRU cell (the same weights) reads every token; only the last hidden state reaches the output ŷ.")
    c1, c2 = st.columns(2)
    c1.metric("GRU verdict (reads the words in order)", "positive" if reading.label == "pos" else "negative",
              f"P(positive) = {p_final:.3f}", delta_color="off", delta_arrow="off")
    c2.metric("Bag of words (order ignored)", "positive" if reading.bow_label == "pos" else "negative",
              f"P(positive) = {reading.bow_prob:.3f}", delta_color="off", delta_arrow="off")
    st.markdown(words_html(reading.tokens, reading.moves), unsafe_allow_html=True)
    st.caption("Each word is coloured by how much it moved the GRU's P(positive): blue up, vermilion down, "
               "white hardly at all (the first word is measured from 0.5).")
    st.plotly_chart(probability_chart(reading), width="stretch", key="sen_probs", config=CHART)
    biggest = max(range(len(reading.moves)), key=lambda i: abs(reading.moves[i]))
    st.markdown(
        f"The output layer is applied after **every** word, so P(positive | the first t words) exists for every "
        f"prefix; only the last one, {p_final:.3f}, is the verdict. The biggest single move here is "
        f"“{markdown_literal(reading.tokens[biggest], 40)}” ({reading.moves[biggest]:+.3f}). A word's move depends "
        "on the words before it: the same word can swing the probability in one place and barely move it in another "
        "(try “but” early and late). The bag of words gives each word one fixed weight wherever it stands.")
    notes = []
    if unknown:
        shown = ", ".join(f"“{markdown_literal(u, 30)}”" for u in list(dict.fromkeys(unknown))[:8])
        notes.append(f"Not in the models' vocabulary (read as one *unknown word*): {shown}.")
    if reading.truncated:
        notes.append(f"Only the first {MAX_TOKENS} words and marks are read.")
    if notes:
        st.caption(" ".join(notes))
    st.download_button("Download the per-word probabilities (CSV)", reading_csv(reading),
                       file_name="sentiment_per_word.csv", mime="text/csv", key="sen_csv")

# --- bag of words ---------------------------------------------------------------------------
with bag_screen:
    st.markdown(
        "The bag of words is logistic regression on word counts: one weight per word, added up with a bias, then "
        "squashed to a probability. Order is gone before it starts, so **any reordering of your words gets the "
        f"same score**. For your text: bias {reading.bow_bias:+.2f} + the weights below = "
        f"P(positive) {reading.bow_prob:.3f}, against the GRU's {p_final:.3f}.")
    st.plotly_chart(bow_chart(reading), width="stretch", key="sen_bow", config=CHART)
    st.markdown("##### Same words, opposite meanings")

    def pair_answer() -> Answer:
        a, b = read(PAIR[0]), read(PAIR[1])
        same = abs(a.bow_prob - b.bow_prob) < 5e-4
        return Answer(
            correct="The same probability for both" if same else "Different probabilities",
            why=(f"The bag of words gives “{PAIR[0]}” P(positive) = {a.bow_prob:.3f} and “{PAIR[1]}” "
                 f"{b.bow_prob:.3f}: the same bag of words, so the same sum. The GRU reads them in order: "
                 f"{a.prob_positive[-1]:.3f} and {b.prob_positive[-1]:.3f}."))

    if checkpoint("sen_cp_pair", f"The bag of words reads “{PAIR[0]}” and “{PAIR[1]}”. What does it say?",
                  ["The same probability for both", "Different probabilities"], pair_answer):
        rows = pair_rows(PAIR, read)
        show_table(rows, {c: ".3f" for c in ("GRU P(positive)", "bag of words P(positive)")})
        st.caption("Try another pair from the examples menu: the bag of words always gives the two texts of a pair "
                   "the same score, so it is right on exactly one of them.")

# --- hidden state ---------------------------------------------------------------------------
with hidden_screen:
    head = get_model("gru").model.head.weight[0].tolist()
    with controls("Hidden units"):
        all_units = st.toggle("Show all hidden units", key="sen_units", bind="query-params",
                              disabled=locked("sen_units"),
                              help=f"By default the {TOP_UNITS} units the output layer weighs most are drawn.")
    top = len(head) if all_units else TOP_UNITS
    show_svg(hidden_heatmap(reading, head, top), width=900, min_width=560,
             label=f"{top} hidden units after each of the {len(reading.tokens)} tokens")
    st.markdown(
        f"Each column is the GRU's hidden state a⟨t⟩ after one word ({len(head)} numbers between −1 and 1; the "
        f"{'all' if all_units else str(top)} rows shown are the units the output layer weighs most). The verdict "
        r"reads only the last column: $\hat y = \sigma(W_{ya}\, a^{\langle T_x \rangle} + b_y)$. Rows are sorted by "
        "their output weight W_ya: blue in the top rows and vermilion in the bottom rows push toward *positive*. "
        "Watch which units switch when a “not” or a “but” arrives: that is the summary changing its mind.")

# --- evaluation -----------------------------------------------------------------------------
with how_good:
    ev = results_or_note(EVALUATION_FILE, "sentiment")
    if ev is not None:
        models = ev["models"]
        st.markdown(f"Measured by `python -m sequence_models evaluate sentiment` on the {ev['texts']:,} test "
                    f"texts ({100 * ev['positive_share']:.0f} % positive), which no model saw while training.")
        show_table([{
            "model": m["name"], "accuracy": m["test"]["accuracy"], "macro-F1": m["test"]["f1_macro"],
            "word-order set": m["word_order"]["accuracy"],
            "pairs both right": f"{m['word_order']['pairs_both_right']} / {m['word_order']['pairs']}",
            "parameters": m["parameters"]} for m in models.values()],
            {c: ".3f" for c in ("accuracy", "macro-F1", "word-order set")})
        acc = ev["acceptance"]
        gru_wo, bow_wo = models["gru"]["word_order"]["accuracy"], models["bow"]["word_order"]["accuracy"]

        def word_order_answer() -> Answer:
            options = {"About 25 %": 0.25, "Exactly 50 %": 0.5, "About 75 %": 0.75, "About 95 %": 0.95}
            correct = min(options, key=lambda k: abs(options[k] - bow_wo))
            return Answer(correct=correct, why=(
                f"It is right on {100 * bow_wo:.0f} % of the {2 * ev['word_order_set']['pairs']} texts: the two "
                f"texts of a pair are the same bag, so it gets exactly one of them. The GRU gets "
                f"{100 * gru_wo:.0f} %."))

        st.markdown(f"##### The word-order set: {ev['word_order_set']['pairs']} minimal pairs")
        if checkpoint("sen_cp_wordorder", "On the word-order set (pairs like “Good, not bad.” / “Bad, not good.”), "
                      "how often is the bag of words right?",
                      ["About 25 %", "Exactly 50 %", "About 75 %", "About 95 %"], word_order_answer):
            kinds = list(models["gru"]["word_order"]["by_kind"])
            st.plotly_chart(word_order_chart(kinds, {m["name"]: [m["word_order"]["by_kind"][k]["accuracy"]
                                                                 for k in kinds] for m in models.values()}),
                            width="stretch", key="sen_wo", config=CHART)
            st.caption(
                f"GRU {100 * gru_wo:.0f} % vs bag of words {100 * bow_wo:.0f} %: "
                f"{acc['word_order_margin_points']:.0f} points. The pairs were written for this lesson "
                "(sequence_models/sentiment/word_order.tsv) and never used in training. "
                f"“{models['gru_plain']['name']}” is the same GRU trained on the reviews alone "
                f"({100 * models['gru_plain']['word_order']['accuracy']:.0f} %): the reviews are pros and cons lists, "
                "where “not” nearly always means a con and “but” rarely turns the verdict, so it was also taught "
                "two rules of English with the reviews' own phrases (“A, but B” takes B's side; “not” + a phrase "
                "flips it).")
        with st.expander("Accuracy by text length"):
            first = models["gru"]["by_length"]
            st.plotly_chart(length_chart([b["words"] for b in first], [b["n"] for b in first],
                                         {m["name"]: [b["accuracy"] for b in m["by_length"]] for m in models.values()}),
                            width="stretch", key="sen_len", config=CHART)
    st.markdown("##### What this model knows, and what it does not")
    if ev:
        words, share = short_text_share(ev["models"]["gru"]["by_length"])
        learned = f"{ev['models']['gru']['training']['train_texts']:,}"
        short = f"{100 * share:.0f} % of the test texts have at most {words} words"
    else:
        learned, short = "thousands of", "Most texts are short"
    st.markdown(
        f"- **Consumer products, 2004–2008.** It learned from {learned} pros, cons and review sentences about "
        "cameras, phones, MP3 players, printers and routers. Movie, restaurant or book reviews use words it has "
        "rarely or never seen (“plot”, “actors”, “delicious”, “waiter”), and it will often be wrong on them.\n"
        f"- **Short texts.** {short}, and the training texts are like them; long reviews with many turns "
        "are new to it.\n"
        "- **Pros and cons, not sentences.** Many training texts are bare lists (“Size, price, quality”) whose "
        "label came from the column they were written in, so some verdicts rest on little evidence.\n"
        "- **Words it never saw** all become one *unknown* word; sarcasm (“Great, it broke on day two”) fools it.")

with try_this:
    st.markdown(
        "1. Pick “Good, not bad.” and then “Bad, not good.” from the examples. Where in the chart does the GRU's "
        "probability cross 0.5, and why can the bag of words not follow?\n"
        "2. Type a sentence with “but” (“The battery is poor, but the pictures are stunning”). Which word moves "
        "the probability most? Swap the two halves: what changes?\n"
        "3. Write a restaurant or movie review. Which words are unknown to the model, and do you trust its verdict?")

st.caption(f"Data: {ATTRIBUTION}")
