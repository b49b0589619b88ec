"""One interview: persist the candidate's turn, read it, decide, phrase, persist.

Data flow of a turn (see docs/ARCHITECTURE.md):
  candidate text -> store (committed first) -> evidence engine (incremental, in the context of the last
  question) -> Reading -> InterviewState -> policy.decide -> Action -> [LLM words it, streamed | offline:
  acknowledgement + curated question] -> store, with the turn's unit vectors so a resume embeds nothing again.
An LLM failure falls back to the curated text, so the interview always continues.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mlsd.content.problems import Problem, custom_problem, get_problem, load_generic, rubric_for
from mlsd.core.config import Settings
from mlsd.core.errors import LLMOutputError, LLMUnavailableError
from mlsd.core.phases import PHASE_IDS
from mlsd.evidence import EvidenceEngine, EvidenceState, JudgedUnit
from mlsd.grading.grader import grade
from mlsd.grading.llm_grading import Progress
from mlsd.grading.report import GradeReport
from mlsd.grading.transcript import clean_text
from mlsd.interview.clarify import FactMatcher
from mlsd.interview.diagram_review import grounded
from mlsd.interview.phrasing import acknowledgement, offline_message
from mlsd.interview.policy import ASKING_KINDS, CONCEPT, CONCEPT_ASIDE, Action, InterviewState, apply, decide
from mlsd.interview.prompting import build_prompt
from mlsd.interview.reading import TurnReader
from mlsd.interview.sessions import SessionStore
from mlsd.knowledge.embeddings import get_embedder
from mlsd.llm import LLM, offline_llm

LLM_RETRY_AFTER_S = 30.0
SLOW_FAILURE_S = 10.0


@dataclass
class TurnResult:
    turn: int
    action: str
    target_phase: str | None
    message: str
    coverage: dict[str, float]


class Interviewer:
    def __init__(self, store: SessionStore, session_id: str, problem: Problem, state: InterviewState,
                 llm: LLM | None = None, settings: Settings | None = None):
        self.store = store
        self.session_id = session_id
        self.problem = problem
        self.state = state
        self.llm = llm or offline_llm()
        self.settings = settings
        self.engine = EvidenceEngine(rubric_for(problem))
        self.reader = TurnReader(self.engine, FactMatcher(problem), problem)
        self.generic = load_generic()
        self.llm_outage: str | None = None  # why the last LLM call failed, until one succeeds
        self._llm_retry_at = 0.0
        self._last_units: list[JudgedUnit] = []
        self._llm_cut = False
        self.evidence: EvidenceState = self.engine.new_state()

    # -- lifecycle ----------------------------------------------------------------------------------
    @classmethod
    def start(cls, store: SessionStore, *, problem_id: str | None = None, problem_text: str | None = None,
              mode: str = "mock", difficulty: str | None = None, time_budget_min: float = 45.0, llm: LLM | None = None,
              settings: Settings | None = None) -> "Interviewer":
        problem = get_problem(problem_id) if problem_id else custom_problem(problem_text or "")
        state = InterviewState(problem_id=problem.id, mode=mode, difficulty=difficulty or problem.difficulty,
                               time_budget_min=time_budget_min)
        opening = (f"{problem.statement}\n\nTake a moment, ask any clarifying questions you need, "
                   "and walk me through your design.")
        sid = store.create(problem_id=problem.id if problem_id else None, problem_text=problem_text,
                           mode=mode, state=state.model_dump(), opening=opening)
        return cls(store, sid, problem, state, llm, settings)

    @classmethod
    def resume(cls, store: SessionStore, session_id: str, *, llm: LLM | None = None, settings: Settings | None = None) -> "Interviewer":
        row = store.get(session_id)
        problem = get_problem(row.problem_id) if row.problem_id else custom_problem(row.problem_text or "")
        state = InterviewState.model_validate(row.state) if row.state else InterviewState(problem_id=problem.id)
        me = cls(store, session_id, problem, state, llm, settings)
        for turn in store.turns(session_id):  # vectors stored with the turns: nothing is embedded again
            get_embedder().remember(*unpack_vectors(turn["meta"].get("vectors")))
        me.evidence.add_turns(store.transcript(session_id).candidate_turns_in_context())
        me._refresh_coverage()
        return me

    def turns(self) -> list[dict]:
        return self.store.turns(self.session_id)

    def _dialogue(self) -> list[dict]:
        """The turns' words without their meta: what each step of a turn reads."""
        return self.store.turns(self.session_id, meta=False)

    @property
    def pending_reply(self) -> bool:
        """True when the last committed turn is the candidate's (e.g. after a crash mid-turn)."""
        turns = self._dialogue()
        return bool(turns) and turns[-1]["role"] == "candidate"

    # -- one turn -------------------------------------------------------------------------------------
    def respond(self, candidate_text: str, now: float | None = None) -> TurnResult:
        action = self.plan(candidate_text, now)
        for _ in self.deliver(action):
            pass
        return self.last_result(action, self._dialogue()[-1]["content"])  # what was committed, not the raw stream

    def plan(self, candidate_text: str, now: float | None = None, key: str | None = None) -> Action:
        """Commit the candidate's turn, read it, update the state, and decide what to do.

        `key` names this answer, so that a write retried after a database outage is stored once."""
        text = clean_text(candidate_text).strip()
        if not text:
            raise ValueError("empty answer: type something before sending")
        idx = self.store.add_turn(self.session_id, "candidate", text, key=key)  # committed before any LLM call
        return self._decide_after(idx, now)

    def plan_pending(self, now: float | None = None) -> Action:
        """Decide the reply to a candidate turn that was committed but never answered."""
        return self._decide_after(self._dialogue()[-1]["idx"], now, already_scored=True)

    def _decide_after(self, idx: int, now: float | None, already_scored: bool = False) -> Action:
        now = now or time.time()
        turns = self._dialogue()
        # The turn as stored (a pasted key already scrubbed): what is judged is exactly what a resume reads back.
        text = next(t["content"] for t in turns if t["idx"] == idx)
        context = next((t["content"] for t in reversed(turns) if t["idx"] < idx and t["role"] == "interviewer"), "")
        before = dict(self.state.depth)
        judged = [u for u in self.evidence.units if u.unit.turn == idx] if already_scored else \
            self.evidence.add_turn(idx, text, context)
        self._last_units = judged
        self._refresh_coverage()
        reading = self.reader.read(self.evidence, text, judged, before, self.state.depth, tuple(self.state.revealed),
                                   tuple(self.state.challenged))
        self._track_time(reading.dominant, now)
        if reading.sets_aside and reading.sets_aside not in self.state.set_aside:
            self.state.set_aside.append(reading.sets_aside)
        pending = self.state.pending_challenge
        if pending and self.reader.pitfalls and self.reader.pitfalls.revisited(judged, pending):
            # "Actually, a random split over query logs would leak: by time": dealt with before it was put
            self.state.pending_challenge = ""
            self.state.challenged.append(pending)
        if reading.pitfall and reading.long_turn and not self.state.pending_challenge:
            self.state.pending_challenge = reading.pitfall.id  # asked once the design's gaps are (policy.challenge)
        action = decide(self.state, self.problem, reading, self.generic, now)
        # A challenge names the choice it questions ("You'd split at random…"): no acknowledgement before it.
        if (action.kind in ASKING_KINDS or action.kind == "requirement_change") and action.kind != "challenge" \
                and reading.dominant:
            action.ack = acknowledgement(self._said_about(judged, reading.dominant) or text, len(turns),
                                         PHASE_IDS.index(reading.dominant))
        if reading.concept and self.state.mode == "practice":
            self._define_concept(action, text)
        apply(self.state, action, now)
        self.store.save_state(self.session_id, self.state.model_dump())
        return action

    def _define_concept(self, action: Action, text: str) -> None:
        """Practice mode: "what is calibration?" gets the notes' definition instead of only a pointer to Ask
        (a mock interview keeps the pointer: the real thing teaches nothing). From an index already built
        only: a turn never waits for a build, and without a definition the pointer stays."""
        if self.settings is None or not (CONCEPT in action.preface or CONCEPT_ASIDE in action.preface) or \
                not (self.settings.chroma_host or self.settings.index_dir.exists()):
            return
        try:
            from mlsd.knowledge.definitions import define
            from mlsd.knowledge.index import get_index

            index = get_index(self.settings)
            collection = index.collection(create=False)
            found = define(text, index) if collection is not None and collection.count() else None
        except Exception:  # a nicety: never block a turn on the index
            return
        if found:
            said = f"From the notes on {found.topic}: {found.text} The Ask page has more."
            action.preface = action.preface.replace(CONCEPT, f"{said} Back to where we were:").replace(CONCEPT_ASIDE, said)

    @staticmethod
    def _said_about(judged, phase: str) -> str:
        """The turn's two statements most about `phase`: what the acknowledgement is drawn from, so it never
        echoes a question, a request or an aside from the same message."""
        i = PHASE_IDS.index(phase)
        statements = sorted((u for u in judged if u.content >= 0.5 and not u.unit.question), key=lambda u: -float(u.phases[i]))
        return " ".join(u.unit.text for u in statements[:2])

    def _track_time(self, phase: str | None, now: float) -> None:
        since = now - (self.state.last_candidate_at or self.state.started_at)
        if phase:
            self.state.phase_seconds[phase] = self.state.phase_seconds.get(phase, 0.0) + max(0.0, since)
            self.state.current_phase = phase
            if phase not in self.state.answered:
                self.state.answered.append(phase)
        self.state.last_candidate_at = now

    def deliver(self, action: Action) -> Iterator[str]:
        """Phrase the action (streamed through the LLM when there is one) and commit the turn."""
        turns = self._dialogue()
        previous = next((t["content"] for t in reversed(turns) if t["role"] == "interviewer"), "")
        asked = self.state.asked_phases  # this action's phase is already the last entry
        # the phase of the last question before this one (a fact told or a question repeated in between
        # does not leave it)
        last_phase = next((p for p in reversed(asked[:-1]) if p), None)
        continuing = last_phase == action.target_phase
        fallback = offline_message(action, len(turns), previous, continuing=continuing, first=not any(asked[:-1]),
                                   strayed=self.state.current_phase not in (None, action.target_phase))
        parts: list[str] = []
        self._llm_cut = False
        words = self._llm_words(action, turns, fallback)
        if action.grounding:  # checked before a word is shown: an LLM question off the diagram is not said
            words = iter(grounded(list(words), action.grounding))
        for piece in words:
            parts.append(piece)
            yield piece
        message = "" if self._llm_cut else "".join(parts).strip()
        if not message:
            message = fallback  # said, and saved, instead of an empty or half-said reply
            yield ("\n" if parts else "") + fallback
        texts = [u.unit.judged_text for u in self._last_units] + [message]
        vectors = get_embedder().embed(texts)  # the next turn's context; unit vectors are cached already
        self.store.add_turn(self.session_id, "interviewer", message,
                            meta={"action": action.kind, "target_phase": action.target_phase,
                                  "question": action.question, "llm": bool(parts) and not self._llm_cut,
                                  "vectors": pack_vectors(texts, vectors)})
        self._last_units = []
        if action.kind == "wrap_up":
            self.store.end(self.session_id)

    def _llm_words(self, action: Action, turns: list[dict], curated: str) -> Iterator[str]:
        """The LLM's wording of the action, streamed; nothing (so the curated text is said) on any failure.
        A reply cut off (at the token limit, or by an error mid-stream) sets `_llm_cut`: the curated text
        replaces it."""
        if self.llm.offline or time.monotonic() < self._llm_retry_at or action.kind in ("wrap_up", "wait"):
            return  # "take your time" needs no wording, and an LLM asked to wait tends to ask something
        info: dict = {}
        started = time.monotonic()
        pieces: list[str] = []
        try:
            for piece in self.llm.stream(self.prompt(action, curated, turns), max_tokens=160, info=info):
                pieces.append(piece)
                yield piece
            self.llm_outage = None
        except (LLMUnavailableError, LLMOutputError) as exc:
            # An outage never stops the interview: the curated text answers. A fast failure (nothing
            # listening) is retried on the next turn; a slow one (a timeout) only after a pause, so a
            # server that hangs costs the candidate one wait, not one per turn.
            self.llm_outage, self._llm_cut = str(exc), bool(pieces)  # a reply broken off mid-way is not kept
            if time.monotonic() - started > SLOW_FAILURE_S:
                self._llm_retry_at = time.monotonic() + LLM_RETRY_AFTER_S
            return
        self._llm_cut = info.get("finish_reason") == "length"

    def last_result(self, action: Action, message: str) -> TurnResult:
        return TurnResult(turn=self._dialogue()[-1]["idx"], action=action.kind, target_phase=action.target_phase,
                          message=message, coverage=dict(self.state.coverage))

    def end_and_grade(self, progress: Progress | None = None) -> GradeReport:
        """End the interview and grade it; `progress(done, total, dimension)` while an LLM grades."""
        from mlsd.grading.service import grading_budget

        budget = grading_budget(self.settings or Settings(), progress)
        report = grade(self.store.transcript(self.session_id), llm=self.llm, budget=budget)
        self.state.status, self.state.ended_at = "wrapped", self.state.ended_at or time.time()
        self.store.save_state(self.session_id, self.state.model_dump())
        self.store.end(self.session_id, report.model_dump())
        return report

    # -- internals -----------------------------------------------------------------------------------
    def _refresh_coverage(self) -> None:
        for phase, ev in self.evidence.phases().items():
            # "covered" needs an evidence unit as well as the coverage model's say-so
            self.state.coverage[phase] = ev.coverage if ev.covered else min(ev.coverage, 0.49)
            self.state.depth[phase] = ev.depth

    def prompt(self, action: Action, curated: str | None = None, turns: list[dict] | None = None) -> list[tuple[str, str]]:
        return build_prompt(statement=self.problem.statement, shared_facts=self.state.revealed_facts(self.problem),
                            mode=self.state.mode, phases=self.evidence.phases(), turns=turns or self._dialogue(),
                            action=action, curated=curated or offline_message(action),
                            background=self._knowledge_context(action))

    def _knowledge_context(self, action: Action) -> str:
        if self.settings is None or not action.target_phase or action.kind in ("clarify", "wrap_up", "model_answer"):
            return ""
        try:
            from mlsd.knowledge.index import get_index

            hits = get_index(self.settings).search(action.question, k=5, phases=[action.target_phase])
        except Exception:  # retrieval is a nicety for phrasing; never block a turn on it
            return ""
        # the problem's own case note is its worked answer, hidden spec numbers included: never background
        hits = [h for h in hits if not self.problem.case_note or h.path != self.problem.case_note]
        return hits[0].text[:400] if hits else ""


def pack_vectors(texts: list[str], vectors: np.ndarray) -> dict:
    return {"texts": texts, "float16": base64.b64encode(np.asarray(vectors, np.float16).tobytes()).decode("ascii")}


def unpack_vectors(packed: dict | None) -> tuple[list[str], np.ndarray]:
    if not packed:
        return [], np.zeros((0, 384), np.float32)
    vectors = np.frombuffer(base64.b64decode(packed["float16"]), dtype=np.float16).astype(np.float32)
    return packed["texts"], vectors.reshape(len(packed["texts"]), -1)
