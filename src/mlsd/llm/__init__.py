"""The provider seam: every LLM call in the product goes through `LLM`, built by `get_llm`."""

from mlsd.llm.client import LLM
from mlsd.llm.models import ChatModel, Completion, Message, to_messages
from mlsd.llm.providers import get_llm, offline_llm
from mlsd.llm.structured import extract_json, max_json_chars, token_budget

__all__ = ["LLM", "ChatModel", "Completion", "Message", "get_llm", "offline_llm", "to_messages", "extract_json", "max_json_chars",
           "token_budget"]
