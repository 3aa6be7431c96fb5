"""The grammatical forms a reader types for a name, so that the search index holds them.

Russian declines names: a reader writes "Эрдогана" (genitive) or "с Токаевым" (instrumental).
pymorphy3 with its Russian dictionary gives the singular case forms of each Cyrillic word of a name
(for a surname it does not know, the paradigm of the words it resembles). Turkish adds suffixes,
with or without an apostrophe: "Erdoğan'ın", "Erdoğanın", "Tokayev'e". The suffixes below follow
vowel harmony and consonant assimilation; both spellings go into the index, because SQLite's FTS5
tokenizer splits "Erdoğan'ın" at the apostrophe into "erdoğan ın", which a search for the same
text then finds as a phrase.

Only names are inflected (the actors' names and aliases, the states' names): the index of a row
holds its own words as printed and these forms, never instead of them.
"""

from __future__ import annotations

import re
from functools import cache

import pymorphy3

CYRILLIC_WORD = re.compile(r"[А-ЯЁа-яё][А-ЯЁа-яё-]*")
LATIN_WORD = re.compile(r"[A-Za-zÇĞİÖŞÜçğıöşüƏəÄäÁáÉéÓóÚúŐőŰű]+")
BACK_VOWELS, FRONT_VOWELS = "aıouAIOU", "eiöüEİÖÜəƏäÄ"
VOICELESS = "çfhkpsştÇFHKPSŞT"
FOREIGN_VOWELS = str.maketrans("áéíóúőűÁÉÍÓÚŐŰ", "aeiouöüAEIOUÖÜ")


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def russian_forms(word: str) -> set[str]:
    """The singular case forms of a Cyrillic name. pymorphy3 when its dictionary knows the word as a
    name, surname or place in the nominative singular (Алтун, Алиев, Казахстан); otherwise the rules
    of Russian grammar for a masculine name by its ending (the dictionary's guesses for a name it does
    not know are often another word's forms: Токаев read as a plural of Токай)."""
    known = [
        p
        for p in analyzer().parse(word)
        if {"NOUN", "nomn"} <= p.tag.grammemes
        and ({"sing", "Sgtm"} & p.tag.grammemes)
        and ({"Surn", "Name", "Geox"} & p.tag.grammemes)
    ]
    if known:
        # A surname's paradigm holds both genders (Алиев, Алиева as a woman's name, Алиевой): keep the
        # gender of the name as written; the article's people are named in the masculine.
        gender = known[0].tag.gender
        return {f.word for f in known[0].lexeme if "plur" not in f.tag and f.tag.gender in (None, gender)} | {
            word.lower()
        }
    return by_ending(word.lower())


def by_ending(word: str) -> set[str]:
    """Genitive, dative, instrumental and prepositional of a masculine name, by its ending."""
    if word.endswith(("ов", "ев", "ёв", "ин", "ын")):  # a Russian-type surname: Токаев, Жапаров
        endings = ["а", "у", "ым", "е"]
        stem = word
    elif word.endswith(("й", "ь")):
        stem, endings = word[:-1], ["я", "ю", "ем", "е"]
    elif word.endswith("а"):
        stem = word[:-1]
        endings = ["и" if stem[-1:] in "кгхжшщч" else "ы", "е", "у", "ой"]
    elif word.endswith("я"):
        stem, endings = word[:-1], ["и", "е", "ю", "ей"]
    elif word.endswith(("о", "у", "и", "ы", "е", "ю", "э", "ё")):  # not declined: Чавушоглу, Сийярто
        return {word}
    else:  # a consonant: Эрдоган, Орбан
        stem, endings = word, ["а", "у", "ом", "е"]
    return {word} | {stem + e for e in endings}


def turkish_forms(word: str) -> set[str]:
    """The word with the case suffixes a Turkish sentence adds to a name, apostrophe or not."""
    # The vowels of other languages' names count as the Turkish vowel they sound like (Orbán'ın,
    # Szijjártó'nun): Turkish writes the name as it is and harmonises the suffix with its sound.
    plain = word.translate(FOREIGN_VOWELS)
    vowels = [c for c in plain if c in BACK_VOWELS + FRONT_VOWELS]
    if not vowels:
        return set()
    last = vowels[-1].lower()
    back = last in "aıou"
    rounded = last in "ouöü"
    high = ("u" if rounded else "ı") if back else ("ü" if rounded else "i")  # ı i u ü
    low = "a" if back else "e"
    ends_in_vowel = plain[-1] in BACK_VOWELS + FRONT_VOWELS
    hard = word[-1] in VOICELESS
    suffixes = [
        ("n" if ends_in_vowel else "") + high + "n",  # genitive: Erdoğan'ın, Aliyev'in
        ("y" if ends_in_vowel else "") + low,  # dative: Tokayev'e
        ("y" if ends_in_vowel else "") + high,  # accusative: Orbán'ı
        ("t" if hard else "d") + low,  # locative: Bakü'de
        ("t" if hard else "d") + low + "n",  # ablative: Erdoğan'dan
        ("y" if ends_in_vowel else "") + "l" + low,  # comitative: Aliyev'le
    ]
    return {f"{word}{s}" for s in suffixes} | {f"{word}'{s}" for s in suffixes}


def word_forms(word: str) -> set[str]:
    """The case forms of a Russian common noun or adjective in the nominative (министр, иностранных
    is left as it is: only a word in the nominative is declined), from pymorphy3's dictionary."""
    parses = [p for p in analyzer().parse(word) if ({"NOUN", "ADJF"} & p.tag.grammemes) and "nomn" in p.tag]
    if not parses:
        return {word.lower()}
    number = "plur" if "plur" in parses[0].tag else "sing"
    return {f.word for f in parses[0].lexeme if number in f.tag or "Sgtm" in f.tag} | {word.lower()}


def name_forms(text: str, every_word: bool = False) -> str:
    """Every inflected form of the names in text (capitalised words), or of every word (the names
    of offices), as one string for the search index."""
    found: set[str] = set()
    for word in CYRILLIC_WORD.findall(text):
        if word.isupper() and len(word) > 1:  # an abbreviation (МИД, ОТГ): declined as written
            found |= by_ending(word.lower())
        elif word[0].isupper():
            found |= russian_forms(word)
        elif every_word:
            found |= word_forms(word)
    for word in LATIN_WORD.findall(text):
        if word[0].isupper() and len(word) > 2:
            found |= turkish_forms(word)
    return " ".join(sorted(found))
