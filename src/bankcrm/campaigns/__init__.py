"""Campaigns and the marketing process: segments frozen into member lists with a random
control group, consent and frequency caps, contact tasks and sending, evaluation of uplift
with its interval, the response model, marketing plans and budgets, the prospect pipeline."""
