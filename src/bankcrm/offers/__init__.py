"""Suitable offers: the risk assessment, the suitability gate, the sales process, next-best
offers and the calculators a manager quotes from."""
