"""Replies found wrong in replays of 20 candidate scripts written blind for this project (2026-12-01: ten
voices across twenty problems). Each test is one move a candidate made and the reply a good interviewer
gives; each failed before the change that made it pass, except the two marked as guards, which keep a
change from reaching too far."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlsd.interview.interviewer import Interviewer
from mlsd.interview.phrasing import key_phrase, offline_message
from mlsd.interview.policy import Action
from mlsd.interview.reading import point_made
from mlsd.interview.sessions import SessionStore
from mlsd.interview.signals import end_signal

REPLAYS = Path(__file__).parent / "data" / "replays"
NOT_SPECIFIED = ("isn't specified", "aren't specified")


@pytest.fixture
def store(tmp_path):
    s = SessionStore(tmp_path / "s.db")
    yield s
    s.close()


def _script(name: str) -> list[str]:
    turns = [t.strip() for t in (REPLAYS / name).read_text(encoding="utf-8").split("\n---\n") if t.strip()]
    return turns[1:] if turns[0].startswith("#problem:") else turns


def _interview(store, problem: str, *turns: str) -> Interviewer:
    iv = Interviewer.start(store, problem_id=problem, mode="mock")
    for turn in turns:
        iv.respond(turn)
    return iv


def test_a_senior_walkthrough_is_heard_to_the_end_and_its_stop_invites_the_gaps(store):
    """The whole script: a quoted SMS question is no clarifying question, a parked phase is not named back,
    nothing wraps up before the candidate does, and "I'd stop here. Happy to take follow-ups." asks for them."""
    turns = _script("fraud_senior_engineer.txt")
    iv = Interviewer.start(store, problem_id="bank_fraud_detection", mode="mock")
    replies = [iv.respond(turn, now=iv.state.started_at + 180 * n) for n, turn in enumerate(turns[:11], 1)]
    quoted_sms, parked, stop = replies[8], replies[9], replies[10]
    assert not any(s in quoted_sms.message for s in NOT_SPECIFIED)  # "Did you just try to spend $450 at X?"
    assert "sharding" not in parked.message and parked.target_phase != "scalability"
    assert all(r.action != "wrap_up" for r in replies[:10])
    assert stop.action == "close_gaps"


@pytest.mark.parametrize("text", ["I'd stop here. Happy to take follow-ups.",
                                  "I think that's the overall picture. Anything else you want me to cover?",
                                  "I think... that's all I have? Sorry, I'm not sure if I missed something big.",
                                  "Yeah so that's pretty much it I think — routing engine plus residual model, backtest, "
                                  "serve it, watch the errors.",
                                  "Is there something you wanted me to cover that I skipped?"])
def test_the_ways_a_walkthrough_ends_are_read_as_done(text):
    assert end_signal(text) == "done"


@pytest.mark.parametrize("text", ["Let's stop here.", "ok I'd stop here and see my grade",
                                  "features: locale; device; country; hour of day; language of the query. That's it."])
def test_a_stop_stays_a_stop_and_a_list_closed_by_thats_it_is_no_end(text):  # guard
    assert end_signal(text) == ("stop" if "stop" in text else None)


def test_asking_what_else_to_cover_while_the_gaps_are_asked_gets_the_next_gap_not_the_end(store):  # guard
    iv = _interview(store, "job_recommendations",
                    "We'd retrieve a few hundred jobs per member with embeddings and nearest neighbours, then rank "
                    "them with a model predicting the chance of applying.")
    assert iv.respond("I think... that's all I have?").action == "close_gaps"
    r = iv.respond("Is there something you wanted me to cover that I skipped?")
    assert r.action == "close_gaps" and iv.state.status != "wrapped"


@pytest.mark.parametrize("problem, text", [
    ("customer_churn_prediction", "Quick question, when people talk about \"precision\" and \"recall\" for this kind of "
     "thing — precision is just the percentage of flagged people who actually would have left, right? And recall is "
     "the same as what we'd call \"coverage\"?"),
    ("ads_ctr_prediction", "wait actually calibration is basically the same thing as having good AUC right? like if "
     "the model ranks well then the probs are fine?"),
    ("job_recommendations", "Sorry, I've heard people say job recommendations is a \"two-sided marketplace\" — what "
     "does that mean exactly? Does it mean the recruiter's side matters too?"),
    ("dynamic_pricing", "Sorry, one question: people say often \"price elasticity\". What it means exactly? It is "
     "the same as the slope of my booking curve?"),
])
def test_checking_what_a_term_means_gets_the_pointer_to_ask_not_not_specified(store, problem, text):
    r = _interview(store, problem).respond(text)
    assert not any(s in r.message for s in NOT_SPECIFIED) and "Ask" in r.message


def test_what_we_mean_by_the_problems_own_word_is_a_clarifying_question(store):
    r = _interview(store, "customer_churn_prediction").respond(
        "Great, thanks. Before jumping in, I want to understand the business context. What do we mean by \"cancel\" "
        "— someone turning off auto-renew, or the subscription actually lapsing? And what can the retention team "
        "actually do — discounts, free months, personal outreach? That changes everything about who we should target.")
    assert r.action == "clarify" and "offer" in r.message and "What a term means" not in r.message


def test_a_concept_question_after_a_fact_is_told_does_not_tell_the_fact_again(store):
    iv = _interview(store, "bank_fraud_detection")
    fact = iv.respond("how many transactions per second at peak?")
    assert fact.action == "clarify"
    r = iv.respond("what does PR-AUC mean?")
    assert "Ask" in r.message and fact.message not in r.message


@pytest.mark.parametrize("problem, text", [
    ("customer_churn_prediction", "Measuring impact: every month, hold back a random 10% of the flagged people as a "
     "control group and compare cancellations. Before launch, I'd also check the approach against last year: would "
     "the people it flagged in March actually have left by April?"),
    ("job_recommendations", "For the email digest — I think it could be the same model, just run in batch, like once "
     "a week, and pick the top 5 jobs the member hasn't seen yet? And maybe not send the email at all if nothing scores "
     "high enough, so people don't unsubscribe."),
    ("eta_prediction", "Hmm, scaling — I mean, I don't know, I guess it's just more machines? The service is "
     "stateless, so scale it horizontally, I wouldn't worry about that too much."),
])
def test_the_candidates_own_test_or_thinking_aloud_is_not_told_it_is_unspecified(store, problem, text):
    r = _interview(store, problem, "We'd frame it as supervised learning on the logs we already have.").respond(text)
    assert not any(s in r.message for s in NOT_SPECIFIED)


def test_a_phase_put_off_inside_a_design_message_is_not_asked_next(store):
    iv = _interview(store, "spam_email_filter", "data: labels from user spam reports and not-spam rescues, plus "
                    "honeypot accounts.")
    r = iv.respond("serving: scoring runs inline in the mta pipeline, gbdt on every message, the transformer only on "
                   "borderline ones. ill come back to monitoring later")
    assert r.target_phase != "monitoring" and "monitoring" in iv.state.set_aside
    r = iv.respond("I know there's a big scaling story here, but let's park scaling for now, I'd rather get to "
                   "evaluation.")
    assert r.target_phase == "evaluation"


def test_a_help_question_the_candidate_answers_at_once_is_no_hint_request(store):
    iv = _interview(store, "eta_prediction", "The label is the actual trip time from pickup to drop-off.")
    r = iv.respond("Hmm, and should we use deep learning? I don't think we need it — trees on the residual of the "
                   "routing engine get you most of the way, and we can revisit.")
    assert "hints" not in r.message
    r = iv.respond("hmm im a bit stuck on cold start tbh, any hint? like what do u do w/ a brand new city")
    assert "hints" in r.message


def test_a_stated_retraining_cadence_answers_how_often_the_model_is_updated(store):
    iv = _interview(store, "ads_ctr_prediction", "model: a DCN style deep model with embeddings for the sparse ids, "
                    "trained incrementally like every hour b/c new ads show up constantly and ctr drifts")
    assert point_made(iv.evidence, "How often would you update the model, and how?", "modeling")
    assert not point_made(iv.evidence, "How would you shard the embedding tables?", "scalability")


@pytest.mark.parametrize("text, said, unsaid", [
    ("Framing: a binary classifier producing P(fraud) per authorization.", "binary classifier", "producing"),
    ("success = time spent + meaningful interactions, but i'd watch hides too", "time spent", "success"),
    ("mutual friends divided by how many friends the candidate has, because someone with 5,000 friends shares "
     "friends with everybody.", "", "shares"),
    ("Okay, yeah, so I'll assume, um, like 500 million users, average maybe 200 friends each.", "", "maybe"),
    ("Scalability — 2,000 TPS peak is modest, but I'd rather not go into sharding and capacity planning.", "",
     "sharding"),
])
def test_an_acknowledgement_is_a_thing_the_candidate_named_never_a_verb_run_or_a_declined_choice(text, said, unsaid):
    phrase = key_phrase(text)
    assert unsaid not in phrase and said in phrase


def test_a_question_on_a_phase_the_candidate_just_left_says_back_to_not_staying_on():
    ask = Action(kind="ask_skipped", target_phase="modeling", question="How would you handle the class imbalance?")
    assert offline_message(ask, continuing=True, strayed=True).startswith(("Back to modeling", "Coming back to modeling"))
    assert "Staying on" not in offline_message(ask, turn=1, continuing=True, strayed=True)
    probe = Action(kind="probe", target_phase="monitoring", question="How would you detect drift?")
    for turn in range(4):
        said = offline_message(probe, turn=turn, strayed=True)
        assert "push on that" not in said and "one level deeper" not in said


@pytest.mark.parametrize("text, said, unsaid", [
    # a one-word term takes the words that modify it, back to the determiner, preposition or list break
    ("I'd bootstrap: text search logs give query to clicked product pairs.", "text search logs", ""),
    ("put the vectors in an ANN index, then pull the nearest neighbours", "ANN index", "an ANN"),
    ("A light re-ranker personalises the top 50 from the trie.", "light re-ranker", "A light"),
    # a text's first words may be a verb with its object: the term stays alone
    ("count false alerts per factory, feedback button for technicians", "alerts", "count"),
    # joining words the stopword list leaves out end a run: from a trial, "OK — plus people."
    ("Friends-of-friends gives the bulk of good candidates, and I'd add people from the same school or company, "
     "plus people who imported each other's contacts.", "", "plus"),
    ("then the distribution of layer-one scores across recent matches", "layer-one scores", "across"),
    # from a mock trial: "Noted: slice." after "roll it out to a slice of cities"; "of course" is no part
    ("Then roll it out to a slice of cities and watch complaints and cancellations.", "slice of cities", ""),
    ("we cache of course", "cache", "course"),
    # from a practice trial: "Noted: linear model and fine-tuned language."
    ("start with a linear model on word counts, then try a small fine-tuned language model",
     "fine-tuned language model", ""),
    ("gradient boosted trees on those", "gradient boosted trees", ""),
])
def test_an_acknowledgement_names_a_term_with_the_words_that_modify_it(text, said, unsaid):
    phrase = key_phrase(text)
    assert said in phrase and (not unsaid or unsaid not in phrase)


def test_an_adverb_made_from_a_technique_term_is_not_acknowledged_with_the_nouns_before_it():
    """From a trial: "score at upload time asynchronously" was acknowledged as "Noted: upload time asynchronously."."""
    phrase = key_phrase("okay then serving - score at upload time asynchronously, posts go live but get pulled", 5)
    assert "asynchronously" not in phrase
    assert key_phrase("an asynchronous worker pool scores posts", 5) == "asynchronous worker"


def test_an_acknowledgement_does_not_end_on_a_time_modifier_whose_number_was_dropped():
    """From a trial: "…, hotel ctr last 7d" was acknowledged as "Right, hotel ctr last."."""
    text = "feats: price vs city median, review score, distance to searched landmark, user's past star level, hotel ctr last 7d"
    for phase in range(8):
        assert not key_phrase(text, phase).endswith("last")


def test_a_product_of_two_things_is_not_acknowledged_as_one_run_of_words():
    """From a trial: "OK — times expected reach." for a turn on the problem-definition side (no term of its own)."""
    text = "the middle band goes into the review queue ordered by predicted harm times expected reach"
    assert "times" not in key_phrase(text, phase_index=0)


def test_an_assumption_checked_in_a_sentence_of_its_own_is_answered_with_the_fact(store):
    """From a trial: "Does that sound about right?" reads as talk about the interview, and was left unanswered."""
    iv = _interview(store, "job_recommendations")
    r = iv.respond("OK, so I'd optimise for applications that get a positive employer response, not raw clicks. I'd "
                   "assume around 50 million active members and a few million open postings. Does that sound about "
                   "right?")
    assert r.action == "clarify" and "300 million members" in r.message


def test_a_question_the_candidate_answered_by_naming_the_thing_is_not_asked(store):
    """From a trial on a custom problem (the generic questions): "model: gbdt on those features, quantile loss"
    was followed by "Which model family would you start with, and why that one?", and an assumed load of 200
    orders a second by "roughly how many requests should it handle?" (MiniLM puts each question ~0.3 from
    its answer, below MADE)."""
    from mlsd.interview.answered import answered_by_naming

    iv = Interviewer.start(store, problem_text="Design a system that predicts how long a restaurant will take to "
                           "prepare a food delivery order, to decide when to dispatch the courier.", mode="practice")
    iv.respond("ok i'll assume 50k restaurants and 2M orders a day, peak at dinner maybe 200 orders/sec.")
    assert point_made(iv.evidence, "Who are the users of this system and roughly how many requests should it handle?",
                      "problem_definition")
    iv.respond("model: gbdt on those features, quantile loss so we can dispatch on p80 not the mean")
    assert point_made(iv.evidence, "Which model family would you start with, and why that one?", "modeling")
    assert point_made(iv.evidence, "What loss function would you train with?", "modeling")
    assert not point_made(iv.evidence, "How would you handle traffic spikes at dinner time?", "scalability")
    # a deeper question on the same subject is still asked
    assert not answered_by_naming("How useful are user reports as labels, and what biases do they have?",
                                  ["labels come from the reviewers' decisions"])
    assert answered_by_naming("Where do your training labels come from?", ["labels come from the reviewers' decisions"])
    # from a trial on ETA: "drop trips with gps gaps or cancelled mid-way", then "Which trips would you exclude?"
    assert answered_by_naming("Which trips would you exclude from training?", [
        "data: completed trips w/ gps traces, route chosen, actual duration. drop trips with gps gaps or cancelled mid-way"])
    assert not answered_by_naming("Which trips would you exclude from training?", ["we train on completed trips"])
    # from a trial on maintenance: "label is: machine fail in next 7 day = 1", then "What exactly will the model
    # predict, and over what time horizon?"
    assert answered_by_naming("What exactly will the model predict, and over what time horizon?",
                              ["ok i think label is: machine fail in next 7 day = 1."])
    assert not answered_by_naming("What exactly will the model predict, and over what time horizon?",
                                  ["we use the last 7 days of sensor data"])
    # from a trial on document Q&A: the closing asked how to build an evaluation set right after one was described
    assert answered_by_naming("How would you build an evaluation set without existing labels?", [
        "To evaluate I'd build a golden set of ~500 real questions with the supporting docs marked, and measure recall@8."])
    assert not answered_by_naming("How would you build an evaluation set without existing labels?",
                                  ["we evaluate on the test set"])
    # from a trial on harmful content: "Is this a single classifier, and what should it output?" right after the
    # candidate framed it as a multi-label classifier per post
    framed = ["I'd frame it as a multi-label classifier, per post, scoring hate, harassment, nudity, with a "
              "threshold per label that decides auto-remove versus send to human review."]
    assert answered_by_naming("Is this a single classifier, and what should it output?", framed)
    assert not answered_by_naming("What exactly will the model predict, and over what time horizon?", framed)
    # from a trial on hotel search: a load written "~2k searches/sec" was asked for again
    assert answered_by_naming("Who are the users of this system and roughly how many requests should it handle?",
                              ["i'll assume bookings, ~2k searches/sec peak, results in 200ms."])
    assert not answered_by_naming("Who are the users of this system and roughly how many requests should it handle?",
                                  ["we have 3 teams/org"])
    # from a trial on ETA: "success = lower mae plus fewer late complaints", then "How would you measure whether
    # ETAs got better?"
    assert answered_by_naming("How would you measure whether ETAs got better?",
                              ['success = lower mae plus fewer "late" complaints'])
    assert answered_by_naming("What does success look like for this system?",
                              ["I'd measure success by fraud losses prevented and the false decline rate."])
    assert not answered_by_naming("How would you measure whether ETAs got better?", ["we predict minutes to the door"])
    # the same trial: "labels from completed orders, actual delivered time minus order time. drop cancelled." was
    # followed by "Which trips would you exclude from training?" ("drop cancelled." alone is no statement)
    eta = Interviewer.start(store, problem_id="eta_prediction", mode="practice")
    eta.respond("labels from completed orders, actual delivered time minus order time. drop cancelled. last 6 months")
    assert point_made(eta.evidence, "Which trips would you exclude from training?", "data")
    eta = Interviewer.start(store, problem_id="eta_prediction", mode="practice")
    eta.respond("labels from completed orders, actual delivered time minus order time. last 6 months")
    assert not point_made(eta.evidence, "Which trips would you exclude from training?", "data")


def test_leave_to_skip_a_phase_asked_in_a_design_message_is_given(store):
    """From a trial: "can we skip the model part? I'd just use a boosted trees thing" got a deeper modeling
    question ("With only hundreds of failures, how do you avoid overfitting?"): leave to skip counted only in a
    message with no design in it."""
    iv = _interview(store, "predictive_maintenance", "every morning, for each machine, a number saying how likely "
                    "it is to break in the next week; the planners get a sorted list")
    r = iv.respond("can we skip the model part? I'd just use a boosted trees thing")
    assert r.target_phase != "modeling" and "modeling" in iv.state.set_aside
    # a design step that drops something asks no leave
    assert "modeling" not in _interview(store, "predictive_maintenance", "we drop machines with many missing "
                                        "readings, then fit boosted trees").state.set_aside


def test_a_point_made_in_plain_talk_is_not_asked_again(store):
    """From a mock trial on ETA: "the thing that hurts is when we're late, more than when we're early" reads
    as off-topic prose to the judgment (no ML words), and the next reply asked "is being late worse than
    being early for the rider?"."""
    iv = Interviewer.start(store, problem_id="eta_prediction", mode="mock")
    iv.respond("Makes sense. So we're really promising the customer a time, and the thing that hurts is when "
               "we're late, more than when we're early. I'd want most orders to land within a few minutes of what "
               "we said.")
    assert point_made(iv.evidence, "Is being late worse than being early for the rider? How would that shape the "
                      "model?", "problem_definition")
    assert not point_made(iv.evidence, "How would you handle GPS noise in the traces?", "data")
    # a question put back to the interviewer is still no point made
    iv.respond("Is being late worse for riders than being early, in your experience?")
    assert not point_made(iv.evidence, "How do you handle airport pickups?", "features")
