"""The prospect pipeline (营销流程 — market entry): prospects from identification to the deal,
their objections, one-to-one follow-up plans, growth-customer cultivation and the fee-based
business flow."""
