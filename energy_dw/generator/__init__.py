"""Synthetic raw-data generator for the energy warehouse (see docs/generator.md)."""

from .core import DEFAULT_SEED, generate, sizes

__all__ = ["DEFAULT_SEED", "generate", "sizes"]
