"""Topic-free style cues of an article: how it is written, not what it is about.

Genre (opinion / reporting / satire) shifts between corpora much less in *how*
articles are written than in what they talk about, so the genre head reads these
cues: quotation and attribution density, first and second person, questions and
exclamations, hedging and evaluative words, headline style. Word lists cover the
product's languages (en, bg, hi, pt, ru) and those of the SemEval-2023 training
data (fr, de, it, pl); other languages get the punctuation-based cues only.
"""

from __future__ import annotations

import math
import re

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r"[\"“”«»„](?P<q>[^\"“”«»„\n]{3,400})[\"“”«»„]")
_LINE = re.compile(r"[^\r\n]+")

# attribution: reporters cite sources ("said", "according to")
ATTRIBUTION = {
    "en": "said says told according reported stated announced added explained noted confirmed spokesperson "
          "spokesman statement reuters ap afp agency",
    "ru": "сказал сказала заявил заявила сообщил сообщила сообщает заявление словам данным отметил отметила "
          "подчеркнул пояснил рассказал риа тасс интерфакс агентство",
    "bg": "каза заяви заявил съобщи съобщават според думите изявление отбеляза подчерта посочи бта агенция",
    "pt": "disse afirmou declarou segundo acordo informou anunciou explicou comunicado agência lusa porta-voz",
    "hi": "कहा बताया अनुसार मुताबिक बयान जानकारी एजेंसी प्रवक्ता",
    "fr": "déclaré selon dit affirmé indiqué annoncé expliqué précisé communiqué agence porte-parole afp",
    "de": "sagte sagt laut erklärte teilte mitteilte berichtete betonte sprecher sprecherin dpa agentur",
    "it": "detto dichiarato secondo riferito spiegato annunciato comunicato ansa agenzia portavoce",
    "pl": "powiedział powiedziała według poinformował poinformowała oświadczył przekazał rzecznik pap agencja",
}
FIRST_PERSON = {
    "en": "i me my mine we us our ours myself ourselves",
    "ru": "я меня мне мной мой моя моё мои мы нас нам нами наш наша наше наши",
    "bg": "аз мен ме ми мой моя мое мои ние нас нас ни наш наша наше наши",
    "pt": "eu me mim meu minha meus minhas nós nos nosso nossa nossos nossas",
    "hi": "मैं मुझे मेरा मेरी मेरे हम हमें हमारा हमारी हमारे",
    "fr": "je me moi mon ma mes nous notre nos",
    "de": "ich mich mir mein meine meinen wir uns unser unsere",
    "it": "io me mi mio mia miei mie noi ci nostro nostra nostri nostre",
    "pl": "ja mnie mi mój moja moje my nas nam nasz nasza nasze",
}
SECOND_PERSON = {
    "en": "you your yours yourself yourselves",
    "ru": "ты тебя тебе твой вы вас вам ваш ваша ваше ваши",
    "bg": "ти теб те твой вие вас ви ваш ваша ваше ваши",
    "pt": "você vocês tu te teu tua seu sua vosso",
    "hi": "तुम आप तुम्हारा आपका आपकी आपके",
    "fr": "tu te toi ton ta tes vous votre vos",
    "de": "du dich dir dein deine ihr euch euer sie ihnen",
    "it": "tu te ti tuo tua voi vi vostro vostra",
    "pl": "ty ciebie ci twój wy was wam wasz wasza",
}
# hedges, intensifiers and evaluative words: the voice of an opinion piece
EVALUATIVE = {
    "en": "must should think believe obviously clearly surely simply really absolutely truly perhaps maybe "
          "indeed frankly course terrible ridiculous absurd disgrace shameful insane stupid lies outrageous",
    "ru": "должен должны надо нужно думаю считаю очевидно конечно просто действительно абсолютно возможно "
          "наверное ясно ужасно абсурд позор безумие ложь",
    "bg": "трябва мисля смятам очевидно разбира просто наистина абсолютно може би ясно ужасно абсурд позор лъжа",
    "pt": "deve devem acho penso obviamente claramente certamente simplesmente realmente absolutamente talvez "
          "vergonha absurdo ridículo mentira",
    "hi": "चाहिए सोचता मानता जाहिर निश्चित वास्तव बिल्कुल शायद शर्म बेतुका झूठ",
    "fr": "doit devrait pense crois évidemment clairement sûrement simplement vraiment absolument peut-être "
          "honte absurde ridicule mensonge",
    "de": "muss sollte glaube denke offensichtlich natürlich einfach wirklich absolut vielleicht schande absurd "
          "lächerlich lüge",
    "it": "deve dovrebbe penso credo ovviamente chiaramente semplicemente davvero assolutamente forse vergogna "
          "assurdo ridicolo bugia",
    "pl": "musi powinien myślę sądzę oczywiście naprawdę absolutnie może wstyd absurd śmieszne kłamstwo",
}
_LEXICONS = {name: {lang: frozenset(words.split()) for lang, words in table.items()}
             for name, table in (("attribution", ATTRIBUTION), ("first", FIRST_PERSON),
                                 ("second", SECOND_PERSON), ("evaluative", EVALUATIVE))}
LANGUAGE_ALIASES = {"ge": "de", "po": "pl"}

FEATURE_NAMES = (
    "quoted_share", "quotes_per_sentence", "attribution_rate", "first_person_rate", "second_person_rate",
    "evaluative_rate", "question_rate", "exclamation_rate", "digit_rate", "caps_word_rate",
    "mean_sentence_words", "log_words", "log_paragraphs", "mean_paragraph_words", "title_question",
    "title_colon_or_quote", "title_words", "has_lexicon",
)


# how long an article and its parts are: a property of the outlet and of how the text was scraped more than of
# its genre (SemEval-2023's satire pieces are short, so a head that reads these calls short news satire)
LENGTH_FEATURES = ("mean_sentence_words", "log_words", "log_paragraphs", "mean_paragraph_words", "title_words")
CUE_COLUMNS = np.array([i for i, name in enumerate(FEATURE_NAMES) if name not in LENGTH_FEATURES])


def style_features(text: str, language: str, title: str | None = None) -> np.ndarray:
    """A fixed-length vector of style cues (see ``FEATURE_NAMES``), each roughly in [0, 1]."""
    lang = LANGUAGE_ALIASES.get(language, language)
    words = _WORD.findall(text)
    n_words = max(len(words), 1)
    lower = [w.lower() for w in words]
    paragraphs = [m.group() for m in _LINE.finditer(text) if m.group().strip()]
    if title is None:
        title = paragraphs[0] if paragraphs else ""
    sentences = max(len(re.findall(r"[.!?…।]+(?:\s|$)", text)), 1)
    quoted = sum(len(m.group("q")) for m in _QUOTED.finditer(text))
    n_quotes = sum(1 for _ in _QUOTED.finditer(text))

    def rate(name: str) -> float:
        lexicon = _LEXICONS[name].get(lang)
        return sum(1 for w in lower if w in lexicon) / n_words if lexicon else 0.0

    features = [
        quoted / max(len(text), 1),
        min(n_quotes / sentences, 2.0) / 2.0,
        min(rate("attribution") * 50, 1.0),
        min(rate("first") * 20, 1.0),
        min(rate("second") * 30, 1.0),
        min(rate("evaluative") * 30, 1.0),
        min(text.count("?") / sentences, 1.0),
        min(text.count("!") / sentences, 1.0),
        min(sum(map(str.isdigit, text)) / max(len(text), 1) * 20, 1.0),
        min(sum(1 for w in words if len(w) > 2 and w.isupper()) / n_words * 20, 1.0),
        min(n_words / sentences / 40.0, 1.0),
        math.log1p(n_words) / 10.0,
        math.log1p(len(paragraphs)) / 5.0,
        min(n_words / max(len(paragraphs), 1) / 100.0, 1.0),
        float(title.rstrip().endswith("?")),
        float(any(c in title for c in ":\"“”«»'")),
        min(len(_WORD.findall(title)) / 20.0, 1.0),
        float(lang in ATTRIBUTION),
    ]
    return np.asarray(features, dtype=np.float32)
