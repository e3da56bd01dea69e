"""Deterministic demo extracts for treem: a simulated Hà Đông district and the files its offices send.

from demo import generate
summary = generate(home, seed=2025, scale=1.0, messy=0.0, year=2025, progress=print)
"""

from .generator import generate

__all__ = ["generate"]
