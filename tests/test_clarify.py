"""Clarifying questions against the hidden spec: what the problem's domain alone must not decide."""

from __future__ import annotations

import pytest

from mlsd.content.problems import get_problem
from mlsd.interview import clarify
from mlsd.interview.clarify import FactMatcher


@pytest.mark.parametrize("problem, question", [
    # Both share the problem's domain with a fact (calendar-driven demand, where ads run), not its subject.
    ("demand_forecasting", "Do we have a feed of holidays and school vacations per region?"),
    ("ads_ctr_prediction", "Do advertisers choose which countries their ads run in?"),
])
def test_a_question_the_spec_leaves_out_is_not_specified(problem, question):
    got = FactMatcher(get_problem(problem)).match(question)
    assert got.facts == [] and got.unmatched == 1


@pytest.mark.parametrize("problem, question, fact", [
    ("demand_forecasting", "how many days ahead do we need to predict?", "horizon"),
    ("eta_prediction", "how many pings per minute do drivers' phones send?", "gps_data"),
    # from our dialogues: "the page" and "the list" shared more with the audience fact's "home page" examples
    ("video_recommendations", "How quickly does the page need the list?", "latency"),
    # from a trial: "heads-up" and "break down" were no words of the lead-time and failure-history facts
    ("predictive_maintenance", "and how much heads-up does the repair crew need?", "lead_time"),
    ("predictive_maintenance", "how often do they break down?", "failure_history"),
])
def test_taking_the_domain_out_still_finds_the_fact_asked_for(problem, question, fact):
    assert FactMatcher(get_problem(problem)).match(question).facts == [fact]


def test_two_questions_joined_by_and_are_each_answered_when_the_second_ends_on_it():
    """'how many employees would use it?' asks about employees: its 'it' is the object, not what it asks
    about, so it is not folded into the question before it (a replay got the permissions fact instead)."""
    got = FactMatcher(get_problem("document_qa_rag")).match("how many documents and how many employees would use it?")
    assert got.facts == ["corpus", "users"]


@pytest.mark.parametrize("text", [
    "Monitoring: watch the online metrics per segment and the share of impressions going to new creators, because "
    "there's a feedback loop, right?",
    "What if we precompute the top 100 per user every night and just rerank those at request time? Would that be good "
    "enough for the home feed?"])
def test_a_tag_on_a_design_sentence_or_a_reaction_asked_for_asks_no_fact(text):
    """Replays: both got "That isn't specified — make a reasonable assumption"."""
    from mlsd.interview.clarify import question_parts

    assert question_parts(text) == []


@pytest.mark.parametrize("problem, question, fact", [
    # an assumption put up to be checked, whatever tag closes it, asks for the fact that settles it
    ("bank_fraud_detection", "I'm assuming labels come from chargebacks with about a month of delay - is that about "
     "right?", "label_source_and_delay"),
    ("support_ticket_routing", "I'm assuming a few hours' delay before routing is fine since it's mostly email - right?",
     "latency"),
    # a question put as a statement of what the candidate wants to know
    ("ads_ctr_prediction", "I'd like to understand what we're ultimately trying to maximise here, beyond this "
     "quarter's numbers.", "business_goal"),
    ("job_recommendations", "I need to understand whether there are legal limits on who we can show which jobs to.",
     "fairness"),
])
def test_an_assumption_to_check_or_a_wish_to_know_is_answered_with_its_fact(problem, question, fact):
    assert FactMatcher(get_problem(problem)).match(question).facts == [fact]


@pytest.mark.parametrize("problem_id, question, facts", [
    # the options name another fact's words (engagement: the logged actions): the head says what is asked
    ("personalized_news_feed", "ok. and whats the main goal, engagement or something else?", ["business_goal"]),
    ("video_recommendations", "what are we optimising for — watch time, likes, or something else?", ["business_goal"]),
    ("spam_email_filter", "how do we get labels, user reports or a team of graders?", ["labels"]),
    ("customer_churn_prediction", "what counts as churn: cancelling, or just going quiet?", ["churn_definition"]),
    ("eta_prediction", "how will the eta be used, shown to riders or for dispatch?", ["uses"]),
    # a yes/no question with an alternative asks which of the two: no fact for either
    ("ads_ctr_prediction", "Do we have a GPU fleet for serving, or is inference expected to run on CPUs?", []),
])
def test_a_question_that_offers_its_expected_answers_is_matched_on_what_it_asks(problem_id, question, facts):
    assert FactMatcher(get_problem(problem_id)).match(question).facts == facts


def test_a_question_worded_as_only_other_problems_word_it_still_finds_its_fact(monkeypatch):
    """The credit-scoring spec's own examples never put the goal as a verdict on the project; other
    problems' business-goal examples do, and a fact borrows their meaning (not their words)."""
    question = "how would leadership judge if this worked?"
    problem = get_problem("credit_risk_scoring")
    assert FactMatcher(problem).match(question).facts == ["business_goal"]
    monkeypatch.setattr(clarify, "borrowed_examples", lambda *args: [])
    assert FactMatcher(problem).match(question).facts == []  # without the borrowing: not specified


def test_a_question_that_only_shares_an_answered_facts_subject_is_told_it_is_not_specified():
    """From a trial: the category question shares the catalog's subject, but the catalog's size is not what it
    asks, so it is no elaboration to fold into the answer about size."""
    matcher = FactMatcher(get_problem("visual_search"))
    got = matcher.match("hey. before I start, is this for any product category or mostly furniture and fashion? and "
                        "how big is the catalog roughly?")
    assert got.facts == ["catalog"] and got.unmatched == 1
    # an elaboration that is nearly a match on its own still adds nothing
    got = matcher.match("how big is the catalog, and how many images per listing?")
    assert got.facts == ["catalog"] and got.unmatched == 0


@pytest.mark.parametrize("text, facts", [
    # from a trial: the check comes as a sentence of its own after the assumption it checks
    ("OK, so I'd optimise for applications that get a positive employer response, not raw clicks. I'd assume around "
     "50 million active members and a few million open postings. Does that sound about right?", ["members", "jobs"]),
    ("I'll assume 50 million members and 200 ms for the jobs page, ok?", ["members", "latency"]),
    ("I'll assume 200 ms for the jobs page. ok?", ["latency"]),
    # after a design statement, the same words ask for a reaction, never a fact
    ("We rank with a GBDT on the match features. Does that sound right?", []),
])
def test_a_check_after_an_assumption_asks_for_the_fact_that_settles_it(text, facts):
    got = FactMatcher(get_problem("job_recommendations")).match(text)
    assert got.facts == facts and got.unmatched == 0


def test_a_wh_clause_that_is_the_object_of_the_question_before_it_is_not_a_question_of_its_own():
    """From a trial: "…and how long the trip takes?" split off as a question matched the trip-volume fact."""
    matcher = FactMatcher(get_problem("eta_prediction"))
    got = matcher.match("So we show riders how long until the car arrives and how long the trip takes?")
    assert "request_volume" not in got.facts
    # a direct second question still stands apart, and so does "how big a queue can they handle?"
    assert len(clarify.question_parts("how many per second at peak, and what is the latency budget?")) == 2
    assert len(clarify.question_parts("Is there any logic running before us, and how big a review queue can the "
                                      "analysts handle?")) == 2


def test_a_second_question_led_by_a_preposition_is_answered_too():
    """From a trial: "…how large the social graph is, and on which surfaces these suggestions appear?" got the
    graph size only: "on which" did not start a question of its own."""
    got = FactMatcher(get_problem("people_you_may_know")).match(
        "Before I start designing, could you tell me roughly how large the social graph is, and on which surfaces "
        "these suggestions appear?")
    assert got.facts == ["graph_size", "surfaces"]
    assert len(clarify.question_parts("what is the latency budget, and in how many regions do we serve?")) == 2
    # a preposition before "any" leads no question: "for any new user" is part of the one question asked
    assert len(clarify.question_parts("how many users are there, and for any new user do we have contacts?")) == 1


def test_a_word_in_another_form_than_the_facts_still_counts_as_shared():
    """From a trial: "do we have to explain declines to applicants?" shared the word "decline" with the latency
    example "approve or decline" and not with "Declined applicants must receive the main reasons", so it read
    as a follow-up on latency and was never answered."""
    got = FactMatcher(get_problem("credit_risk_scoring")).match(
        "Couple of things first:\n- what counts as a default here, 90 days past due?\n- do we have to explain "
        "declines to applicants?\n- is the decision instant on the website?")
    assert got.facts == ["latency", "label_definition", "regulation"]


def test_a_question_that_only_lists_what_it_asks_for_gets_each_fact():
    """From our dialogues: "Numbers first: peak QPS, candidates per request, scoring budget, base CTR?" was told
    "not specified" (as one question it matches no fact well enough), though the spec has all four."""
    got = FactMatcher(get_problem("ads_ctr_prediction")).match(
        "Numbers first: peak QPS, candidates per request, scoring budget, base CTR?")
    assert got.facts == ["request_volume", "candidates", "latency", "ctr_level"] and got.unmatched == 0
    # examples of what a question before them asks stay part of it, and options offered stay whole
    assert len(clarify.question_parts("wht user actions do we log? likes, comments, dwell time, hides etc?")) == 2
    assert len(clarify.question_parts("Do we log clicks, saves, or purchases?")) == 1


@pytest.mark.parametrize("problem, question, facts", [
    ("document_qa_rag", "Before I design anything: how many documents are there, and what kinds?", ["corpus"]),
    ("infra_metrics_anomaly_detection", "How many series, at what resolution? And is there any incident history we "
                                        "can use?", ["metric_volume", "labels"]),
])
def test_a_sub_question_of_a_word_or_two_asks_about_the_subject_before_it(problem, question, facts):
    """From our dialogues: "what kinds?" (0.39 from the corpus fact, whose text lists the kinds) was told "the
    rest isn't specified" beside the corpus fact."""
    got = FactMatcher(get_problem(problem)).match(question)
    assert got.facts == facts and got.unmatched == 0
    # a short one that names a fact of its own still gets it
    assert FactMatcher(get_problem("ads_ctr_prediction")).match(
        "how many requests per second at peak, and what latency?").facts == ["request_volume", "latency"]


@pytest.mark.parametrize("problem, question, facts", [
    # two quantities in one breath
    ("support_ticket_routing", "How many tickets and teams?", ["volume", "teams"]),
    ("visual_search", "Before the model stuff: what's the catalogue like? How many listings and images, and how "
                      "often do they change?", ["catalog", "catalog_changes"]),
    # "and roughly how many…" starts a question of its own
    ("personalized_news_feed", "Thank you. May I first ask what the company regards as success for the feed, and "
                               "roughly how many users and candidate posts we are dealing with?",
     ["users", "inventory", "business_goal"]),
    # a list of the things asked for, items of up to six words
    ("bank_fraud_detection", "Numbers first: peak transactions per second, the p99 budget for our decision, and the "
                             "fraud rate?", ["transaction_volume", "fraud_rate", "latency_budget"]),
])
def test_each_thing_asked_for_in_one_sentence_gets_its_fact(problem, question, facts):
    """From our dialogues, where each of these got one fact or none."""
    got = FactMatcher(get_problem(problem)).match(question)
    assert got.facts == facts and got.unmatched == 0


def test_a_lead_in_before_roughly_is_not_a_question_and_two_things_counted_stay_apart():
    assert clarify.question_parts("Of the loans we hand out, roughly what share go bad?") == [
        "Of the loans we hand out, roughly what share go bad?"]
    assert clarify.question_parts("how many clicks and purchases do we log per day?") == [
        "how many clicks do we log per day?", "how many purchases do we log per day?"]
    # a follow-up after the pair refers back to both, so it is not folded into the second alone
    assert clarify.question_parts("How many listings and images, and how often do they change?") == [
        "How many listings,", "How many images,", "how often do they change?"]


def test_a_when_clause_before_a_question_sets_its_scene_and_asks_nothing_of_its_own():
    """"When someone opens the app" was read as a question of its own and told a latency fact beside the
    count of posts asked for; it stays with the question only when that question points back to it."""
    assert clarify.question_parts("when a user opens the feed, how many candidate posts are there?") == [
        "how many candidate posts are there?"]
    assert FactMatcher(get_problem("personalized_news_feed")).match(
        "when a user opens the feed, how many candidate posts are there?").facts == ["inventory"]
    assert FactMatcher(get_problem("ecommerce_recommendations")).match(
        "When a shopper lands on the home page, how many products could we pick from?").facts == ["catalog_size"]
    assert clarify.question_parts("When a buyer disputes a charge, how long do they usually take?") == [
        "When a buyer disputes a charge, how long do they usually take?"]
    # a scene set at the end of one sub-question belongs to the next
    assert clarify.question_parts("How fast must answers appear, and if a wiki page is edited, how soon should the "
                                  "index reflect the edit?") == [
        "How fast must answers appear", "how soon should the index reflect the edit?"]
    # "when" with an auxiliary after it asks a question of its own
    assert len(clarify.question_parts("When is the model retrained, and how many GPUs does a run need?")) == 2


@pytest.mark.parametrize("problem, question, facts", [
    ("harmful_content_detection", "Okay. First I want to ask, how many posts come per day, and how many of them is "
                                  "bad? I think is very small part.", ["post_volume", "prevalence"]),
    ("spam_email_filter", "Okay. First I want to understand, how much emails per day we receive, and how many from "
                          "them is spam?", ["volume", "spam_share"]),
])
def test_a_count_or_share_of_them_after_a_question_is_a_question_of_its_own(problem, question, facts):
    """From our dialogues: "…and how many of them is bad?" was joined to the question before it as a follow-up
    (one term beside "them"), and the pair got the user-reports fact only."""
    assert FactMatcher(get_problem(problem)).match(question).facts == facts
    # "Is that per day?" still follows up
    assert len(clarify.question_parts("How many requests at peak? Is that per day?")) == 1


@pytest.mark.parametrize("problem, question, fact", [
    ("document_qa_rag", "um ok. so its like an internal chatgpt over company docs? how many docs are we talking", "corpus"),
    ("realtime_sentiment_analysis", "sentiment for what exactly - tweets about our brand? how many per sec",
     "message_volume"),
])
def test_chat_shorthand_shares_words_with_the_spec(problem, question, fact):
    """From our fresh dialogues: "docs" and "sec" shared no word with "documents" and "second", and both
    questions were told "not specified"."""
    assert fact in FactMatcher(get_problem(problem)).match(question).facts


def test_a_question_that_only_points_back_is_matched_with_what_it_points_to():
    """From our dialogues: in "Whether either one viewed the other's profile — though, hmm, is that even allowed?"
    the lead-in was cut off, and "is that even allowed?" alone got the latency fact ("time allowed")."""
    matcher = FactMatcher(get_problem("people_you_may_know"))
    assert "latency" not in matcher.match("Number of mutual connections. Whether either one viewed the other's profile "
                                          "— though, hmm, is that even allowed?").facts
    assert clarify.question_parts("So for the model inputs, how many connections does a member have?") == [
        "how many connections does a member have?"]  # a question with its own subject still loses its lead-in


def test_a_short_quantity_question_after_a_confirmation_asks_about_what_was_confirmed():
    """From our dialogues: in "Promotions are known ahead of time, right? How far in advance?" the confirmation
    asks no fact and was dropped, so "How far in advance?" alone got the forecast horizon."""
    assert FactMatcher(get_problem("demand_forecasting")).match(
        "Promotions are known ahead of time, right? How far in advance?").facts == ["promotions"]
    # a short question that names its own subject keeps it
    assert FactMatcher(get_problem("bank_fraud_detection")).match(
        "The analysts review flagged cases, right? What about latency?").facts == ["latency_budget"]


def test_a_word_with_a_question_mark_asks_for_that_thing():
    """From a trial: "qps? latency?" was dropped whole (each question one word) and the interviewer moved on."""
    assert FactMatcher(get_problem("query_autocomplete")).match("qps? latency?").facts == ["traffic", "latency"]
    assert clarify.question_parts("really?") == [] and clarify.question_parts("ok. why?") == []
