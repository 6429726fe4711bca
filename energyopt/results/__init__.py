"""Results: the per-step table and summary read from a solved model, written atomically."""
from .result import OutputError, Result

__all__ = ["OutputError", "Result"]
