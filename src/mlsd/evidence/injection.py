"""Spotting attempts to steer the grader or the interviewer from inside candidate text.

Candidate text is data, never instructions. The LLM prompts delimit it with a random nonce; this
module flags the text that tries anyway, so the grader can report it and the evidence engine can
refuse to count it. Checks run on a normalised copy (case folded, spacing and leetspeak undone,
base64/hex blobs decoded) so trivial encodings do not slip through.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
import urllib.parse

_PATTERNS = [
    # the object is the prompt's own instructions: "fraudsters bypass the rules" and "technicians ignore the
    # system" are ordinary design talk
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(previous|prior|above|earlier|preceding|all|any|your|the)"
    r"\b.{0,30}\b(instructions?|rubric|guidelines|directions|(system|previous|above|earlier|original)\s+prompts?|"
    r"system\s+(message|instructions?)|(grading|scoring|interview|evaluation)\s+rules)\b",
    r"\b(ignore|disregard|forget)\b.{0,20}\b(previous|prior|above|earlier|preceding|your|these|those)\s+(\w+\s+)?rules\b",
    r"\b(new|updated|real|actual)\s+(instructions?|system prompt|rules)\b",
    r"\byou\s+(are|will)\s+now\b|\bact\s+as\b.{0,30}\b(grader|evaluator|system|admin|developer)\b",
    r"^\W*(system|developer|assistant|grader|evaluator|interviewer)\s*(prompt|message|note|override)?\s*:",
    r"\b(system|developer|grader|evaluator)\s+(prompt|message|note|override)\s*:",
    # "rate ... top-10" is ordinary ML talk: the object must be a mark, not just a superlative
    r"\b(give|award|assign|grant|rate|score|grade|mark|set)\b.{0,40}\b((full|maximum|max|perfect|top|highest|best)"
    r"\s+(marks?|scores?|points|grades?|levels?|ratings?|credit)|100/100|10/10|100\s*points|level 3|strong hire|hire)\b",
    r"\b(score|level|overall|rating|grade)\"?\s*[:=]\s*\"?(100|3|10|strong)",
    r"\bstrong[_ ]hire\b",
    r"\"(overall|level|status|covered|hire_band|band)\"\s*:",
    r"</?\s*(transcript|candidate|system|instructions?|rubric|data)[^>]{0,40}>",
    r"<<<|>>>|\[/?(inst|system|sys)\]|<\|im_(start|end)\|>|<\|[^|<>]{0,40}\|>",
    r"\b(reveal|show|print|tell me|leak|output)\b.{0,40}\b(hidden|secret|system prompt|spec|model answer|rubric|"
    r"answer key|instructions)\b",
    r"\bthe (grader|evaluator|interviewer|model) (must|should|will) (give|rate|score|mark|pass)\b",
    r"\bpretend\b.{0,40}\b(covered|answered|perfect)\b",
    r"\b(end|close) of (transcript|candidate (text|answer|input))\b",
    r"\bdo not (grade|evaluate|score) (this|the following|honestly)\b",
    r"^\s*#{1,6}\s*(system|developer|assistant|grader|evaluator|instructions?)(\s+(prompt|message|note|override))?\s*$",
    r"\b(read|recite|repeat|give|share|send|list|dump|translate|say)\b.{0,40}\b(model answer|reference (solution|answer)|"
    r"sample answer|answer key|hidden (spec|requirements|facts|instructions)|system prompt)\b",
    r"\b(repeat|print|output|reveal|translate|show|dump|list|leak|copy)\b.{0,40}\b(your|the|hidden|secret|system)\s+"
    r"(hidden\s+|secret\s+|system\s+)?(instructions|prompt|rules)\b",
    r"\b(repeat|print|output|copy|echo)\b.{0,30}\beverything\b.{0,20}\b(above|before|verbatim)\b",
    r"\bthe (interviewer|grader|evaluator|model|assistant) (must|should|will|has to) (tell|reveal|show|share|give me)\b",
    # claims about the rubric itself: "all phases are covered", "criteria fully met", "the correct level is 3"
    r"\b(all|every|each)\s+(the\s+)?(phases?|criteria|criterion|dimensions?)\b.{0,40}\b(covered|met|satisfied|in depth|"
    r"at level|level\s*3)\b",
    r"\b(covered|met|satisfied|addressed)\b.{0,15}\b(all|every|each)\s+(the\s+)?(phases?|criteria|criterion|dimensions?)\b",
    r"\b(correct|deserved|fair|true|right)\s+(level|grade|rating|band)\b.{0,80}\b(is|are|=|:)\s*(3|three|100|strong|max)",
    r"\b(note|message|instructions?|reminder)\s+(for|to)\s+(the\s+|whoever\s+|anyone\s+)?(grader|grades|grading|"
    r"evaluator|reviewer|model|ai|llm|assistant)\b",
    r"\b(hire|no[- ]hire)\s+(decision|recommendation|verdict)\b|\bwith the evidence being\b",
    r"\b(skip|end|stop)\b.{0,20}\b(remaining|rest of the|other)\s+(phases?|questions?|interview)\b.{0,40}\b(wrap|hire|grade)",
    r"\b(must|should|will|shall)\s+(now\s+)?be\s+(scored|graded|rated|marked)\b.{0,40}\b(highest|maximum|max|top|full|"
    r"perfect|3|100)\b",
    r"\b(rubric|grading (rules|criteria|instructions)|scoring rules)\s+(has|have)\s+(been\s+)?(updated|changed|replaced)\b",
    r"\b(bypass|disable|skip|turn off)\b.{0,30}\b(evidence|grading|quote|injection|safety)\s+(checks?|rules?|filters?)\b",
    # the same moves in other languages: "ignore the previous instructions", "full marks", "reveal the model answer"
    r"\b(ignore[rz]?|ignorez|ignora|ignorar|ignoriere\w*|oublie[rz]?|olvida|esque[cç]a|dimentica|vergiss)\b.{0,40}"
    r"\b(instructions?|consignes|r[eè]gles|instrucciones|reglas|instru[cç][oõ]es|regras|istruzioni|regole|anweisungen|"
    r"regeln|vorgaben)\b",
    r"\b(note maximale|puntuaci[oó]n m[aá]xima|nota m[aá]xima|punteggio massimo|volle punktzahl|h[oö]chstpunktzahl|"
    r"bestnote)\b",
    r"\b(r[eé]v[eé]le[rz]?|montre[rz]?|muestra|revela|mostra|zeige?)\b.{0,40}\b(sp[eé]cification cach[eé]e|r[eé]ponse mod[eè]le|"
    r"especificaci[oó]n oculta|respuesta modelo|especifica[cç][aã]o oculta|resposta modelo|versteckte|musterl[oö]sung)",
    r"(игнорир\w*|забудь\w*|не обращай)\W.{0,40}(инструкци|правил|указани)|(высш\w*|максимальн\w*) балл",
    r"(忽略|无视|忽视).{0,12}(指令|指示|说明|规则|要求)|满分|(指示|命令|ルール|指令).{0,12}無視|無視.{0,12}(指示|命令)|満点"
    r"|(지시|명령|규칙|지침).{0,12}무시|무시.{0,12}(지시|명령)|만점",
]
_COMPILED = [re.compile(p, re.I | re.M | re.S) for p in _PATTERNS]
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}){8,}\b")


# Cyrillic and Greek letters that look Latin ("іgnоrе" with Cyrillic і, о, е): folded to ASCII.
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y",
    "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
_URL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_NEGATED = re.compile(r"(\bnot|\bnever|n't|n’t|\bcannot)\s+(be\s+)?$", re.I)


def _variants(text: str) -> list[str]:
    norm = unicodedata.normalize("NFKC", text)
    norm = "".join(ch for ch in norm if unicodedata.category(ch) != "Cf")  # zero-width characters
    folded = norm.translate(_CONFUSABLES)
    out = [norm, folded, folded.translate(_LEET)]
    # "i g n o r e  a l l" -> "ignore all"
    if re.search(r"(?:\b\w\s){4,}", folded):
        out.append(re.sub(r"(?<=\b\w) (?=\w\b)", "", folded))
    # "i.g.n.o.r.e t-h-e r_u_b_r_i_c" -> "ignore the rubric"
    if re.search(r"(?:\b\w[.\-_*·]){3,}", folded):
        out.append(re.sub(r"(?<=\b\w)[.\-_*·](?=\w\b)", "", folded))
    if _URL_ESCAPE.search(folded):
        out.append(urllib.parse.unquote_plus(folded))
    out.append(folded[::-1])  # "snoitcurtsni suoiverp erongi"
    for blob in _B64.findall(norm):
        try:
            decoded = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if all(ch.isprintable() or ch.isspace() for ch in decoded):
            out.append(decoded)
    for blob in _HEX.findall(norm):
        try:
            out.append(bytes.fromhex(blob).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
    out.append(codecs.decode(folded, "rot13"))
    return list(dict.fromkeys(out))


def injection_reasons(text: str) -> list[str]:
    """The patterns a text matches (empty when it looks like ordinary candidate speech)."""
    found = []
    for variant in _variants(text):
        for pattern in _COMPILED:
            for m in pattern.finditer(variant):
                # "documents can't override the system prompt" describes a defence, not an attempt
                if not _NEGATED.search(variant, max(0, m.start() - 16), m.start()):
                    found.append(m.group(0)[:80])
                    break
    return list(dict.fromkeys(found))


def looks_like_injection(text: str) -> bool:
    return bool(injection_reasons(text))
