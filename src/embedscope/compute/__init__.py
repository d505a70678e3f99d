"""Pure functions over an Embedding: neighbours, analogies and projections. No HTTP, no printing."""

from .neighbors import Neighbor, analogy, format_neighbors, neighbors

__all__ = ["Neighbor", "analogy", "format_neighbors", "neighbors"]
