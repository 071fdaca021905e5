"""Marketing plans (营销计划): the handbook's eight sections, competitors, PEST, the 7P
review, budgets by the four methods and budget against the linked campaigns' spend."""
