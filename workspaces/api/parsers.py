"""JSON bodies only, and a body too deeply nested to parse is a 400 rather than a crash."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # Python's json gives up on ~1000 nested arrays
            raise ParseError("JSON parse error - nested too deeply.") from exc
