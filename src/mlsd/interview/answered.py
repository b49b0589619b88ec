"""Questions a candidate answers by naming the thing asked for, which meaning alone misses.

MiniLM puts a question and its answer further apart than two statements: "Which model family would you
start with, and why that one?" is 0.3 from "model: gbdt on those features, quantile loss", below
`reading.MADE`, and a trial's interviewer asked it right after the candidate had said GBDT. Each rule
pairs what a question asks for with what a statement must name to have said it already: a model by
name, a loss by name, a cadence for retraining, a load with its number, where the labels come from,
what is left out of the training data, how success is measured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MODEL_QUESTION = re.compile(r"\b(?:which|what) (?:\w+ )?(?:model|algorithm|architecture)s?\b|\bmodel family\b|"
                             r"\bfirst model\b|\bbaseline model\b", re.I)
_MODEL_NAMED = re.compile(
    r"\b(?:gbdts?|gbms?|gradient[- ]boost\w*|boosted trees|xgboost|lightgbm|catboost|random forests?|logistic regression|"
    r"linear regression|linear model|decision trees?|neural net\w*|deep (?:model|network|net)|mlps?|transformers?|"
    r"bert|distilbert|roberta|cnns?|rnns?|lstms?|two[- ]tower|matrix factori[sz]ation|collaborative filtering|"
    r"naive bayes|svms?|isolation forest|autoencoders?|arima|prophet|dcn(?:-?v2)?|wide (?:and|&) deep|deepfm|"
    r"llms?|resnet|vit|clip|knn|k-nearest|survival model|cox model|poisson regression|quantile regression)\b", re.I)

_HOW_OFTEN = re.compile(r"\bhow (?:often|frequently)\b|\bwhat cadence\b|\bwhen would you (?:re-?train|update|refresh)\b", re.I)
_REFRESH = re.compile(r"\b(?:re-?train\w*|train\w*|update\w*|refresh\w*|re-?fit\w*|fine-?tun\w*|rebuil\w*)\b", re.I)
_CADENCE = re.compile(r"\b(?:hourly|daily|nightly|weekly|monthly|quarterly|every (?:\w+ )?(?:minutes?|hours?|days?|nights?|"
                      r"weeks?|months?|day|week|hour)|each (?:day|week|night|hour|month)|once an? (?:day|week|month|hour)|"
                      r"incremental\w*|continuous\w*|online learning|per (?:day|week|hour))\b", re.I)

# "roughly how many requests should it handle?" / "what peak load…" and "2M orders a day, peak 200 orders/sec",
# "~2k searches/sec"
_LOAD_QUESTION = re.compile(r"\bhow many (?:\w+ )?(?:requests|queries|calls|orders|transactions|events|messages|predictions)\b|"
                            r"\b(?:qps|tps|rps|throughput|peak (?:load|traffic))\b", re.I)
_LOAD_STATED = re.compile(r"\d[\d,.]*\s*(?:k|m|b|million|billion|thousand)?\s*(?:\w+(?:\s+|(?=/))){0,2}?"
                          r"(?:(?:per|a|/|each)\s*(?:second|sec|s|day|hour|minute)\b|qps\b|tps\b|rps\b)", re.I)

# "where do your labels come from?" / "what counts as a positive example…?" and a statement about the labels
# (only the question of where labels come from: "how useful are user reports as labels?" goes deeper)
_LABEL_QUESTION = re.compile(r"\bwhere do (?:\w+ ){0,2}labels come from\b|\bhow (?:would|do|will) (?:you|we) (?:get|obtain|collect) "
                             r"(?:\w+ )?labels\b|\bwhat (?:exactly )?(?:counts as a positive|is the label)\b|\bhow would you label\b|"
                             r"\bwhat (?:labels|labell?ed data) would you (?:train on|start from|use)\b", re.I)
_LABEL_STATED = re.compile(r"\b(?:labels?|labell?ed|ground truth|target)\b.{0,80}\b(?:from|is|are|=|come|comes|noisy|"
                           r"delay\w*|late|when|based on)\b|\b(?:label|target)\s*[:=]", re.I)

_LOSS_QUESTION = re.compile(r"\b(?:which|what) (?:\w+ )?loss\b|\bloss function\b|\bwhat objective\b", re.I)
_LOSS_NAMED = re.compile(r"\b(?:log[- ]?loss|cross[- ]?entropy|(?:quantile|pinball|huber|hinge|focal|poisson|ranking|pairwise|"
                         r"listwise|softmax|triplet|contrastive|weighted|tweedie) loss|mse|mean squared error|lambda(?:rank|mart)|"
                         r"bpr|pairwise ranking|listwise ranking)\b", re.I)

# "Which trips would you exclude from training?" and "drop trips with gps gaps or cancelled mid-way"
_EXCLUDE_QUESTION = re.compile(r"\b(?:which|what) (?:\w+ )?(?:would|do|should) (?:you|we) (?:exclude|drop|filter(?: out)?|remove|"
                               r"discard|throw away)\b", re.I)
_EXCLUDED = re.compile(r"\b(?:exclud\w*|drop(?:s|ped|ping)?|filter\w*|remov\w*|discard\w*|throw\w* (?:away|out)|dedup\w*)\b",
                       re.I)

# "What exactly will the model predict, and over what time horizon?" and "label is: machine fail in next 7 day = 1"
_TARGET_QUESTION = re.compile(r"\bwhat (?:exactly )?(?:will|would|does|do|should) (?:the model|you|we|it) predict\b|"
                              r"\bprediction target\b", re.I)
_TARGET_STATED = re.compile(r"\b(?:labels?|target|predict\w*|positive)\b[^.;]{0,60}?\b(?:next|within|in the next|ahead|"
                            r"coming|following)\s+(?:\d+|a|an|one|two|three|seven|ten|thirty)?\s*"
                            r"(?:hours?|days?|weeks?|months?|minutes?)\b", re.I)

# "Is this a single classifier, and what should it output?" / "What exactly will the model predict…?" and "I'd frame
# it as a multi-label classifier, per post" (a question that also asks the horizon wants more than the task type)
_FRAMING_QUESTION = re.compile(r"^(?!.*\b(?:horizon|how far|window)\b).*?(?:\bsingle (?:classifier|model)\b|"
                               r"\bwhat (?:exactly )?(?:will|would|should|does) (?:the model|it) (?:predict|output)\b)", re.I)
_FRAMING_STATED = re.compile(r"\b(?:binary|multi[- ]?label|multi[- ]?class|multi[- ]?task|one[- ]vs[- ]rest)\s+(?:classifier|"
                             r"classification|model)\b|\b(?:regression|ranking|classification)\s+(?:problem|task|model)\b", re.I)

# "How would you build an evaluation set without existing labels?" and "I'd build a golden set of ~500 real
# questions with the supporting docs marked"
_EVAL_SET_QUESTION = re.compile(r"\bhow (?:would|will|do|could) (?:you|we) (?:build|create|get|collect|make|assemble) "
                                r"(?:an? |the |your )?(?:eval\w*|test|golden|labell?ed|ground[- ]truth) (?:set|data\w*)\b", re.I)
_EVAL_SET_STATED = re.compile(r"\b(?:build|create|collect|assemble|label|curate|write|sample)\w*\b[^.;]{0,40}?\b(?:golden|eval\w*|"
                              r"test|labell?ed|ground[- ]truth|held[- ]out)\s+(?:set|dataset|questions)\b", re.I)

# "How would you measure whether ETAs got better?" / "what does success look like?" and "success = lower mae plus
# fewer late complaints", "I'd measure success by fraud losses prevented" (how a success metric is *tested* —
# offline, online — is evaluation's question and stays)
_SUCCESS_QUESTION = re.compile(r"\bhow (?:would|will|do|could) (?:you|we) (?:measure|know|tell|judge)\b[^?]{0,40}?\b(?:better|"
                               r"success\w*|works?|working|improv\w*)\b|\bwhat (?:does|would) success (?:look like|mean)\b|"
                               r"\bwhat (?:are|is|would be) (?:the |your )?(?:success|business) metrics?\b", re.I)
_SUCCESS_STATED = re.compile(r"\bsuccess\b[^.;]{0,20}?(?:[=:]|\bis\b|\bmeans\b|\bwould be\b|\bmeasured\b)|"
                             r"\bmeasure (?:success|it|whether[^.;]{0,30}?)\s+(?:by|with|through|as)\b|"
                             r"\b(?:north star|kpi|primary metric|launch metric|business metric)s?\b", re.I)

RULES = ((_MODEL_QUESTION, _MODEL_NAMED), (_SUCCESS_QUESTION, _SUCCESS_STATED), (_TARGET_QUESTION, _TARGET_STATED),
         (_FRAMING_QUESTION, _FRAMING_STATED), (_EVAL_SET_QUESTION, _EVAL_SET_STATED),
         (_EXCLUDE_QUESTION, _EXCLUDED), (_LOAD_QUESTION, _LOAD_STATED), (_LABEL_QUESTION, _LABEL_STATED),
         (_LOSS_QUESTION, _LOSS_NAMED))


def answered_by_naming(question: str, statements: Iterable[str]) -> bool:
    """Does one of the candidate's design statements name what `question` asks for?"""
    said = list(statements)
    if _HOW_OFTEN.search(question) and _REFRESH.search(question) and any(
            _REFRESH.search(s) and _CADENCE.search(s) for s in said):
        return True  # "retrain weekly", "train incrementally every hour" answer "how often would you update it?"
    return any(asks.search(question) and any(names.search(s) for s in said) for asks, names in RULES)
