"""Executing agents: prompt rendering, the attempt loop, pricing, and logging the outcome."""
